"""Word-by-word matching of a typed reply against an expected answer.

Each expected word must be matched by a different typed word, in any order, within an
edit allowance that grows with word length (adjacent swaps count as one edit, after
folding transliteration variants). Numbers match only exactly.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from quizbank.model import Question
from quizbank.normalise import fold, tokens

_OPTIONAL = re.compile(r"\(([^)]*)\)")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")


def allowance(word: str, *, override: int | None = None) -> int:
    """Edits forgiven in a word: none up to 3 letters, one up to 7, two from 8; none with digits.

    `override` (a question's `typo`) replaces the length rule for words of 4+ letters;
    0 makes every word exact.
    """
    if any(ch.isdigit() for ch in word):
        return 0
    if override is not None:
        return override if len(word) >= 4 else 0
    n = len(word)
    return 0 if n <= 3 else 1 if n <= 7 else 2


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def is_year(word: str) -> bool:
    """A four-digit year such as 1956."""
    return len(word) == 4 and word.isdigit() and 1000 <= int(word) <= 2100


def number_kind(word: str) -> str | None:
    """'year', 'ordinal' or 'count' for a number word; None for any other word."""
    if _ORDINAL.fullmatch(word):
        return "ordinal"
    if word.isdigit():
        return "year" if is_year(word) else "count"
    return None


def key(words: Iterable[str]) -> str:
    """A folded phrase, for exact look-ups."""
    return " ".join(fold(w) for w in words)


@lru_cache(maxsize=8192)
def variants(answer: str, short_year: bool = False) -> tuple[tuple[str, ...], ...]:
    """Token lists an answer may be typed as: with and without "(optional)" words, a
    hyphenated compound joined ("antiparty"), and a year's last two digits if allowed."""
    texts = [answer, answer.replace("-", "")] if "-" in answer else [answer]
    out: list[tuple[str, ...]] = []
    for text in texts:
        groups = _OPTIONAL.findall(text)
        for keep in itertools.product((True, False), repeat=len(groups)):
            it = iter(keep)
            expanded = _OPTIONAL.sub(lambda m, it=it: m.group(1) if next(it) else " ", text)
            words = tuple(tokens(expanded))
            if not words:
                continue
            out.append(words)
            if short_year and any(is_year(w) for w in words):
                out.append(tuple(w[2:] if is_year(w) else w for w in words))
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class Match:
    """How well typed words cover one answer variant."""

    near: int  # words one edit beyond their allowance
    edits: int  # typo edits within the allowance
    leftover: tuple[str, ...]  # typed words no expected word used

    @property
    def rank(self) -> tuple[int, int, int]:
        """Smaller is better."""
        return self.near, self.edits, len(self.leftover)


def match(
    expected: Sequence[str],
    typed: Sequence[str],
    *,
    typo: int | None = None,
    exact_only: Collection[str] = (),
) -> Match | None:
    """Match each expected word to a distinct typed word, or None if one cannot be matched.

    Typed words in `exact_only` (names of other known things) may match only exactly:
    "khrushchev" is not a misspelling of "khrushchevki".
    """
    # Folded and checked once per word: this loop is the grader's hot path.
    free = [(w, fold(w), w in exact_only or _has_digit(w)) for w in typed]
    edits = near = 0
    for word in expected:
        limit = allowance(word, override=typo)
        folded = fold(word)
        exact = _has_digit(word)
        best_i, best_d = -1, limit + 2
        for i, (_, candidate_folded, candidate_exact) in enumerate(free):
            if folded == candidate_folded:
                best_i, best_d = i, 0
                break
            if exact or candidate_exact:
                continue  # numbers are exact: 1956 is never a typo of 1965
            d = OSA.distance(folded, candidate_folded, score_cutoff=limit + 1)
            if d < best_d:
                best_i, best_d = i, d
        if best_i < 0:
            return None
        near += best_d > limit
        edits += best_d
        free.pop(best_i)
    return Match(near, edits, tuple(w for w, _, _ in free))


def best_match(
    answers: Iterable[str],
    typed: Sequence[str],
    question: Question,
    *,
    exact_only: Collection[str] = (),
) -> tuple[Match, tuple[str, ...]] | None:
    """The best match over every variant of every answer, with the variant it matched."""
    found = [
        (m, v)
        for a in answers
        for v in variants(a, question.short_year)
        if (m := match(v, typed, typo=question.typo, exact_only=exact_only)) is not None
    ]
    return min(found, key=lambda pair: pair[0].rank, default=None)

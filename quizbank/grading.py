"""Grade a typed answer against a question: forgiving of typos, never of facts.

The API follows RapidFuzz: pure functions with keyword-only options and no I/O.
Words are compared one by one with an edit-distance allowance that grows with word
length (adjacent swaps count as one edit), because whole-string fuzzy ratios accept
"not khrushchev" or "stalinism" and treat 1956 and 1957 as 75% alike.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from quizbank.model import OPTION_LETTERS, Kind, Question
from quizbank.normalise import fold, normalise, tokens

_NEGATIONS = frozenset({"not", "no", "never", "isnt", "wasnt", "neither", "nor"})
_HEDGES = frozenset({"or", "either", "maybe", "perhaps"})
_OPTIONAL = re.compile(r"\(([^)]*)\)")
_LETTERS = OPTION_LETTERS.lower()
_TRUE = frozenset({"true", "t", "yes", "y"})
_FALSE = frozenset({"false", "f", "no", "n"})


class Outcome(enum.StrEnum):
    """The grade of one answer, from best to worst."""

    CORRECT = "correct"
    TYPO = "typo"  # accepted, but the reply shows the right spelling
    ALMOST = "almost"  # one edit beyond the allowance: not accepted
    WRONG = "wrong"
    SKIPPED = "skipped"

    @property
    def accepted(self) -> bool:
        """Whether this outcome counts as a right answer."""
        return self in (Outcome.CORRECT, Outcome.TYPO)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome plus the canonical answer, for the reply."""

    outcome: Outcome
    canonical: str

    @property
    def accepted(self) -> bool:
        """Whether the answer counts as right."""
        return self.outcome.accepted


def allowance(word: str) -> int:
    """Edits forgiven in a word: none up to 3 letters, one up to 7, two from 8; none with digits."""
    if any(ch.isdigit() for ch in word):
        return 0
    n = len(word)
    return 0 if n <= 3 else 1 if n <= 7 else 2


@lru_cache(maxsize=4096)
def _variants(answer: str) -> tuple[tuple[str, ...], ...]:
    """Token lists for an answer, with and without each optional "(word)" group."""
    groups = _OPTIONAL.findall(answer)
    if not groups:
        return (tuple(tokens(answer)),)
    out = []
    for keep in itertools.product((True, False), repeat=len(groups)):
        it = iter(keep)
        text = _OPTIONAL.sub(lambda m, it=it: m.group(1) if next(it) else " ", answer)
        out.append(tuple(tokens(text)))
    return tuple(dict.fromkeys(v for v in out if v))


@dataclass(frozen=True, slots=True, order=True)
class _Match:
    """How well typed words cover one answer variant; smaller is better."""

    near: int  # words one edit beyond their allowance
    edits: int  # typo edits within the allowance
    leftover: tuple[str, ...]  # typed words no expected word used


def _match(expected: Sequence[str], typed: Sequence[str]) -> _Match | None:
    """Match each expected word to a distinct typed word, or None if one cannot be matched."""
    free = list(typed)
    edits = 0
    near = 0
    for word in expected:
        limit = allowance(word)
        folded = fold(word)
        best_i, best_d = -1, limit + 2
        for i, candidate in enumerate(free):
            if word == candidate or folded == fold(candidate):
                best_i, best_d = i, 0
                break
            if limit == 0 and any(ch.isdigit() for ch in word + candidate):
                continue
            d = OSA.distance(folded, fold(candidate), score_cutoff=limit + 1)
            if d < best_d:
                best_i, best_d = i, d
        if best_i < 0:
            return None
        if best_d > limit:
            near += 1
        edits += best_d
        free.pop(best_i)
    return _Match(near, edits, tuple(free))


def _exact(match: _Match | None) -> bool:
    return match is not None and match.near == 0 and match.edits == 0


def _closest(answers: Sequence[str], typed: Sequence[str]) -> _Match | None:
    """The best match over every variant of every answer."""
    matches = [m for a in answers for v in _variants(a) if (m := _match(v, typed)) is not None]
    return min(matches, key=lambda m: (m.near, m.edits, len(m.leftover)), default=None)


def _key(words: Sequence[str]) -> str:
    return " ".join(fold(w) for w in words)


def known_terms(questions: Iterable[Question]) -> frozenset[str]:
    """Every answer, option and reject entry in the banks, folded for exact lookup.

    An answer that is exactly one of these but not accepted for the question is a
    different known thing (Bulgaria is not Bulganin), however close it looks.
    """
    terms = set()
    for question in questions:
        for phrase in (*question.answers, *question.reject, *question.choices):
            terms.update(_key(v) for v in _variants(phrase))
    return frozenset(terms)


def grade(
    question: Question,
    typed: str,
    *,
    known: AbstractSet[str] = frozenset(),
    max_extra_words: int = 2,
) -> Verdict:
    """Grade a typed answer to any kind of question.

    `known` is `known_terms()` of the loaded banks; `max_extra_words` is how many words
    beyond the matched answer a reply may carry ("it was the ...").
    """
    if question.kind is not Kind.TEXT:
        # Letters are read in bank order here; the tutor passes the shown order itself.
        index = choice_index(question, typed)
        ok = index is not None and question.choices[index] == question.canonical
        return Verdict(Outcome.CORRECT if ok else Outcome.WRONG, question.canonical)
    words = tokens(typed)
    if not words:
        return Verdict(Outcome.WRONG, question.canonical)
    accepted_words = {w for a in question.answers for v in _variants(a) for w in v}
    wrong = Verdict(Outcome.WRONG, question.canonical)
    if any(w in _NEGATIONS and w not in accepted_words for w in words):
        return wrong
    if any(w in _HEDGES and w not in accepted_words for w in words):
        return wrong
    typed_key = _key(words)
    if typed_key in known and all(
        typed_key != _key(v) for a in question.answers for v in _variants(a)
    ):
        return wrong
    best = _closest(question.answers, words)
    if best is None or len(best.leftover) > max_extra_words:
        return wrong
    for word in best.leftover:
        # A spare number is a second guess ("1956 1957"); a spare word that is itself a
        # known answer is a list of guesses ("Zhukov, Molotov, Kaganovich").
        if any(ch.isdigit() for ch in word) or fold(word) in known:
            return wrong
    if question.reject:
        rejected = _closest(question.reject, words)
        if rejected is not None and (rejected.near, rejected.edits) <= (best.near, best.edits):
            return wrong
    if best.near:
        outcome = Outcome.ALMOST if best.near == 1 else Outcome.WRONG
    else:
        outcome = Outcome.TYPO if best.edits else Outcome.CORRECT
    return Verdict(outcome, question.canonical)


def choice_index(
    question: Question, typed: str, *, order: Sequence[int] | None = None
) -> int | None:
    """Which option (index into `question.choices`) a typed reply picks.

    A reply may be a letter or number (of the options as shown, in `order`), true/false,
    or the option's own text.
    """
    text = normalise(typed)
    if not text:
        return None
    choices = question.choices
    shown = order if order is not None else range(len(choices))
    if question.kind is Kind.TRUEFALSE:
        if text in _TRUE:
            return 0
        if text in _FALSE:
            return 1
        return None
    if len(text) == 1 and text in _LETTERS[: len(choices)]:
        return shown[_LETTERS.index(text)]
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return shown[int(text) - 1]
    words = tokens(typed)
    hits = [i for i, c in enumerate(choices) if _exact(_match(tokens(c), words))]
    if len(hits) == 1 and len(words) <= len(tokens(choices[hits[0]])) + 1:
        return hits[0]
    near = [i for i, c in enumerate(choices) if (m := _match(tokens(c), words)) and not m.near]
    return near[0] if len(near) == 1 else None

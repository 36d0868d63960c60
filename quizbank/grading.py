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
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from quizbank.model import OPTION_LETTERS, Kind, Question
from quizbank.normalise import fold, normalise, tokens

_NEGATIONS = frozenset({"not", "no", "never", "isnt", "wasnt", "didnt", "neither", "nor"})
_HEDGES = frozenset({"or", "either"})
# Words that join the parts of a multi-part answer ("Brezhnev and Kosygin").
_CONNECTORS = frozenset({"and", "plus", "with", "also", "both"})
_OPTIONAL = re.compile(r"\(([^)]*)\)")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")
_LETTERS = OPTION_LETTERS.lower()
_TRUE = frozenset({"true", "t", "yes", "y"})
_FALSE = frozenset({"false", "f", "no", "n"})


class Outcome(enum.StrEnum):
    """The grade of one answer, from best to worst."""

    CORRECT = "correct"
    TYPO = "typo"  # accepted, but the reply shows the right spelling
    ALMOST = "almost"  # one edit beyond the allowance: not accepted, one retry
    PARTIAL = "partial"  # some parts of a multi-part answer
    WORDY = "wordy"  # the answer is there among too many words: not graded, ask again
    WRONG = "wrong"
    SKIPPED = "skipped"

    @property
    def accepted(self) -> bool:
        """Whether this outcome counts as a right answer."""
        return self in (Outcome.CORRECT, Outcome.TYPO)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome plus the canonical answer, for the reply; `missing` names absent parts."""

    outcome: Outcome
    canonical: str
    missing: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        """Whether the answer counts as right."""
        return self.outcome.accepted


@dataclass(frozen=True)
class Known:
    """What the loaded banks talk about, to tell a different thing from a misspelling.

    `terms` are every answer, option and reject entry; `names` are the capitalised
    names in prompts and explanations (Khrushchev is not khrushchyovki). Both are
    folded keys, as `_key` makes them.
    """

    terms: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    _all: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_all", tuple(sorted(self.terms | self.names)))

    def __contains__(self, key: object) -> bool:
        return key in self.terms or key in self.names

    def nearest(self, key: str, *, below: int) -> str | None:
        """The known key closest to `key`, if its distance is under `below`."""
        if below <= 0 or not self._all:
            return None
        hit = process.extractOne(key, self._all, scorer=OSA.distance, score_cutoff=below - 1)
        return hit[0] if hit else None


NOTHING_KNOWN = Known()


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


def _is_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and 1000 <= int(word) <= 2100


def _number_kind(word: str) -> str | None:
    """'year', 'ordinal' or 'count' for a number word; None for any other word."""
    if _ORDINAL.fullmatch(word):
        return "ordinal"
    if word.isdigit():
        return "year" if _is_year(word) else "count"
    return None


@lru_cache(maxsize=8192)
def _variants(answer: str, short_year: bool = False) -> tuple[tuple[str, ...], ...]:
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
            if short_year and any(_is_year(w) for w in words):
                out.append(tuple(w[2:] if _is_year(w) else w for w in words))
    return tuple(dict.fromkeys(out))


def _key(words: Sequence[str]) -> str:
    return " ".join(fold(w) for w in words)


@dataclass(frozen=True, slots=True)
class _Match:
    """How well typed words cover one answer variant."""

    near: int  # words one edit beyond their allowance
    edits: int  # typo edits within the allowance
    leftover: tuple[str, ...]  # typed words no expected word used

    @property
    def rank(self) -> tuple[int, int, int]:
        """Smaller is better."""
        return self.near, self.edits, len(self.leftover)


def _match(expected: Sequence[str], typed: Sequence[str], typo: int | None = None) -> _Match | None:
    """Match each expected word to a distinct typed word, or None if one cannot be matched."""
    free = list(typed)
    edits = near = 0
    for word in expected:
        limit = allowance(word, override=typo)
        folded = fold(word)
        best_i, best_d = -1, limit + 2
        for i, candidate in enumerate(free):
            if word == candidate or folded == fold(candidate):
                best_i, best_d = i, 0
                break
            if any(ch.isdigit() for ch in word + candidate):
                continue  # numbers are exact: 1956 is never a typo of 1965
            d = OSA.distance(folded, fold(candidate), score_cutoff=limit + 1)
            if d < best_d:
                best_i, best_d = i, d
        if best_i < 0:
            return None
        near += best_d > limit
        edits += best_d
        free.pop(best_i)
    return _Match(near, edits, tuple(free))


def _best(
    answers: Iterable[str], typed: Sequence[str], question: Question
) -> tuple[_Match, tuple[str, ...]] | None:
    """The best match over every variant of every answer, with the variant it matched."""
    found = [
        (m, v)
        for a in answers
        for v in _variants(a, question.short_year)
        if (m := _match(v, typed, question.typo)) is not None
    ]
    return min(found, key=lambda pair: pair[0].rank, default=None)


@dataclass(frozen=True, slots=True)
class _Accepted:
    """Precomputed forms of a question's answers."""

    whole: frozenset[str]  # folded keys of every way to write the whole answer
    own: frozenset[str]  # those plus each part alone: this question's own terms
    words: frozenset[str]  # every word in them


@lru_cache(maxsize=4096)
def _accepted(question: Question) -> _Accepted:
    whole = [v for a in question.answers for v in _variants(a, question.short_year)]
    parts = [v for p in question.parts for a in p for v in _variants(a, question.short_year)]
    return _Accepted(
        frozenset(_key(v) for v in whole),
        frozenset(_key(v) for v in (*whole, *parts)),
        frozenset(w for v in (*whole, *parts) for w in v),
    )


def known_terms(questions: Iterable[Question]) -> Known:
    """Index the banks' answers, options, reject entries and names, for `grade(known=…)`."""
    terms: set[str] = set()
    names: set[str] = set()
    for question in questions:
        for phrase in (*question.answers, *question.reject, *question.choices):
            terms.update(_key(v) for v in _variants(phrase))
        for text in (question.prompt, question.explanation):
            names.update(_names(text))
    return Known(frozenset(terms), frozenset(names))


_SENTENCES = re.compile(r"(?<=[.!?:;])\s+|\n")
_WORD = re.compile(r"[^\W\d_][\w'’]*")


def _names(text: str) -> set[str]:
    """Capitalised words that do not start a sentence: names of people, places, things."""
    found = set()
    for sentence in _SENTENCES.split(text):
        for word in _WORD.findall(sentence)[1:]:
            if word[0].isupper() and len(word) >= 4:
                found.update(fold(t) for t in tokens(word))
    return found


def grade(
    question: Question,
    typed: str,
    *,
    known: Known = NOTHING_KNOWN,
    max_extra_words: int = 2,
) -> Verdict:
    """Grade a typed answer to any kind of question.

    `known` is `known_terms()` of the loaded banks; `max_extra_words` is how many words
    beyond the matched answer a reply may carry ("in 1956", "Marshal Zhukov").
    """
    canonical = question.canonical
    if question.kind is Kind.POINTS:
        raise ValueError("points questions are marked by the student: use points_made()")
    if question.kind is not Kind.TEXT:
        # Letters are read in bank order here; the tutor passes the shown order itself.
        index = choice_index(question, typed)
        ok = index is not None and question.choices[index] == canonical
        return Verdict(Outcome.CORRECT if ok else Outcome.WRONG, canonical)
    words = tokens(typed)
    wrong = Verdict(Outcome.WRONG, canonical)
    if not words:
        return wrong
    accepted = _accepted(question)
    typed_key = _key(words)
    if typed_key in accepted.whole:
        return Verdict(Outcome.CORRECT, canonical)
    if any(w in _NEGATIONS or w in _HEDGES for w in words if w not in accepted.words):
        return wrong
    if typed_key in known and typed_key not in accepted.own:
        return wrong  # exactly some other thing the banks know: Bulgaria is not Bulganin
    if question.parts:
        verdict = _grade_parts(question, words, known, max_extra_words)
        if verdict is not None:
            return verdict
    found = _best(question.answers, words, question)
    if found is None:
        return wrong
    best, variant = found
    problem = _leftover_problem(best.leftover, variant, known, max_extra_words)
    if problem is not None:
        return Verdict(problem, canonical)
    if question.reject:
        rejected = _best(question.reject, words, question)
        if rejected is not None and rejected[0].rank[:2] <= best.rank[:2]:
            return wrong
    if best.near or best.edits:
        # A misspelling must be nearer this answer than anything else the banks know.
        distance = min(OSA.distance(typed_key, k) for k in accepted.whole)
        nearest = known.nearest(typed_key, below=distance)
        if nearest is not None and nearest not in accepted.own:
            return wrong
    if best.near:
        return Verdict(Outcome.ALMOST if best.near == 1 else Outcome.WRONG, canonical)
    return Verdict(Outcome.TYPO if best.edits else Outcome.CORRECT, canonical)


def _leftover_problem(
    leftover: Sequence[str], matched: Sequence[str], known: Known, max_extra: int
) -> Outcome | None:
    """What spare typed words make of an otherwise matching answer, if anything."""
    kinds = {_number_kind(w) for w in matched} - {None}
    plain = []
    for word in leftover:
        kind = _number_kind(word)
        # A second year for a year is a second guess ("1956 1957"); "25 February 1956" is not.
        if kind is not None and kind in kinds:
            return Outcome.WRONG
        if kind is None:
            plain.append(fold(word))
    if len(leftover) <= max_extra:
        # A spare word that is itself another answer makes a short list of guesses.
        return Outcome.WRONG if any(w in known.terms for w in plain) else None
    # Many spare words: a list of answers is guessing; a sentence just needs to be shorter.
    # (Only answers count here: capitalised names include titles such as "Secret Speech".)
    guesses = sum(w in known.terms for w in plain)
    return Outcome.WRONG if guesses >= 2 or 2 * guesses >= len(leftover) else Outcome.WORDY


def _grade_parts(
    question: Question, words: Sequence[str], known: Known, max_extra: int
) -> Verdict | None:
    """Grade a multi-part answer part by part; None if no part is there at all."""
    free = [w for w in words if w not in _CONNECTORS]
    matched: list[str] = []
    missing: list[str] = []
    near: list[str] = []
    edits = 0
    for part in question.parts:
        found = _best(part, free, question)
        if found is None or found[0].near:
            (near if found is not None and found[0].near == 1 else missing).append(part[0])
            continue
        best, variant = found
        matched.extend(variant)
        edits += best.edits
        free = list(best.leftover)
    if len(missing) + len(near) == len(question.parts):
        return None
    canonical = question.canonical
    problem = _leftover_problem(free, matched, known, max_extra)
    if problem is not None:
        return Verdict(problem, canonical)
    if missing or len(near) > 1:
        return Verdict(Outcome.PARTIAL, canonical, tuple(missing + near))
    if near:
        return Verdict(Outcome.ALMOST, canonical)
    return Verdict(Outcome.TYPO if edits else Outcome.CORRECT, canonical)


def points_made(question: Question, typed: str) -> tuple[bool, ...]:
    """Which mark-scheme points an answer mentions: any keyword, forgiving typos.

    Only a guide for the student's own marking: a keyword shows a point was touched,
    not that it was argued well.
    """
    words = tokens(typed)
    return tuple(
        any(
            (m := _match(tokens(keyword), words)) is not None and not m.near
            for keyword in point.keywords
        )
        for point in question.points
    )


def choice_index(
    question: Question, typed: str, *, order: Sequence[int] | None = None
) -> int | None:
    """Which option (index into `question.choices`) a typed reply picks.

    A reply may be a letter or number (of the options as shown, in `order`), true/false,
    the option's own text, or a distinctive part of it ("camp" for Camp David).
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
    options = [tokens(c) for c in choices]
    for accept in (
        lambda m: m is not None and m.rank == (0, 0, 0),  # the option, exactly
        lambda m: m is not None and not m.near and len(m.leftover) <= 1,  # with a typo
    ):
        hits = [i for i, option in enumerate(options) if accept(_match(option, words))]
        if len(hits) == 1:
            return hits[0]
    # Part of one option and of no other: "camp" picks Camp David.
    hits = [i for i, option in enumerate(options) if _match(words, option) is not None]
    return hits[0] if len(hits) == 1 else None

"""Grade a typed answer against a question: forgiving of typos, never of facts.

The API follows RapidFuzz: pure functions with keyword-only options and no I/O.
Words are compared one by one (quizbank.matching), because whole-string fuzzy ratios
accept "not khrushchev" or "stalinism" and treat 1956 and 1957 as 75% alike. The rules
here decide what a match means: which spare words are context and which are guesses,
and when a close spelling is really some other thing the banks know.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from quizbank.known import NOTHING_KNOWN, Known, known_terms
from quizbank.matching import allowance, best_match, key, number_kind, variants
from quizbank.model import Kind, Question
from quizbank.normalise import fold, tokens

__all__ = ["Known", "Outcome", "Verdict", "allowance", "grade", "known_terms"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NEGATIONS = frozenset({"not", "no", "never", "isnt", "wasnt", "didnt", "neither", "nor"})
_HEDGES = frozenset({"or", "either"})
# Words that join the parts of a multi-part answer ("Brezhnev and Kosygin").
_CONNECTORS = frozenset({"and", "plus", "with", "also", "both"})
# Spare words that say nothing about which answer was meant.
_STOPWORDS = _words(
    "in on at by of to from for with was is it he she they his her their this that which who "
    "and i think maybe probably yes so um er"
)
_MONTHS = _words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_TIME_UNITS = _words("second minute hour day week month year decade century")
# What separates guesses in a list: "Gagarin, Titov", "Kirov / Lenin", "X and Y".
_SEPARATORS = re.compile(r"[,;/&+\n]|\band\b|\bplus\b", re.IGNORECASE)


class Outcome(enum.StrEnum):
    """The grade of one answer, from best to worst."""

    CORRECT = "correct"
    TYPO = "typo"  # accepted, but the reply shows the right spelling
    ALMOST = "almost"  # one edit beyond the allowance: not accepted, one retry
    PARTIAL = "partial"  # some parts of a multi-part answer
    WORDY = "wordy"  # the answer is there among too many words: not graded, ask again
    EMPTY = "empty"  # no words at all ("?", an emoji): not an attempt, not graded
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


@dataclass(frozen=True, slots=True)
class _Accepted:
    """Precomputed forms of a question's answers."""

    whole: frozenset[str]  # keys of every way to write the whole answer
    own: frozenset[str]  # those plus each part alone: this question's own terms
    words: frozenset[str]  # folded words of all of those
    context: frozenset[str]  # folded words of the prompt and explanation too
    kinds: frozenset[str]  # kinds of number in the answer: year, ordinal, count
    numeric_only: bool  # the answer is just a number ("1956")
    units: frozenset[str]  # time units the question speaks of ("months")
    rejected: frozenset[str]  # keys of every way to write a reject entry


@lru_cache(maxsize=4096)
def _accepted(question: Question) -> _Accepted:
    whole = [v for a in question.answers for v in variants(a, question.short_year)]
    parts = [v for p in question.parts for a in p for v in variants(a, question.short_year)]
    words = frozenset(fold(w) for v in (*whole, *parts) for w in v)
    said = tokens(f"{question.prompt} {question.explanation}")
    return _Accepted(
        whole=frozenset(key(v) for v in whole),
        own=frozenset(key(v) for v in (*whole, *parts)),
        words=words,
        context=words | {fold(w) for w in said},
        rejected=frozenset(key(v) for r in question.reject for v in variants(r)),
        kinds=frozenset(k for w in words if (k := number_kind(w)) is not None),
        numeric_only=bool(whole) and all(number_kind(w) for v in whole for w in v),
        units=frozenset(
            u for w in (*(w for v in (*whole, *parts) for w in v), *said) if (u := _unit(w))
        ),
    )


def _unit(word: str) -> str | None:
    """The time unit an unfolded word names ("months" -> "month"), or None."""
    singular = word.removesuffix("s")
    return singular if singular in _TIME_UNITS else word if word in _TIME_UNITS else None


def grade(
    question: Question,
    typed: str,
    *,
    known: Known = NOTHING_KNOWN,
    max_extra_words: int = 2,
) -> Verdict:
    """Grade a typed answer to any kind of question.

    `known` is `known_terms()` of the loaded banks; `max_extra_words` is how many spare
    words (beyond the answer, and beyond words the question itself uses) a reply may carry.
    """
    canonical = question.canonical
    if question.kind is not Kind.TEXT:
        # Options are read by replies.choice_index; mark schemes by the student.
        raise ValueError(f"grade() marks typed answers, not {question.kind} questions")
    words = tokens(typed)
    if not words:
        return Verdict(Outcome.EMPTY, canonical)
    wrong = Verdict(Outcome.WRONG, canonical)
    accepted = _accepted(question)
    typed_key = key(words)
    if typed_key in accepted.whole:
        return Verdict(Outcome.CORRECT, canonical)
    if any(w in _HEDGES for w in words if fold(w) not in accepted.words):
        return wrong
    if _negates_answer(words, accepted):
        return wrong
    if typed_key in known and typed_key not in accepted.own:
        return wrong  # exactly some other thing the banks know: Bulgaria is not Bulganin
    if typed_key in accepted.rejected:
        return wrong
    words = _without_asides(words, accepted)
    exact_only = {
        w
        for w in words
        if fold(w) in known
        and fold(w) not in accepted.words
        and fold(w).removesuffix("s") not in accepted.words  # "soviets" is still "soviet"
    }
    if question.parts:
        verdict = _grade_parts(question, typed, words, known, max_extra_words, exact_only)
        if verdict is not None:
            return verdict
    found = best_match(question.answers, words, question, exact_only=exact_only)
    if found is None:
        return wrong
    best, _ = found
    problem = _spare_words(typed, words, best.leftover, accepted, known, max_extra_words)
    if problem is not None:
        return Verdict(problem, canonical)
    if question.reject:
        rejected = best_match(question.reject, words, question)
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


# After these, a known name is context, not a rival guess: "in Kazakhstan",
# "replacing Bulganin", "Presidium of the Central Committee".
_LINKS = _words("in of at by from on after before under replacing against during for")
_ASIDE_WORDS = 3  # how far a link or a contrast ("not Lenin") reaches


def _like_answer(word: str, accepted: _Accepted) -> bool:
    folded = fold(word)
    return any(
        OSA.distance(folded, w, score_cutoff=allowance(w)) <= allowance(w) for w in accepted.words
    )


def _without_asides(words: Sequence[str], accepted: _Accepted) -> list[str]:
    """The words that make the answer, without contrasts ("…, not Lenin"), hedges about
    confidence ("not sure") or context after a link word ("in Kazakhstan")."""
    kept: list[str] = []
    aside = 0
    for i, word in enumerate(words):
        if aside and not _like_answer(word, accepted):
            aside -= 1
            continue
        aside = 0
        if word in _NEGATIONS and fold(word) not in accepted.words:
            aside = 1 if i + 1 < len(words) and words[i + 1] == "sure" else _ASIDE_WORDS
            continue
        if word in _LINKS and kept:
            aside = _ASIDE_WORDS
        kept.append(word)
    return kept or list(words)


def _negates_answer(words: Sequence[str], accepted: _Accepted) -> bool:
    """ "not Khrushchev" denies the answer; "Kirov, not Lenin" only contrasts it."""
    return any(
        word in _NEGATIONS
        and fold(word) not in accepted.words
        and any(_like_answer(after, accepted) for after in words[i + 1 : i + 3])
        for i, word in enumerate(words)
    )


def _spare_words(
    typed: str,
    words: Sequence[str],
    leftover: Sequence[str],
    accepted: _Accepted,
    known: Known,
    max_extra: int,
    allowed_items: int = 0,
) -> Outcome | None:
    """What the typed words no answer word used make of a matching reply, if anything.

    `allowed_items` is how many separate list items naming other things are tolerated:
    none for a single answer ("Gagarin, Titov" is guessing).
    """
    dated = _dated_numbers(words)
    kinds = _number_kinds(words)
    spare = []
    matched = Counter(fold(w) for w in words) - Counter(fold(w) for w in leftover)
    for word in leftover:
        folded = fold(word)
        if folded in matched:
            continue  # the answer typed twice ("1956 1956")
        if word in kinds:
            # A second number of the answer's kind is a second guess ("1956 1957", "1956/57"),
            # unless it is part of a date ("25 February 1956"); another kind is context
            # ("1956, at the 20th Congress").
            if kinds[word] in accepted.kinds and word not in dated:
                return Outcome.WRONG
            continue
        unit = _unit(word)
        if "count" in accepted.kinds and unit and accepted.units and unit not in accepted.units:
            return Outcome.WRONG  # "6 weeks" is not six months
        if folded in accepted.context or folded in _STOPWORDS or folded in _MONTHS:
            continue  # repeats the answer, or words of the question itself
        spare.append(folded)
    if accepted.numeric_only:
        # For a year or a count, words cannot be a rival guess: "1958, replacing Bulganin".
        return Outcome.WORDY if len(spare) > max_extra + 3 else None
    if _other_items(typed, leftover, accepted, known) > allowed_items:
        return Outcome.WRONG
    if len(spare) <= max_extra:
        # A spare word that is itself another answer makes a short list of guesses.
        return Outcome.WRONG if any(w in known.terms for w in spare) else None
    # Many spare words: a list of answers is guessing; a sentence just needs to be shorter.
    # (Only answers count: capitalised names include titles such as "Secret Speech".)
    guesses = sum(w in known.terms for w in spare)
    return Outcome.WRONG if guesses >= 2 or 2 * guesses >= len(spare) else Outcome.WORDY


def _number_kinds(words: Sequence[str]) -> dict[str, str]:
    """The kind of each number typed; a short number just after a year is a year ("1953-55")."""
    kinds = {}
    for i, word in enumerate(words):
        kind = number_kind(word)
        if kind == "count" and len(word) <= 2:
            before = [w for w in words[max(0, i - 2) : i] if w not in ("to", "or")]
            if before and number_kind(before[-1]) == "year":
                kind = "year"
        if kind is not None:
            kinds[word] = kind
    return kinds


def _dated_numbers(words: Sequence[str]) -> set[str]:
    """Numbers within two words of a month: parts of a date, not second guesses."""
    return {
        w
        for i, w in enumerate(words)
        if number_kind(w) and any(m in _MONTHS for m in words[max(0, i - 2) : i + 3])
    }


def _other_items(typed: str, leftover: Sequence[str], accepted: _Accepted, known: Known) -> int:
    """How many separate items of a list ("Gagarin, Titov") name something else."""
    segments = [tokens(s) for s in _SEPARATORS.split(typed)]
    segments = [s for s in segments if s]
    if len(segments) < 2:
        return 0
    spare = {fold(w) for w in leftover}
    others = 0
    for segment in segments:
        folded = [fold(w) for w in segment]
        if folded[0] in _NEGATIONS:
            continue  # "…, not Lenin" contrasts; the negation rule has judged it
        if any(w not in spare for w in folded):
            continue  # this item holds (part of) the answer
        others += any(
            w not in accepted.words
            and number_kind(w) is None  # numbers have their own rule
            # A known name alone in a list is a guess even when the prompt mentions it.
            and (w in known or w not in accepted.context)
            and w not in _STOPWORDS
            and w not in _MONTHS
            for w in folded
        )
    return others


def _grade_parts(
    question: Question,
    typed: str,
    words: Sequence[str],
    known: Known,
    max_extra: int,
    exact_only: set[str],
) -> Verdict | None:
    """Grade a multi-part answer part by part; None if no part is there at all."""
    free = [w for w in words if w not in _CONNECTORS]
    missing: list[str] = []
    near: list[str] = []
    edits = 0
    for part in question.parts:
        found = best_match(part, free, question, exact_only=exact_only)
        if found is None or found[0].near:
            (near if found is not None and found[0].near == 1 else missing).append(part[0])
            continue
        edits += found[0].edits
        free = list(found[0].leftover)
    if len(missing) + len(near) == len(question.parts):
        return None
    canonical = question.canonical
    # A wrong name in a missing part's place is a partial answer, not a list of guesses;
    # one more item is an extra word ("…, Kaganovich and Shepilov").
    allowed = len(missing) + len(near) + 1
    problem = _spare_words(typed, words, free, _accepted(question), known, max_extra, allowed)
    if problem is not None:
        return Verdict(problem, canonical)
    if missing or len(near) > 1:
        return Verdict(Outcome.PARTIAL, canonical, tuple(missing + near))
    if near:
        return Verdict(Outcome.ALMOST, canonical)
    return Verdict(Outcome.TYPO if edits else Outcome.CORRECT, canonical)

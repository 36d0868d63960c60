"""What the loaded banks know about, to tell a different thing from a misspelling."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from quizbank.matching import key, variants
from quizbank.model import Question
from quizbank.normalise import fold, tokens

_SENTENCES = re.compile(r"(?<=[.!?:;])\s+|\n")
_WORD = re.compile(r"[^\W\d_][\w'’]*")


@dataclass(frozen=True)
class Known:
    """Folded keys of every answer, option and reject entry (`terms`), and of the
    capitalised names in prompts and explanations (`names`): Khrushchev is not
    khrushchyovki, Bulgaria is not Bulganin."""

    terms: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    _all: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_all", tuple(sorted(self.terms | self.names)))

    def __contains__(self, item: object) -> bool:
        return item in self.terms or item in self.names

    def nearest(self, phrase: str, *, below: int) -> str | None:
        """The known key closest to `phrase`, if its distance is under `below`."""
        if below <= 0 or not self._all:
            return None
        hit = process.extractOne(phrase, self._all, scorer=OSA.distance, score_cutoff=below - 1)
        return hit[0] if hit else None


NOTHING_KNOWN = Known()


def known_terms(questions: Iterable[Question]) -> Known:
    """Index the banks' answers, options, reject entries and names, for `grade(known=…)`."""
    return _known(tuple(questions))


# The tutor, challenges and questions of the day each index the same banks, at start-up
# and after every upload: one build (about 65 ms a bank) serves all three. Hashing the
# questions to find it again takes well under a millisecond.
@lru_cache(maxsize=2)
def _known(questions: tuple[Question, ...]) -> Known:
    terms: set[str] = set()
    names: set[str] = set()
    for question in questions:
        for phrase in (*question.answers, *question.reject, *question.choices):
            terms.update(key(v) for v in variants(phrase))
        for part in question.parts:
            terms.update(key(v) for alternative in part for v in variants(alternative))
        for text in (question.prompt, question.explanation):
            names.update(_names(text))
    return Known(frozenset(terms), frozenset(names))


def _names(text: str) -> set[str]:
    """Capitalised words that do not start a sentence: names of people, places, things."""
    found = set()
    for sentence in _SENTENCES.split(text):
        for word in _WORD.findall(sentence)[1:]:
            if word[0].isupper() and len(word) >= 4:
                found.update(fold(t) for t in tokens(word))
    return found

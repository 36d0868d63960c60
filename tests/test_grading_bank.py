"""The grader in its real setting: questions of the built-in bank, with every bank term known.

Cases here depend on the whole bank (other answers, names in explanations), which the
isolated cases in grading_cases.py cannot see.
"""

from __future__ import annotations

import pytest

from quizbank.grading import grade, known_terms
from quizbank.loader import builtin_paths, load_library

LIBRARY, _ = load_library(builtin_paths())
KNOWN = known_terms(LIBRARY.questions)

CASES = [
    # possessives and names from the question's own explanation
    ("kirov-death", "Kirov's", "correct"),
    ("kirov-death", "Kirov's death", "correct"),
    ("gagarin", "Gagarin's", "correct"),
    ("zhukov-1957", "Marshal Zhukov's", "correct"),
    # a known name is not a misspelling of another word
    ("khrushchyovki", "Khrushchev", "wrong"),
    ("khrushchyovki", "khrushchev himself", "wrong"),
    ("khrushchyovki", "khrushchev housing", "wrong"),
    ("supreme-soviet", "supreme soviets", "typo"),
    # second guesses hidden in numbers
    ("first-secretary-year", "1953-55", "wrong"),
    ("first-secretary-year", "1953/55", "wrong"),
    ("secret-speech-year", "1956/7", "wrong"),
    ("secret-speech-year", "1956 to 57", "wrong"),
    ("virgin-lands-year", "1954 to 1960", "wrong"),
    ("berlin-ultimatum-months", "6 weeks", "wrong"),
    ("berlin-ultimatum-months", "6 years", "wrong"),
    ("berlin-ultimatum-months", "six days", "wrong"),
    ("berlin-ultimatum-months", "6 to 12 months", "wrong"),
    ("sputnik-name", "sputnik 2", "wrong"),
    ("sputnik-name", "Sputnik II", "wrong"),
    # numbers that are context, or the answer twice
    ("secret-speech-year", "25 February 1956", "correct"),
    ("secret-speech-year", "1956 1956", "correct"),
    ("cuban-missile-crisis-year", "1962, 1962", "correct"),
    ("cuban-missile-crisis-year", "13 days in october 1962", "correct"),
    ("first-secretary-year", "nineteen fifty three", "correct"),
    ("term-limits-year", "1961 22nd congress", "correct"),
    ("kgb-initials", "kgb (1954)", "correct"),
    # words beside a year or count cannot be a rival guess
    ("khrushchev-premier-year", "1958 replacing bulganin", "correct"),
    ("virgin-lands-year", "1954 in kazakhstan", "correct"),
    ("sovnarkhozy-year", "1957 sovnarkhozy", "correct"),
    ("harvest-disaster-year", "1963, drought", "correct"),
    # lists of guesses
    ("zhukov-1957", "Zhukov, Molotov, Kaganovich", "wrong"),
    ("gagarin", "gagarin, titov", "wrong"),
    ("kirov-death", "Kirov, Lenin", "wrong"),
    # contrasts and context are not guesses
    ("kirov-death", "kirov not lenin", "correct"),
    ("kirov-death", "Kirov, not Lenin", "correct"),
    ("kgb-initials", "kgb not nkvd", "correct"),
    ("first-secretary-year", "1953 not 1955", "correct"),
    ("central-committee-appeal", "central committee not presidium", "correct"),
    ("gagarin", "not tereshkova but gagarin", "correct"),
    ("gagarin", "not gagarin", "wrong"),
    ("kirov-death", "wasn't it kirov", "wrong"),
    ("presidium-name", "presidium of the central committee", "correct"),
    ("presidium-name", "presidium of the supreme soviet", "wrong"),
    ("doctor-zhivago", "Dr Zhivago by Pasternak", "correct"),
    # other spellings
    ("kgb-initials", "K.G.B.", "correct"),
    ("kgb-initials", "k g b", "correct"),
    ("kgb-initials", "KGВ", "correct"),  # a Cyrillic В typed in a Latin word
    ("anti-party-group", "antiparty group", "correct"),
    ("komsomol", "young communist league", "correct"),
    # a long sentence is asked to be shorter, not marked
    ("kirov-death", "I am pretty sure it must have been Kirov all along", "wordy"),
]


@pytest.mark.parametrize(("qid", "typed", "expected"), CASES)
def test_bank_question(qid: str, typed: str, expected: str) -> None:
    question = LIBRARY.question(f"khrushchev:{qid}")
    assert question is not None, qid
    assert grade(question, typed, known=KNOWN).outcome.value == expected

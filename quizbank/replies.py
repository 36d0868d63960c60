"""Read replies that are not graded word by word: picked options and mark-scheme answers."""

from __future__ import annotations

from collections.abc import Sequence

from quizbank.matching import match
from quizbank.model import OPTION_LETTERS, Kind, Question
from quizbank.normalise import normalise, tokens

_LETTERS = OPTION_LETTERS.lower()
_TRUE = frozenset({"true", "t", "yes", "y"})
_FALSE = frozenset({"false", "f", "no", "n"})


def points_made(question: Question, typed: str) -> tuple[bool, ...]:
    """Which mark-scheme points an answer mentions: any keyword, forgiving typos.

    Only a guide for the student's own marking: a keyword shows a point was touched,
    not that it was argued well.
    """
    words = tokens(typed)
    return tuple(
        any(
            (m := match(tokens(keyword), words)) is not None and not m.near
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
    words = tokens(typed)
    options = [tokens(c) for c in choices]
    # An option's own text comes first: with options 2, 3, 4, 5, typing "3" means 3.
    exact = [i for i, option in enumerate(options) if option == words]
    if len(exact) == 1:
        return exact[0]
    if len(text) == 1 and text in _LETTERS[: len(choices)]:
        return shown[_LETTERS.index(text)]
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return shown[int(text) - 1]
    for accept in (
        lambda m: m is not None and m.rank == (0, 0, 0),  # the option, exactly
        lambda m: m is not None and not m.near and len(m.leftover) <= 1,  # with a typo
    ):
        hits = [i for i, option in enumerate(options) if accept(match(option, words))]
        if len(hits) == 1:
            return hits[0]
    # Part of one option and of no other: "camp" picks Camp David.
    hits = [i for i, option in enumerate(options) if match(words, option) is not None]
    return hits[0] if len(hits) == 1 else None

"""Parse what a student asks for ("/quiz 5 space") into a request, without any telegram types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.tutor.rounds import DEFAULT_ROUND, MAX_ROUND, MIN_ROUND
from quizbank.model import Library

_EVERY_TOPIC = frozenset({"all", "any", "every", "everything", "mixed", "random"})


@dataclass(frozen=True, slots=True)
class RoundRequest:
    """A valid request for a round."""

    size: int = DEFAULT_ROUND
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class BadCount:
    """A round size outside MIN_ROUND..MAX_ROUND (or absurdly long)."""

    size: int


@dataclass(frozen=True, slots=True)
class UnknownTopic:
    """Words that name no topic."""

    text: str


def parse_round_request(
    args: Sequence[str], library: Library
) -> RoundRequest | BadCount | UnknownTopic:
    """Read `[count] [topic words…]`, e.g. [], ["5"], ["space"], ["5", "foreign", "policy"]."""
    args = list(args)
    size = DEFAULT_ROUND
    if args and args[0].lstrip("+-").isdigit():
        digits = args.pop(0)
        # Guard int() against a thousand-digit "count" before range-checking it.
        size = int(digits) if len(digits) <= 6 else MAX_ROUND + 1
        if not MIN_ROUND <= size <= MAX_ROUND:
            return BadCount(size)
    if not args or (len(args) == 1 and args[0].casefold() in _EVERY_TOPIC):
        return RoundRequest(size)
    wanted = " ".join(args)
    topic = library.find_topic(wanted)
    return RoundRequest(size, topic.id) if topic else UnknownTopic(wanted)

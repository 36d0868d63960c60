"""Parse "/challenge 5 space 20s poll" into a request, without any telegram types."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.challenge.game import DEFAULT_QUESTIONS, DEFAULT_SECONDS, MAX_SECONDS, MIN_SECONDS, Mode
from bot.tutor.requests import BadCount, RoundRequest, UnknownTopic, parse_round_request
from quizbank.model import Library

_SECONDS = re.compile(r"(\d{1,6})\s*(s|sec|secs|second|seconds)", re.IGNORECASE)
_POLL = frozenset({"poll", "polls"})


@dataclass(frozen=True, slots=True)
class ChallengeRequest:
    """A valid request for a challenge."""

    size: int = DEFAULT_QUESTIONS
    topic: str | None = None
    seconds: int = DEFAULT_SECONDS
    mode: Mode = Mode.TEXT


@dataclass(frozen=True, slots=True)
class BadSeconds:
    """Seconds per question outside MIN_SECONDS..MAX_SECONDS."""

    seconds: int


def parse_challenge_request(
    args: Sequence[str], library: Library
) -> ChallengeRequest | BadCount | UnknownTopic | BadSeconds:
    """Read `[count] [topic…] [seconds]s [poll]` in any order; a second number is seconds."""
    words = list(args)
    mode = Mode.POLL if any(w.casefold() in _POLL for w in words) else Mode.TEXT
    words = [w for w in words if w.casefold() not in _POLL]
    seconds = DEFAULT_SECONDS
    timed = [w for w in words if _SECONDS.fullmatch(w)]
    numbers = [w for w in words if w.isdigit()]
    if timed:
        seconds = _number(_SECONDS.fullmatch(timed[0]).group(1))  # type: ignore[union-attr]
        words.remove(timed[0])
    elif len(numbers) >= 2:
        seconds = _number(numbers[1])
        words.remove(numbers[1])
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        return BadSeconds(seconds)
    # The count may come anywhere ("/challenge space 5"); the round parser wants it first.
    count = next((w for w in words if w.isdigit()), None)
    if count is not None:
        words.remove(count)
        words.insert(0, count)
    request = parse_round_request(words, library)
    if not isinstance(request, RoundRequest):
        return request
    size = request.size if count is not None else DEFAULT_QUESTIONS
    return ChallengeRequest(size, request.topic, seconds, mode)


def _number(digits: str) -> int:
    # A thousand-digit number is simply out of range.
    return int(digits) if len(digits) <= 6 else MAX_SECONDS + 1

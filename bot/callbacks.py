"""Inline-button callback data: packed and unpacked in this one place.

Callback data comes back from the client as untrusted bytes (a modified client can send
anything), so `unpack` accepts only the exact shapes `pack_*` produce, and stays under
Telegram's 64-byte limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from quizbank.model import TOPIC_ID_PATTERN

MAX_BYTES = 64
_CHOOSE = re.compile(r"^a:([a-z0-9]{6}):(\d{1,3}):(\d)$")
_TOPIC = re.compile(rf"^t:({TOPIC_ID_PATTERN})$")


@dataclass(frozen=True, slots=True)
class StartQuiz:
    """Start a round, optionally on one topic."""

    topic: str | None = None


@dataclass(frozen=True, slots=True)
class ShowTopics:
    """List the topics."""


@dataclass(frozen=True, slots=True)
class Choose:
    """Pick option `index` for question `position` of round `token`."""

    token: str
    position: int
    index: int


Action = StartQuiz | ShowTopics | Choose


def pack(action: Action) -> str:
    """The callback data string for an action."""
    match action:
        case Choose(token, position, index):
            data = f"a:{token}:{position}:{index}"
        case StartQuiz(None):
            data = "q"
        case StartQuiz(topic):
            data = f"t:{topic}"
        case ShowTopics():
            data = "topics"
    assert len(data.encode()) <= MAX_BYTES, data
    return data


def unpack(data: str | None) -> Action | None:
    """The action behind callback data, or None for anything we never issued."""
    if not data or len(data) > MAX_BYTES:
        return None
    if data == "q":
        return StartQuiz()
    if data == "topics":
        return ShowTopics()
    if match := _TOPIC.match(data):
        return StartQuiz(match.group(1))
    if match := _CHOOSE.match(data):
        return Choose(match.group(1), int(match.group(2)), int(match.group(3)))
    return None

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
_SELF_MARK = re.compile(r"^m:([a-z0-9]{6}):(\d{1,3}):([012])$")
_DISPUTE = re.compile(r"^d:(\d{1,18})$")
_DECIDE = re.compile(r"^x:(\d{1,18}):([ar])$")
_CLASS_CSV = re.compile(r"^r:csv:(\d{1,18})$")
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


@dataclass(frozen=True, slots=True)
class Dispute:
    """ "I was right" about logged answer `answer_id`."""

    answer_id: int


@dataclass(frozen=True, slots=True)
class SelfMark:
    """The student's own mark (0 none, 1 some, 2 all) for question `position` of round `token`."""

    token: str
    position: int
    level: int


@dataclass(frozen=True, slots=True)
class ReportCsv:
    """Send the tapper the per-student CSV: of the group the message is in (no class), or
    of their class `class_id` (in a private chat)."""

    class_id: int | None = None


@dataclass(frozen=True, slots=True)
class Decide:
    """A teacher accepts (or rejects) dispute `dispute_id`, and every claim of that answer."""

    dispute_id: int
    accept: bool


Action = StartQuiz | ShowTopics | Choose | Dispute | SelfMark | ReportCsv | Decide


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
        case Dispute(answer_id):
            data = f"d:{answer_id}"
        case SelfMark(token, position, level):
            data = f"m:{token}:{position}:{level}"
        case ReportCsv(None):
            data = "r:csv"
        case ReportCsv(class_id):
            data = f"r:csv:{class_id}"
        case Decide(dispute_id, accept):
            data = f"x:{dispute_id}:{'a' if accept else 'r'}"
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
    if data == "r:csv":
        return ReportCsv()
    if match := _TOPIC.match(data):
        return StartQuiz(match.group(1))
    if match := _SELF_MARK.match(data):
        return SelfMark(match.group(1), int(match.group(2)), int(match.group(3)))
    if match := _DISPUTE.match(data):
        return Dispute(int(match.group(1)))
    if match := _DECIDE.match(data):
        return Decide(int(match.group(1)), match.group(2) == "a")
    if match := _CLASS_CSV.match(data):
        return ReportCsv(int(match.group(1)))
    if match := _CHOOSE.match(data):
        return Choose(match.group(1), int(match.group(2)), int(match.group(3)))
    return None


def is_decision(data: object) -> bool:
    """Whether callback data decides a dispute (routes it to the disputes handler)."""
    return isinstance(data, str) and isinstance(unpack(data), Decide)


def is_report_csv(data: object) -> bool:
    """Whether callback data asks for a report's CSV (routes it to the report handler)."""
    return isinstance(data, str) and isinstance(unpack(data), ReportCsv)


# Deep links (t.me/<bot>?start=<payload>) carry a /quiz request from a group into a private
# chat. Telegram allows [A-Za-z0-9_-], at most 64 characters, and the payload is as
# untrusted as callback data.
_START = re.compile(rf"^quiz(?:_(\d{{1,2}}))?(?:_({TOPIC_ID_PATTERN}))?$")


def pack_start(size: int | None, topic: str | None) -> str:
    """The deep-link payload that starts a round of `size` on `topic` (defaults if None)."""
    payload = "quiz" + (f"_{size}" if size is not None else "") + (f"_{topic}" if topic else "")
    assert _START.match(payload) and len(payload) <= MAX_BYTES, payload
    return payload


def unpack_start(payload: str) -> list[str] | None:
    """The /quiz words (count, topic) a payload `pack_start` made carries, or None."""
    match = _START.match(payload) if len(payload) <= MAX_BYTES else None
    return None if match is None else [part for part in match.groups() if part]

"""A class, its members, and a question pushed to all of them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

JOIN_PREFIX = "join_"
# Telegram deep-link payloads allow A-Z, a-z, 0-9, _ and -, up to 64 characters.
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{12,40}")
MAX_NAME = 60


@dataclass(frozen=True, slots=True)
class SchoolClass:
    """A teacher's class (named SchoolClass: `class` is taken)."""

    id: int
    teacher_id: int
    name: str
    code: str
    members: int = 0

    @property
    def payload(self) -> str:
        """The deep-link payload that joins this class."""
        return JOIN_PREFIX + self.code


def join_code(payload: str) -> str | None:
    """The class code in a /start payload, if it is a join link."""
    if not payload.startswith(JOIN_PREFIX):
        return None
    code = payload[len(JOIN_PREFIX) :]
    return code if CODE_PATTERN.fullmatch(code) else None


class Delivery(enum.StrEnum):
    """What became of one student's copy of a pushed question."""

    PENDING = "pending"
    SENDING = "sending"  # claimed just before its message went out: it may have arrived
    SENT = "sent"
    BLOCKED = "blocked"  # they blocked the bot: skipped from now on
    FAILED = "failed"  # Telegram kept failing; given up after retries


@dataclass(frozen=True, slots=True)
class Push:
    """A question sent to a class now, and the students still waiting for it."""

    id: int
    school_class: SchoolClass
    question: str  # bank-qualified key
    pending: tuple[int, ...]
    # Of `pending`, those a restart interrupted mid-send: the message may have arrived.
    uncertain: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class PushReport:
    """How a push went."""

    push: Push
    sent: int
    blocked: int
    failed: int

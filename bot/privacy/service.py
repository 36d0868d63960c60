"""/mydata and /forgetme: a person's data, exported or deleted after they confirm.

No Telegram here: bot/handlers/privacy.py sends the messages and the file.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.privacy.model import Export, Footprint, ForgetRequest, Forgotten, Stale

CONFIRM_FOR = timedelta(minutes=10)  # long enough to read the warning, short enough to forget
_NONCE_ALPHABET = string.ascii_lowercase + string.digits
_NONCE_LENGTH = 8

# What each section of the export holds, written into the file for the person reading it.
_ABOUT = {
    "profile": "your Telegram id and first name, your time zone, totals and streaks",
    "answers": (
        "every answer you gave, as typed, with the question, how it was marked, and its"
        " review card as it was before (card_before)"
    ),
    "topic_stats": "your counts per topic, for mastery and /weak",
    "review_cards": "when each question comes back for review (spaced repetition)",
    "current_round": "the round you are playing, if any",
    "disputes": "answers you said were right (🙋 I was right)",
    "disputes_you_decided": "as a teacher: disputes you accepted or rejected",
    "answers_you_accepted": "as a teacher: answers you accepted into your banks",
    "challenge_answers": "your own scores in group challenges (no one else's)",
    "challenges_started": "group challenges you started",
    "daily_question_answers": "your replies to groups' questions of the day",
    "classes_joined": "classes you joined, by name",
    "questions_pushed_to_you": "questions teachers sent you, and whether they arrived",
    "classes_taught": "classes you run as a teacher, with how many students",
    "pushes_sent": "questions you sent to your classes",
    "daily_schedules_set": "questions of the day you scheduled",
    "uploaded_banks": "question banks you uploaded (the file's name and size)",
}


class PrivacyStore(Protocol):
    """Where a person's data is counted, read and deleted; each method one transaction."""

    async def footprint(self, user_id: int) -> Footprint:
        """How much is stored about the person."""
        ...

    async def forget(self, user_id: int) -> Footprint:
        """Delete everything about the person; what there was."""
        ...

    async def export(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row about the person, by section."""
        ...


class Remembers(Protocol):
    """A service holding something about people in memory (a round, a running game)."""

    def forget_user(self, user_id: int) -> None:
        """Drop what it holds about this person."""
        ...


class Privacy:
    """Shows people their data and deletes it when they confirm."""

    def __init__(
        self,
        *,
        store: PrivacyStore,
        rng: random.Random,
        caches: Sequence[Remembers] = (),
        on_banks_removed: Callable[[frozenset[str]], None] | None = None,
    ) -> None:
        self._store = store
        self._rng = rng
        self._caches = tuple(caches)
        self._on_banks_removed = on_banks_removed
        # Requests awaiting their button, by user. Deliberately in memory only: a restart
        # simply expires them, and the person sends /forgetme again.
        self._pending: dict[int, ForgetRequest] = {}

    async def ask(self, user_id: int, *, at: datetime) -> ForgetRequest:
        """What /forgetme would delete, with a fresh code for its confirm button."""
        footprint = await self._store.footprint(user_id)
        nonce = "" if footprint.empty else self._new_nonce()
        request = ForgetRequest(footprint, nonce, at + CONFIRM_FOR)
        self._drop_expired(at)
        if nonce:
            self._pending[user_id] = request  # replaces any earlier request's button
        return request

    def cancel(self, user_id: int, nonce: str) -> None:
        """The cancel button: that request will never delete anything."""
        if self._matches(user_id, nonce):
            del self._pending[user_id]

    async def confirm(
        self, user_id: int, nonce: str, *, at: datetime
    ) -> Forgotten | Stale | ForgetRequest:
        """The confirm button, pressed by `user_id`: delete their data if it is their
        current request and still in time. Anyone else's press, or a late one, is Stale.

        A teacher who made or uploaded something since the warning gets a new one instead
        (a ForgetRequest): they were never told that it would go.
        """
        self._drop_expired(at)
        if not self._matches(user_id, nonce):
            return Stale()
        # One press only: a second one finds nothing to confirm.
        warned = self._pending.pop(user_id).footprint
        if _owned(await self._store.footprint(user_id)) != _owned(warned):
            return await self.ask(user_id, at=at)
        footprint = await self._store.forget(user_id)
        for cache in self._caches:
            cache.forget_user(user_id)
        if footprint.banks and self._on_banks_removed is not None:
            self._on_banks_removed(frozenset(bank for bank, _ in footprint.banks))
        return Forgotten(footprint)

    async def export(self, user_id: int, *, at: datetime) -> Export | None:
        """Everything stored about the person as a readable JSON file; None if nothing is."""
        footprint = await self._store.footprint(user_id)
        if footprint.empty:
            return None
        sections = await self._store.export(user_id)
        document = {
            "about": (
                "Everything quizbot stores about you, as of "
                f"{at.astimezone(UTC).isoformat(timespec='seconds')}. Times are UTC. "
                "Send /forgetme to delete it all."
            ),
            "sections": {name: _ABOUT.get(name, "") for name in sections},
            **sections,
        }
        data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
        filename = f"quizbot-my-data-{at.astimezone(UTC):%Y-%m-%d}.json"
        return Export(data, filename, footprint)

    def _matches(self, user_id: int, nonce: str) -> bool:
        pending = self._pending.get(user_id)
        return pending is not None and bool(nonce) and pending.nonce == nonce

    def _drop_expired(self, at: datetime) -> None:
        self._pending = {u: r for u, r in self._pending.items() if at < r.expires}

    def _new_nonce(self) -> str:
        return "".join(self._rng.choice(_NONCE_ALPHABET) for _ in range(_NONCE_LENGTH))


def _owned(footprint: Footprint) -> tuple[frozenset[str], frozenset[str]]:
    """The classes and banks a teacher's warning names."""
    classes = frozenset(c.name for c in footprint.classes)
    return classes, frozenset(bank for bank, _ in footprint.banks)

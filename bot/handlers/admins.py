"""Who may configure the bot in a group: its admins, checked with Telegram and cached."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import ChatMember, Update
from telegram.error import TelegramError

from bot.handlers.common import Context

log = logging.getLogger(__name__)
CACHE_FOR = timedelta(minutes=5)  # a promotion or demotion shows within five minutes
_ADMINS = (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


class AdminCache:
    """Recent answers to "is this user an admin of this group?"."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, int], tuple[bool, datetime]] = {}

    def get(self, chat_id: int, user_id: int, *, now: datetime) -> bool | None:
        """A fresh cached answer, or None."""
        hit = self._seen.get((chat_id, user_id))
        return hit[0] if hit and now - hit[1] < CACHE_FOR else None

    def put(self, chat_id: int, user_id: int, is_admin: bool, *, now: datetime) -> None:
        """Remember an answer (and forget stale ones)."""
        if len(self._seen) > 10_000:
            self._seen = {k: v for k, v in self._seen.items() if now - v[1] < CACHE_FOR}
        self._seen[(chat_id, user_id)] = (is_admin, now)


async def is_group_admin(update: Update, context: Context) -> bool:
    """Whether the sender administers this group (bot owners in QUIZBOT_ADMINS always do)."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    services = context.bot_data
    if user.id in services.settings.admins:
        return True
    if message is not None and message.sender_chat is not None:
        # An admin posting anonymously "as the group": only admins can.
        return message.sender_chat.id == chat.id
    now = services.clock.now()
    cached = services.admins.get(chat.id, user.id, now=now)
    if cached is not None:
        return cached
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("could not check admin status in %s: %s", chat.id, exc)
        return False
    answer = member.status in _ADMINS
    services.admins.put(chat.id, user.id, answer, now=now)
    return answer

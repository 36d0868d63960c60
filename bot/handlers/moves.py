"""What happens to everything a group owns when the group changes under the bot.

Upgraded to a supergroup, it gets a new chat id: Telegram may say so with a service
message, or only when a send fails with ChatMigrated; either way `move_group` moves the
game, the daily schedule and the report history. Removed, or gone: `leave_group` stops
its game and schedule, whichever send or update found out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram import Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

if TYPE_CHECKING:
    from bot.services import AppServices

log = logging.getLogger(__name__)
Mover = Callable[[int, int], Awaitable[None]]


async def move_group(services: AppServices, old: int, new: int) -> None:
    """Move a group's challenge (posting an open question again), schedule and history."""
    await services.host.move(old, new)
    await services.dailies.move(old, new)
    await services.reports.move(old, new)


async def leave_group(services: AppServices, chat_id: int) -> None:
    """The bot was removed, or the group is gone: stop its game and schedule, quietly."""
    await services.host.drop(chat_id)
    await services.daily_host.off(chat_id)


async def post_to_group(
    chat_id: int,
    send: Callable[[int], Awaitable[Message]],
    *,
    on_moved: Mover,
    on_gone: Callable[[int], Awaitable[None]],
) -> Message | None:
    """Send to a group, following it if it became a supergroup; None if it couldn't be sent
    (a group the bot can no longer post in is let go with `on_gone`)."""
    try:
        return await send(chat_id)
    except ChatMigrated as moved:
        await on_moved(chat_id, moved.new_chat_id)
        try:
            return await send(moved.new_chat_id)
        except TelegramError as exc:
            log.warning("could not post to %s: %s", moved.new_chat_id, exc)
            return None
    except Forbidden:
        await on_gone(chat_id)
        return None
    except BadRequest as exc:
        if "chat not found" in str(exc).lower():
            await on_gone(chat_id)
        else:
            log.error("Telegram refused a message for %s: %s", chat_id, exc)
        return None
    except TelegramError as exc:
        log.warning("could not post to %s: %s", chat_id, exc)
        return None

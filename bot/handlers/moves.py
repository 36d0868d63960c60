"""A group upgraded to a supergroup gets a new chat id: everything it owns follows it.

Telegram may tell us with a service message, or only when a send fails with ChatMigrated;
either way the same function moves the game, the daily schedule and the report history.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import AppServices

Mover = Callable[[int, int], Awaitable[None]]


async def move_group(services: AppServices, old: int, new: int) -> None:
    """Move a group's challenge (posting an open question again), schedule and history."""
    await services.host.move(old, new)
    await services.dailies.move(old, new)
    await services.reports.move(old, new)

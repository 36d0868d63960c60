"""Telegram's rate limits, with acknowledgements kept out of a group's message budget."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

# Not messages: a reaction to an answer, or asking who is an admin. Counted against the
# group's 20 messages a minute, a burst of answers' reactions would hold back the next
# question for minutes. They are best effort instead: sent at once, never retried.
UNCOUNTED = frozenset({"setMessageReaction", "getChatMember", "getChatAdministrators"})

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


class QuizRateLimiter(AIORateLimiter):
    """AIORateLimiter for messages; reactions and admin lookups skip its queues."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        """Send uncounted requests straight away; everything else as AIORateLimiter does."""
        if endpoint in UNCOUNTED:
            return await callback(*args, **kwargs)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

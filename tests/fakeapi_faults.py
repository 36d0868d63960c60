"""Faults the fake Bot API can inject, the way Telegram and the network misbehave.

A test plans faults for the next calls of a method (to one chat, or to any):

    api.faults.slow("sendMessage", 0.3)             # answers, but late
    api.faults.late("sendPoll", 2.0)                # carried out, answered after the client gave up
    api.faults.hang("sendMessage")                  # never carried out, never answered
    api.faults.reset("sendMessage", applied=True)   # carried out, then the connection drops
    api.faults.refuse("answerCallbackQuery", 400, TOO_OLD)

Each plan is used once, in order. `api.faults.hit` lists what was injected, and whether
Telegram had carried the call out: from the bot's side a late answer and a dropped
connection look the same whether or not it had.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

Answer = tuple[int, dict[str, Any]]

BLOCKED = "Forbidden: bot was blocked by the user"
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_FOUND = "Bad Request: message to edit not found"
SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 504: "Gateway Timeout"}


@dataclass(frozen=True)
class Fault:
    """One planned misbehaviour for one call."""

    kind: str  # slow, late, hang, reset, refuse
    seconds: float = 0.0
    applied: bool = True  # for a reset: whether the call was carried out before the drop
    status: int = 0
    description: str = ""


@dataclass(frozen=True)
class Hit:
    """A fault that was injected: into which call, and whether the call took effect."""

    method: str
    chat_id: int | None
    kind: str
    applied: bool


class Faults:
    """The faults planned for a FakeBotAPI, and the ones it has injected."""

    def __init__(self) -> None:
        self._planned: dict[tuple[str, int | None], list[Fault]] = {}
        self.hit: list[Hit] = []
        self.finished: list[Hit] = []  # injected, and done with (a late call carried out)

    def plan(
        self, method: str, fault: Fault, *, chat_id: int | None = None, times: int = 1
    ) -> None:
        """Inject `fault` into the next `times` calls of `method` (to `chat_id`, or any)."""
        self._planned.setdefault((method, chat_id), []).extend([fault] * times)

    def slow(self, method: str, seconds: float, **where: Any) -> None:
        """Carry the call out and answer it, after `seconds`."""
        self.plan(method, Fault("slow", seconds=seconds), **where)

    def late(self, method: str, seconds: float, **where: Any) -> None:
        """Wait `seconds` (longer than the client's timeout), then carry the call out."""
        self.plan(method, Fault("late", seconds=seconds), **where)

    def hang(self, method: str, **where: Any) -> None:
        """Never carry the call out and never answer: the client times out."""
        self.plan(method, Fault("hang", applied=False), **where)

    def reset(self, method: str, *, applied: bool, **where: Any) -> None:
        """Drop the connection without an answer, after carrying the call out or not."""
        self.plan(method, Fault("reset", applied=applied), **where)

    def refuse(self, method: str, status: int, description: str, **where: Any) -> None:
        """Answer with an error, as Telegram does, without carrying the call out."""
        fault = Fault("refuse", applied=False, status=status, description=description)
        self.plan(method, fault, **where)

    def server_error(self, method: str, status: int = 500, **where: Any) -> None:
        """A 5xx from Telegram: nothing was done."""
        self.refuse(method, status, SERVER_ERRORS.get(status, "Internal Server Error"), **where)

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        """The fault planned for this call, if any (used up)."""
        for key in ((method, chat_id), (method, None)):
            queue = self._planned.get(key)
            if queue:
                return queue.pop(0)
        return None

    async def inject(
        self,
        fault: Fault,
        method: str,
        chat_id: int | None,
        answer: Callable[[], Awaitable[Answer]],
    ) -> Answer:
        """Run `answer` (the fake's normal handling of the call) as `fault` says."""
        hit = Hit(method, chat_id, fault.kind, fault.applied)
        self.hit.append(hit)
        try:
            if fault.kind == "refuse":
                payload = {
                    "ok": False,
                    "error_code": fault.status,
                    "description": fault.description,
                }
                return fault.status, payload
            if fault.kind == "hang":
                # Until the client gives up and the server closes the connection at stop().
                await asyncio.Event().wait()
            if fault.kind in ("slow", "late"):
                await asyncio.sleep(fault.seconds)
                return await answer()  # a late answer finds the client gone: its write fails
            if fault.applied:
                await answer()
            # The server closes the connection with no response, as a reset does.
            raise ConnectionResetError(f"fault: {method} reset")
        finally:
            self.finished.append(hit)

"""Sending generated updates: their `Ref`s filled in from what the bot has sent so far."""

from __future__ import annotations

import html
import itertools
import json
import random
import re
import time
from typing import Any

from telegram import Update

from quizbank.model import Question
from tests.fakeapi import FakeBotAPI
from tests.fuzz import ANSWERS, LIBRARY, Ref
from tests.support import right_answer

_PROMPTS = {html.escape(q.prompt): q for q in LIBRARY.questions}
_START_LINK = re.compile(r"\?start=([A-Za-z0-9_-]+)")


class Resolver:
    """Fills in each update's `Ref`s from what the bot has sent so far, then dates it."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api
        self._seen = 0
        self._issued: list[str] = []
        self._links: list[str] = []  # ?start= payloads the bot has handed out
        self._asked: dict[int, Question] = {}  # the last question shown in each chat
        self._bot_messages: dict[int, list[int]] = {}
        self._ids = itertools.count(1)

    def _catch_up(self) -> None:
        for call in self.api.calls[self._seen :]:
            markup = call.params.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []) if isinstance(markup, dict) else []:
                self._issued += [b["callback_data"] for b in row if "callback_data" in b]
            text = str(call.params.get("text", ""))
            self._links += _START_LINK.findall(text)
            header = max(text.rfind("<b>Question "), text.rfind("<b>❓ Question "))
            if call.method == "sendMessage" and header >= 0:
                # The prompt is the line after the question's header (bot/render*.py).
                prompt = text[header:].split("\n")[1:2]
                asked = _PROMPTS.get(prompt[0]) if prompt else None
                if asked is not None:
                    self._asked[int(call.params["chat_id"])] = asked
            if isinstance(call.result, dict) and "message_id" in call.result:
                chat_id = call.result["chat"]["id"]
                self._bot_messages.setdefault(chat_id, []).append(call.result["message_id"])
        self._seen = len(self.api.calls)

    def resolve(self, update: dict[str, Any]) -> dict[str, Any]:
        """The update as the bot will get it; AssertionError if PTB could not even read it."""
        self._catch_up()
        filled = self._fill(update, int(time.time()), chat_id=None)
        # Hostile content, but a shape Telegram sends: one update PTB can't parse stalls the
        # whole getUpdates batch, which would test PTB's parser rather than quizbot.
        try:
            Update.de_json(json.loads(json.dumps({"update_id": 1, **filled})), None)
        except (TypeError, ValueError, KeyError) as exc:
            raise AssertionError(f"the fuzzer made an update Telegram never sends: {exc}") from exc
        return filled

    def _fill(self, value: Any, now: int, chat_id: int | None) -> Any:
        if isinstance(value, dict):
            here = value.get("chat", {}).get("id", chat_id) if "chat" in value else chat_id
            out = {k: self._fill(v, now, here) for k, v in value.items()}
            if "chat" in value:  # a message, or a chat member update
                out["date"] = now
                if "message_id" not in value and "old_chat_member" not in value:
                    out["message_id"] = next(self._ids)
            if "edit_date" in value:
                out["edit_date"] = now
            if "chat_instance" in value:  # a callback query
                out["id"] = str(next(self._ids))
            if "file_unique_id" in value and isinstance(value.get("file_id"), bytes):
                file_id = f"fuzz{next(self._ids)}"
                self.api.files[file_id] = value["file_id"]
                out["file_id"] = file_id
            return out
        if isinstance(value, list):
            return [self._fill(v, now, chat_id) for v in value]
        if isinstance(value, Ref):
            return self._ref(value, chat_id)
        return value

    def _ref(self, ref: Ref, chat_id: int | None) -> Any:
        pick = random.Random(ref.index)
        if ref.kind == "issued":
            if not self._issued:
                return "q"
            data = pick.choice(self._issued)
            # Sometimes tampered with, as a modified client might.
            return pick.choice([data, data, data + "\n", data[:-1], data.replace("0", "٠")])
        if ref.kind == "answer":
            q = self._asked.get(chat_id or 0)
            if q is None:
                return pick.choice(ANSWERS)
            right = right_answer(q)
            wrong = pick.choice([c for c in q.choices if c != q.canonical] or ["1066"])
            points = " ".join(p.keywords[0] for p in q.points)
            return pick.choice(
                [right, right, wrong, f"\u200b{right}\u200f", right.upper(), points, "all", "none"]
            )
        if ref.kind == "start":
            return f"/start {pick.choice(self._links)}" if self._links else "/start"
        if ref.kind == "poll":
            polls = list(self.api.polls)
            return pick.choice(polls) if polls else "0"
        mine = self._bot_messages.get(chat_id or 0) or [1]
        return pick.choice([mine[-1], *mine])  # the latest (a question, perhaps) or any


def regroup(value: Any, shift: int) -> Any:
    """The update with every group and supergroup id moved down by `shift`: fresh groups."""
    if isinstance(value, list):
        return [regroup(v, shift) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: regroup(v, shift) for k, v in value.items()}
    if out.get("type") in ("group", "supergroup") and isinstance(out.get("id"), int):
        out["id"] -= shift
    for key in ("migrate_to_chat_id", "migrate_from_chat_id"):
        if key in out:
            out[key] -= shift
    return out

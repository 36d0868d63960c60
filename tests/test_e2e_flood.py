"""One student hammering the bot gets one "slow down", and nobody else waits for them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.config import Settings
from bot.handlers.flood import SLOW_DOWN
from bot.services import AppServices
from tests.fakeapi import FakeBotAPI
from tests.groups import Group, text_of
from tests.support import FakeClock, Student, question_in, right_answer, running_bot

LIMIT = 10  # the default: 10 updates per user in any 10 s


@pytest.fixture
async def bot(settings: Settings, clock: FakeClock) -> AsyncIterator[AppServices]:
    """A running bot with the flood limit at its default, stated here for the asserts."""
    async with running_bot(
        replace(settings, flood_limit=LIMIT, flood_period=10.0), clock=clock
    ) as app:
        yield app.bot_data


class Typist(Student):
    """A student whose messages are `gap` seconds apart (a plain Student's are 5 s)."""

    def __init__(self, api: FakeBotAPI, user_id: int, name: str = "Ana", *, gap: int) -> None:
        super().__init__(api, user_id, name)
        self.gap = gap

    def message(self, text: str | None = None, **extra: Any) -> dict[str, Any]:
        """A message update, `gap` seconds after the previous one."""
        update = super().message(text, **extra)
        self.clock -= timedelta(seconds=5 - self.gap)
        return update


def _to(api: FakeBotAPI, chat_id: int, upto: int | None = None) -> list[str]:
    return [
        c.params["text"]
        for c in api.calls[:upto]
        if c.method == "sendMessage" and c.params["chat_id"] == chat_id
    ]


async def test_a_hammering_student_gets_one_slow_down_and_others_are_not_held_up(
    api: FakeBotAPI, bot: AppServices, clock: FakeClock
) -> None:
    ana, ben = Typist(api, 901, gap=0), Student(api, 902, "Ben")
    await ben.say("/start")
    for _ in range(25):  # 50 messages within one second, Ben's answer in the middle
        await api.push(ana.message("stalin"))
    ben_reply = await ben.send(ben.message("/quiz drill"))
    for _ in range(25):
        await api.push(ana.message("stalin"))
    assert "New round" in ben_reply.params["text"]
    # Ben waited for at most Ana's allowance, not for fifty replies.
    before_ben = _to(api, ana.id, api.calls.index(ben_reply))
    assert len(before_ben) <= LIMIT + 1
    await ben.say("/help")  # every update before it has been handled
    to_ana = _to(api, ana.id)
    assert len(to_ana) == LIMIT + 1
    assert to_ana.count(SLOW_DOWN) == 1 and to_ana[-1] == SLOW_DOWN
    # Her burst over, Ana is answered as usual, and a new burst gets a new single notice.
    ana.clock += timedelta(seconds=11)
    assert "/quiz" in await ana.say("/help")
    for _ in range(LIMIT + 5):
        await api.push(ana.message("/help"))
    await ben.say("/help")
    assert _to(api, ana.id).count(SLOW_DOWN) == 2


async def test_button_hammering_gets_one_notice_on_the_button(
    api: FakeBotAPI, bot: AppServices
) -> None:
    ana = Student(api, 903)
    await ana.say("/start")
    cursor = len(api.calls)
    for _ in range(LIMIT + 5):
        await api.push(ana.button_tap("bogus"))
    await Student(api, 904, "Ben").say("/help")
    answers = [
        c.params.get("text") for c in api.calls[cursor:] if c.method == "answerCallbackQuery"
    ]
    # Ana's /start counted too: the rest of her allowance, then one notice, then nothing.
    assert len(answers) == LIMIT  # LIMIT - 1 "no longer valid", 1 notice
    assert answers.count(SLOW_DOWN) == 1 and answers[-1] == SLOW_DOWN


async def test_an_honest_student_answering_a_whole_round_is_never_limited(
    api: FakeBotAPI, bot: AppServices, clock: FakeClock
) -> None:
    ana = Typist(api, 905, gap=2)  # a quick reader who knows every answer
    await ana.say("/start")
    text = await ana.say("/quiz 10")
    for _ in range(10):
        text = await ana.answer(text)
    await ana.say("/stats")
    assert SLOW_DOWN not in _to(api, ana.id)
    assert "Score: 10/10" in text, text


async def test_a_whole_class_answering_a_challenge_at_once_is_not_limited(
    api: FakeBotAPI, bot: AppServices, clock: FakeClock
) -> None:
    group = Group(api, bot, clock)
    first = await group.command(1, "/challenge 1 drill")
    q = question_in(text_of(first))
    clock.advance(seconds=1)
    for player in range(300, 340):  # forty answers in the same instant
        await group.reply(player, right_answer(q))
    results = text_of(await group.time_up())
    assert "P309 1.0 s and 30 more" in results  # all forty counted
    assert SLOW_DOWN not in [c.params.get("text") for c in api.calls]

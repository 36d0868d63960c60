"""When Telegram misbehaves: the bot keeps going, retries what surely failed, never doubles.

Faults come from the fake API (tests/fakeapi_faults.py). The policy under test is in
bot/delivery.py: a call Telegram answered with an error is sent again; one that timed out
or lost its connection may have arrived, so a message or poll is never sent twice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.config import Settings
from bot.services import AppServices
from storage.repository import Repository
from tests.fakeapi import FakeBotAPI
from tests.fakeapi_faults import BLOCKED, NOT_FOUND, TOO_OLD
from tests.groups import Group, text_of
from tests.support import (
    FakeClock,
    Student,
    eventually,
    question_in,
    right_answer,
    running_bot,
    seen,
)

# The bot waits this long for Telegram in these tests; a "late" fault answers after it.
TIMEOUT = 2.0  # generous: a loaded test machine must not time out a healthy call
LATE = 2.6


@pytest.fixture
async def bot(settings: Settings, clock: FakeClock) -> AsyncIterator[AppServices]:
    """A running bot that gives up on Telegram after TIMEOUT seconds."""
    async with running_bot(replace(settings, api_timeout=TIMEOUT), clock=clock) as app:
        yield app.bot_data


def _problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def _feedback(ana: Student) -> str:
    """Ana starts a drill round; the question she is asked."""
    return await ana.say("/quiz drill")


def _replies(api: FakeBotAPI, chat_id: int, words: str) -> int:
    return sum(words in c.params["text"] for c in api.sent(chat_id))


@pytest.mark.parametrize("status", [500, 502, 504, 429])
async def test_a_reply_refused_with_a_server_error_is_sent_again_exactly_once(
    api: FakeBotAPI, bot: AppServices, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    ana = Student(api, 801)
    question = await _feedback(ana)
    if status == 429:
        api.fail("sendMessage", 429, chat_id=ana.id)
    else:
        api.faults.server_error("sendMessage", status, chat_id=ana.id)
    reply = await ana.say(right_answer(question_in(question)))
    assert "Correct" in reply
    assert api.refused or api.faults.hit  # Telegram did refuse it first
    await ana.say("/help")  # handled after the answer, retries and all
    assert _replies(api, ana.id, "Correct") == 1
    assert _problems(caplog) == []


@pytest.mark.parametrize(
    ("fault", "arrived"),
    [("late", True), ("reset after", True), ("reset before", False), ("hang", False)],
)
async def test_a_reply_that_may_have_arrived_is_never_sent_twice(
    api: FakeBotAPI,
    bot: AppServices,
    fault: str,
    arrived: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ana = Student(api, 802)
    question = question_in(await _feedback(ana))
    if fault == "late":
        api.faults.late("sendMessage", LATE, chat_id=ana.id)
    elif fault == "hang":
        api.faults.hang("sendMessage", chat_id=ana.id)
    else:
        api.faults.reset("sendMessage", applied=fault == "reset after", chat_id=ana.id)
    before = len(api.sent(ana.id))
    await api.push(ana.message(right_answer(question)))
    if arrived:
        await api.wait_for(lambda c: "Correct" in c.params.get("text", ""), timeout=LATE + 1)
    # The bot goes on to the next update; Ana's answer was saved before the reply failed.
    assert "/quiz" in await ana.say("/help")
    feedback = [c for c in api.sent(ana.id)[before:] if "Correct" in c.params["text"]]
    assert len(feedback) == (1 if arrived else 0)
    assert not [c for c in api.sent(ana.id) if "went wrong" in c.params["text"]]
    assert "Answered: 1 · accuracy 100%" in await ana.say("/stats")
    assert api.faults.hit[0].applied is arrived
    assert _problems(caplog) == []


async def test_a_slow_answer_within_the_timeout_is_simply_waited_for(
    api: FakeBotAPI, bot: AppServices
) -> None:
    ana = Student(api, 803)
    api.faults.slow("sendMessage", TIMEOUT / 3, chat_id=ana.id)
    assert "Hi, Ana" in await ana.say("/start")
    await ana.say("/help")
    assert _replies(api, ana.id, "Hi, Ana") == 1


@pytest.mark.parametrize("fault", ["502", "reset after", "reset before", "slow", "hang"])
async def test_polling_survives_a_failed_get_updates_and_loses_no_update(
    api: FakeBotAPI, bot: AppServices, fault: str
) -> None:
    ana = Student(api, 804)
    await ana.say("/start")
    if fault == "502":
        api.faults.server_error("getUpdates", 502)
    elif fault == "slow":
        api.faults.slow("getUpdates", 0.5)
    elif fault == "hang":
        api.faults.hang("getUpdates")
    else:
        api.faults.reset("getUpdates", applied=fault == "reset after")
    # The next getUpdates fails (the one under way, or the one after it: on a busy machine
    # the long poll in flight may already hold /help); the bot polls again either way.
    reply = await ana.send(ana.message("/help"), timeout=15)
    assert "/quiz" in reply.params["text"]

    async def injected() -> bool:
        return bool(api.faults.hit)

    await eventually(injected, within=15)
    # Polling goes on after the fault: a later message is still answered.
    assert "No answers yet" in seen(await ana.send(ana.message("/stats"), timeout=15))
    helps = [c for c in api.sent(ana.id) if c.params["text"] == reply.params["text"]]
    assert len(helps) == 1  # the update that was fetched twice was handled once


async def test_a_student_who_blocked_the_bot_is_marked_inactive_without_an_error(
    api: FakeBotAPI, bot: AppServices, caplog: pytest.LogCaptureFixture
) -> None:
    ana = Student(api, 805)
    await ana.say("/start")
    api.blocked.add(ana.id)
    caplog.set_level(logging.INFO)
    await api.push(ana.message("/stats"))
    repo = Repository(bot.db)

    async def inactive() -> bool:
        return await repo.is_active(ana.id) is False

    await eventually(inactive)
    assert [c.params["error"] for c in api.refused] == [BLOCKED]
    # The bot goes on serving everyone else, and says nothing louder than INFO about it.
    assert "/quiz" in await Student(api, 806, "Ben").say("/help")
    loud = [r.getMessage() for r in caplog.records if r.levelno > logging.INFO]
    assert loud == []


async def test_a_button_answered_too_late_still_gets_its_reply(
    api: FakeBotAPI, bot: AppServices, caplog: pytest.LogCaptureFixture
) -> None:
    ana = Student(api, 807)
    text = await ana.say("/quiz drill")
    while not ana.buttons() or question_in(text).kind.value != "choice":
        text = await ana.say("/skip")
    q = question_in(text)
    # The bot was slow and Telegram has forgotten the tap: answering it fails.
    api.faults.refuse("answerCallbackQuery", 400, TOO_OLD)
    data = next(d for label, d in ana.buttons() if label.endswith(f") {q.canonical}"))
    cursor = len(api.calls)
    await api.push(ana.button_tap(data))
    reply = await ana.send_wait(cursor)
    assert "Correct" in reply.params["text"]
    assert [(h.method, h.kind) for h in api.faults.hit] == [("answerCallbackQuery", "refuse")]
    assert _problems(caplog) == []


@pytest.mark.parametrize("fault", ["late", "reset after", "reset before"])
async def test_a_poll_that_may_have_been_posted_is_not_posted_again(
    api: FakeBotAPI, bot: AppServices, clock: FakeClock, fault: str
) -> None:
    group = Group(api, bot, clock)
    if fault == "late":
        api.faults.late("sendPoll", LATE, chat_id=group.id)
    else:
        api.faults.reset("sendPoll", applied=fault == "reset after", chat_id=group.id)
    cursor = len(api.calls)
    await api.push(group.message(1, "/challenge poll 2 20s"))
    await group.next_post(cursor, method="sendMessage")  # the rules

    async def asked() -> bool:
        running = bot.challenges.running_in(group.id)
        return running is not None and running.asked_at is not None

    # The question runs on its clock, whether or not the group saw its poll.
    await eventually(asked, within=LATE + 2)
    if fault != "reset before":
        await api.wait_for(lambda c: c.method == "sendPoll", timeout=LATE + 1)
    await group.settle()
    first = [c for c in group.posts() if c.method == "sendPoll"]
    assert len(first) == (0 if fault == "reset before" else 1)
    # Time's up: the answer is shown, and question 2 is posted once, as usual.
    results = await group.time_up(method="sendMessage")
    assert "Time's up!" in text_of(results)
    second = await group.next_post(len(api.calls) - 1, method="sendPoll")
    assert second.params["question"].startswith("2/2: ")
    assert len([c for c in group.posts() if c.method == "sendPoll"]) == len(first) + 1


async def test_a_poll_refused_with_a_server_error_is_posted_once(
    api: FakeBotAPI, bot: AppServices, clock: FakeClock
) -> None:
    group = Group(api, bot, clock)
    api.faults.server_error("sendPoll", 502, chat_id=group.id)
    cursor = len(api.calls)
    await api.push(group.message(1, "/challenge poll 2 20s"))
    poll = await group.next_post(cursor, method="sendPoll")
    assert poll.params["question"].startswith("1/2: ")
    await group.settle()
    assert len([c for c in group.posts() if c.method == "sendPoll"]) == 1


async def test_a_question_whose_post_timed_out_still_takes_replies(
    api: FakeBotAPI, bot: AppServices, clock: FakeClock
) -> None:
    group = Group(api, bot, clock)
    await group.command(1, "/challenge 2 drill")
    clock.advance(seconds=1)
    await group.answer(1, "x")
    # Question 2's post reaches the group, but the bot never hears back.
    api.faults.reset("sendMessage", applied=True, chat_id=group.id)
    await group.run_out()
    post = await api.wait_for(
        lambda c: "Question 2/2" in c.params.get("text", "") and c.params["chat_id"] == group.id
    )

    async def asked() -> bool:
        running = bot.challenges.running_in(group.id)
        return running is not None and running.position == 1 and running.asked_at is not None

    await eventually(asked)
    clock.advance(seconds=2)
    await group.answer(2, right_answer(question_in(text_of(post))), to=post)
    final = text_of(await group.time_up())
    assert "P2" in final and "Final results" in final
    assert len([c for c in group.posts() if "Question 2/2" in c.params.get("text", "")]) == 1


async def test_the_fake_refuses_to_edit_a_message_it_never_sent(api: FakeBotAPI) -> None:
    # The bot never edits messages; should it start, "message to edit not found" is a
    # refusal like any other, and the fake can answer it.
    api.faults.refuse("sendMessage", 400, NOT_FOUND)
    assert api.faults.take("sendMessage", None) is not None


async def test_a_push_that_timed_out_is_not_pushed_to_that_student_again(
    api: FakeBotAPI, bot: AppServices
) -> None:
    teacher = Student(api, 1100, "Mr Khan")
    link = re.search(r"start=(join_[A-Za-z0-9_-]+)", await teacher.say("/newclass Year 12"))
    assert link is not None
    students = [Student(api, 1200 + i, f"S{i}") for i in range(3)]
    for student in students:
        await student.say(f"/start {link.group(1)}")
    api.faults.late("sendMessage", LATE, chat_id=students[0].id)
    api.faults.server_error("sendMessage", 502, chat_id=students[1].id)
    cursor = len(api.calls)
    await api.push(teacher.message("/push"))
    await api.wait_for(lambda c: c.params.get("chat_id") == teacher.id, after=cursor, timeout=10)
    await eventually(lambda: _finished(api, 2), within=LATE + 1)  # the late one arrived too
    pushed = {
        s.id: [c for c in api.sent(s.id)[1:] if "A question from your teacher" in c.params["text"]]
        for s in students
    }
    assert [len(pushed[s.id]) for s in students] == [1, 1, 1]


async def _finished(api: FakeBotAPI, count: int) -> bool:
    return len(api.faults.finished) >= count

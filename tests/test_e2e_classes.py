"""Classes in private chats: join links, leaving, and a question pushed to every student."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from bot.config import Settings
from bot.services import AppServices
from tests.fakeapi import Call, FakeBotAPI
from tests.support import FakeClock, Student, question_in, right_answer, running_bot


async def _new_class(api: FakeBotAPI, teacher: Student, name: str) -> str:
    reply = await teacher.say(f"/newclass {name}")
    assert f"Class {name} is ready" in reply
    match = re.search(r"https://t\.me/quizbot_test_bot\?start=(join_[A-Za-z0-9_-]+)", reply)
    assert match is not None
    return match.group(1)


async def test_a_student_joins_by_link_and_can_leave(
    api: FakeBotAPI, services: AppServices
) -> None:
    teacher = Student(api, 900, "Ms Reed")
    payload = await _new_class(api, teacher, "12B History")
    ana = Student(api, 901, "Ana")
    assert "You've joined 12B History" in await ana.say(f"/start {payload}")
    assert "You're already in 12B History" in await ana.say(f"/start {payload}")
    listing = await teacher.say("/classes")
    assert "12B History – 1 student" in listing
    assert "doesn't match any class" in await ana.say("/start join_NoSuchClassCode123")
    assert "You've left 12B History" in await ana.say("/leave")
    assert "You're not in any class" in await ana.say("/leave")
    assert "12B History – 0 students" in await teacher.say("/classes")
    # Codes are long and random: two classes never share one.
    other = await _new_class(api, teacher, "13A History")
    assert other != payload and len(other) >= len("join_") + 16
    assert "Which class?" in await teacher.say("/push")


async def test_a_push_reaches_every_active_student_once_despite_429s_and_403s(
    api: FakeBotAPI, services: AppServices
) -> None:
    teacher = Student(api, 1000, "Mr Khan")
    payload = await _new_class(api, teacher, "Year 12")
    students = [Student(api, 2000 + i, f"S{i}") for i in range(200)]
    for student in students:
        await student.say(f"/start {payload}")
    blocked = {s.id for s in students[::20]}  # ten students have blocked the bot since
    api.blocked |= blocked
    # Telegram pushes back: three 429s in a row for one student, one each for two more.
    api.fail("sendMessage", 429, 429, 429, chat_id=students[3].id)
    api.fail("sendMessage", 429, chat_id=students[4].id)
    api.fail("sendMessage", 429, chat_id=students[5].id)
    cursor = len(api.calls)
    await api.push(teacher.message("/push"))
    done = await api.wait_for(
        lambda c: c.params.get("chat_id") == teacher.id and "Sent to" in c.params["text"],
        after=cursor,
        timeout=30,
    )
    assert "✅ Sent to 190. 10 had blocked me and were skipped." in done.params["text"]
    got = {
        s.id: [
            c
            for c in api.calls[cursor:]
            if c.method == "sendMessage"
            and c.params["chat_id"] == s.id
            and "A question from your teacher" in c.params["text"]
        ]
        for s in students
    }
    assert all(len(got[s.id]) == (0 if s.id in blocked else 1) for s in students)
    assert len([c for c in api.refused if "Too Many" in c.params["error"]]) == 5
    # Blocked students are marked inactive, so the next push skips them outright.
    assert services.db is not None
    async with services.db.execute("SELECT COUNT(*) FROM users WHERE active = 0") as cur:
        assert tuple(await cur.fetchone() or ()) == (10,)
    # The pushed question is the student's to answer, like any round.
    first = students[1]
    q = question_in(got[first.id][0].params["text"])
    assert "✅ Correct" in await first.say(right_answer(q))


async def test_a_class_daily_question_reaches_each_student_in_private_at_the_time(
    api: FakeBotAPI, settings: Settings
) -> None:
    clock = FakeClock(datetime(2026, 11, 2, 12, 0, tzinfo=UTC))
    async with running_bot(settings, clock=clock) as app:
        teacher = Student(api, 1100, "Ms Reed")
        payload = await _new_class(api, teacher, "12B")
        students = [Student(api, 2100 + i, f"S{i}") for i in range(5)]
        for student in students:
            await student.say(f"/start {payload}")
        reply = await teacher.say("/dailydm 17:00 mon-fri topic:drill")
        assert "every student in 12B gets a question in their private chat" in reply
        assert "Monday 02 November at 17:00" in reply
        assert "12B: at 17:00" in await teacher.say("/dailydm")
        cursor = len(api.calls)
        clock.moment = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
        app.bot_data.timers.nudge()
        got = [await api.wait_for(_pushed_to(s.id), after=cursor) for s in students]
        assert all("Drill questions" in c.params["text"] for c in got)
        # Once a day: the same moment again sends nothing more.
        app.bot_data.timers.nudge()
        await teacher.say("/classes")
        pushed = [c for c in api.calls[cursor:] if _pushed_to(students[0].id)(c)]
        assert len(pushed) == 1
        # With two classes, `class:` picks one; its name may have spaces.
        await _new_class(api, teacher, "13A History")
        assert "Which class?" in await teacher.say("/dailydm 08:00")
        reply = await teacher.say("/dailydm 08:00 weekdays class:13A History")
        assert "every student in 13A History gets a question" in reply
        assert "is off" in await teacher.say("/dailydm off class:12B")
        listing = await teacher.say("/dailydm")
        assert "12B: none set" in listing and "13A History: at 08:00" in listing


def _pushed_to(chat_id: int) -> Callable[[Call], bool]:
    return lambda c: (
        c.method == "sendMessage"
        and c.params["chat_id"] == chat_id
        and "A question from your teacher" in c.params["text"]
    )


async def test_a_new_link_replaces_the_old_one_and_keeps_the_members(
    api: FakeBotAPI, services: AppServices
) -> None:
    teacher = Student(api, 1200, "Ms Reed")
    old = await _new_class(api, teacher, "12B History")
    await _new_class(api, teacher, "13A History")
    ana, ben = Student(api, 1201, "Ana"), Student(api, 1202, "Ben")
    assert "You've joined 12B History" in await ana.say(f"/start {old}")
    assert "Which class?" in await teacher.say("/newlink")
    reply = await teacher.say("/newlink 12B")
    assert "New join link for 12B History" in reply and "old link no longer works" in reply
    match = re.search(r"\?start=(join_[A-Za-z0-9_-]+)", reply)
    assert match is not None and match.group(1) != old
    # The old link now says so, and joins nobody; the new one works; Ana is still in.
    expired = await ben.say(f"/start {old}")
    assert "This join link for 12B History has expired. Ask your teacher for the new one." in (
        expired
    )
    listing = await teacher.say("/classes")
    assert "12B History – 1 student" in listing and match.group(1) in listing
    assert old not in listing
    assert "You've joined 12B History" in await ben.say(f"/start {match.group(1)}")
    assert "You're already in 12B History" in await ana.say(f"/start {match.group(1)}")
    # Another teacher can't replace it: they have no class of that name.
    assert "You have no classes yet" in await ben.say("/newlink 12B")


async def test_a_second_class_with_the_same_name_is_refused_and_help_shows_teachers_how(
    api: FakeBotAPI, services: AppServices
) -> None:
    teacher = Student(api, 3100, "Ms Reed")
    await _new_class(api, teacher, "12B History")
    # Two classes of one name could never be told apart by /push, /report or /newlink.
    again = await teacher.say("/newclass 12b  history")
    assert "You already have a class called 12B History" in again
    assert "/newclass 12B History (2)" in again
    assert await _new_class(api, teacher, "12B History (2)")
    shown = await teacher.say("/help")
    assert "/newclass 12B History" in shown and "/disputes" in shown and ".yaml" in shown


async def test_which_class_says_when_a_name_matches_none_and_keeps_what_was_typed(
    api: FakeBotAPI, services: AppServices
) -> None:
    teacher = Student(api, 3200, "Ms Reed")
    await _new_class(api, teacher, "12B History")
    await _new_class(api, teacher, "13A History")
    unknown = await teacher.say("/report 9Z")
    assert "No class of yours is called “9Z”" in unknown and "/report 12B History" in unknown
    # Several match a short name: a question, not "no such class".
    assert "No class" not in await teacher.say("/push 1")
    # The time typed is kept in the suggestions, so the teacher need not type it again.
    asked = await teacher.say("/dailydm 17:00 mon-fri")
    assert "/dailydm class:12B History 17:00 mon-fri" in asked
    assert "No class is called “9Z”" in await teacher.say("/newlink 9Z")

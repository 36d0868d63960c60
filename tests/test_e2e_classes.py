"""Classes in private chats: join links, leaving, and a question pushed to every student."""

from __future__ import annotations

import re

from bot.services import AppServices
from tests.fakeapi import FakeBotAPI
from tests.support import Student, question_in, right_answer


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

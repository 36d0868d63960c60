"""A teacher's push: each student's copy across a crash, and when a student left a round."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.services import AppServices
from tests.fakeapi import Call, FakeBotAPI
from tests.support import FakeClock, Student, question_in, right_answer, running_bot, seen

AGAIN = "sent again in case it didn't reach you"


async def _new_class(teacher: Student, name: str) -> str:
    reply = await teacher.say(f"/newclass {name}")
    return reply.split("?start=", 1)[1].split()[0]


def _pushed(chat_id: int) -> Callable[[Call], bool]:
    return lambda c: (
        c.method == "sendMessage"
        and c.params["chat_id"] == chat_id
        and "A question from your teacher" in c.params["text"]
    )


async def _settled(services: AppServices) -> None:
    """Wait until no delivery is left pending or in doubt."""
    assert services.db is not None
    for _ in range(400):
        async with services.db.execute(
            "SELECT COUNT(*) FROM push_deliveries WHERE status IN ('pending', 'sending')"
        ) as cur:
            if tuple(await cur.fetchone() or ()) == (0,):
                return
        await asyncio.sleep(0.05)
    raise TimeoutError("the push was not finished after the restart")


async def test_a_push_cut_short_by_a_crash_reaches_every_student_after_the_restart(
    api: FakeBotAPI, settings: Settings, tmp_path: Path
) -> None:
    crashed = tmp_path / "crashed.sqlite3"
    async with running_bot(settings):
        teacher = Student(api, 3000, "Ms Reed")
        payload = await _new_class(teacher, "12C")
        students = [Student(api, 3100 + i, f"S{i}") for i in range(40)]
        for student in students:
            await student.say(f"/start {payload}")
        blocked = {s.id for s in students[::10]}
        api.blocked |= blocked
        # The crash: the moment Telegram takes the 16th student's copy, before the bot hears
        # back, the database is copied. That copy is what a crash there would leave behind.
        in_flight = students[15].id
        cut: list[int] = []

        def crash(call: Call) -> None:
            if not cut and _pushed(in_flight)(call):
                cut.append(len(api.calls))
                with (
                    closing(sqlite3.connect(settings.db_path)) as db,
                    closing(sqlite3.connect(crashed)) as copy,
                ):
                    db.backup(copy)

        api.on_done = crash
        start = len(api.calls)
        await api.push(teacher.message("/push"))
        await api.wait_for(
            lambda c: c.params.get("chat_id") == teacher.id and "Sent to" in c.params["text"],
            after=start,
            timeout=30,
        )
        api.on_done = None
    before_crash = api.calls[start : cut[0]]
    with closing(sqlite3.connect(crashed)) as db:
        status = dict(db.execute("SELECT user_id, status FROM push_deliveries").fetchall())
    pending = [s.id for s in students if status[s.id] == "pending"]
    assert status[in_flight] == "sending" and pending  # both kinds of crash are covered
    # After the restart Telegram pushes back once, on a student still waiting.
    api.fail("sendMessage", 429, chat_id=pending[-1])
    restart = len(api.calls)
    async with running_bot(dataclasses.replace(settings, db_path=str(crashed))) as app:
        await _settled(app.bot_data)
        assert app.bot_data.db is not None
        async with app.bot_data.db.execute("SELECT id FROM users WHERE active = 0") as cur:
            inactive = {r[0] for r in await cur.fetchall()}
    after = api.calls[restart:]
    assert inactive == blocked  # 403s, before the crash or after it, mark them inactive
    assert any(c.params.get("chat_id") == pending[-1] for c in api.flooded + api.refused)
    for s in students:
        first = [c for c in before_crash if _pushed(s.id)(c)]
        second = [c for c in after if _pushed(s.id)(c)]
        if s.id in blocked:
            assert first == second == []
        elif status[s.id] == "sent":  # marked before the crash: never sent again
            assert (len(first), len(second)) == (1, 0)
        elif status[s.id] == "pending":  # not claimed yet: sent once, as usual
            assert (len(first), len(second)) == (0, 1)
            assert AGAIN not in seen(second[0])
        else:  # claimed, so it may have arrived: sent again, saying so
            assert len(first) <= 1 and len(second) == 1
            assert AGAIN in seen(second[0])
            if first:  # the same question, so either copy answers it
                assert question_in(seen(first[0])) == question_in(seen(second[0]))
    assert [len([c for c in before_crash if _pushed(in_flight)(c)])] == [1]


START = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)


async def test_a_push_is_shown_at_once_to_a_student_who_left_their_round(
    api: FakeBotAPI, settings: Settings, clock: FakeClock
) -> None:
    async with running_bot(settings, clock=clock):
        teacher = Student(api, 3200, "Mr Khan")
        payload = await _new_class(teacher, "12D")
        busy, gone = Student(api, 3201, "Busy"), Student(api, 3202, "Gone")
        on_screen = {}
        for student in (busy, gone):
            await student.say(f"/start {payload}")
            on_screen[student.id] = await student.answer(await student.say("/quiz drill"))
        # One keeps going; the other walked away from their round an hour ago.
        busy.clock = clock.advance(minutes=55)  # answers are dated by their messages
        on_screen[busy.id] = await busy.answer(on_screen[busy.id])
        clock.advance(minutes=5)
        cursor = len(api.calls)
        await api.push(teacher.message("/push"))
        to_busy = await api.wait_for(_pushed(busy.id), after=cursor)
        to_gone = await api.wait_for(_pushed(gone.id), after=cursor)
        # Mid-round, it waits for the question they are on.
        assert "it's next in your round" in seen(to_busy)
        # A round left alone is ended politely, and the teacher's question is right there.
        shown = seen(to_gone)
        assert "it's next in your round" not in shown
        assert "Your unfinished round from earlier ended at 1/1." in shown
        pushed = question_in(shown)
        gone.last = to_gone
        assert "✅ Correct" in await gone.say(right_answer(pushed))
        # The busy student meets it after the question they were on.
        assert question_in(await busy.answer(on_screen[busy.id])) == pushed

"""/forgetme and /mydata through the fake Bot API: what a student and a teacher would notice."""

from __future__ import annotations

import json
import re
from typing import Any

import aiosqlite

from bot.services import AppServices
from tests.fakeapi import Call, FakeBotAPI, Upload
from tests.groups import TEACHER, Group, text_of
from tests.support import FakeClock, Student, question_in, right_answer, seen, wrong_answer
from tests.test_e2e_uploads import GOOD, _send_file

ANA, BEA = 7001, 7002
TUTOR = 900  # a teacher who runs a class in private chats


def _db(bot: AppServices) -> aiosqlite.Connection:
    assert bot.db is not None
    return bot.db


async def _tables(db: aiosqlite.Connection) -> list[str]:
    async with db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def _mentions(db: aiosqlite.Connection, person: int) -> dict[str, int]:
    """Rows per table with the person's id as the value of any column."""
    found = {}
    for table in await _tables(db):
        async with db.execute("SELECT name FROM pragma_table_info(?)", (table,)) as cur:
            columns = [r[0] for r in await cur.fetchall()]
        where = " OR ".join(f'"{c}" = :p' for c in columns)
        query = f'SELECT COUNT(*) FROM "{table}" WHERE {where}'  # noqa: S608
        async with db.execute(query, {"p": person}) as cur:
            row = await cur.fetchone()
        if row and row[0]:
            found[table] = row[0]
    return found


async def _join_class(teacher: Student, *students: Student) -> str:
    reply = await teacher.say("/newclass 12B History")
    match = re.search(r"\?start=(join_[A-Za-z0-9_-]+)", reply)
    assert match is not None
    for student in students:
        assert "You've joined 12B History" in await student.say(f"/start {match.group(1)}")
    return match.group(1)


async def _play(group: Group, questions: int = 2) -> None:
    """A challenge in the group: Ana right every time, Bea wrong."""
    await group.command(ANA, f"/challenge {questions} drill 20s")
    for _ in range(questions):
        q = question_in(text_of(group.last))  # type: ignore[arg-type]
        group.clock.advance(seconds=2)
        await group.reply(ANA, right_answer(q))
        await group.reply(BEA, wrong_answer(q))
        await group.time_up()


async def _dispute_a_miss(student: Student, typed: str) -> None:
    """Answer the speech-year question with `typed` (marked wrong), then say "I was right"."""
    await student.reach("speech-year")
    reply = await student.say(typed)
    assert "Not quite" in reply
    toast = await student.tap("🙋 I was right (last answer)", expect_message=False)
    assert toast.params.get("text")
    await student.say("/stop")


def _button(student: Student, label: str) -> str:
    return next(data for text, data in student.buttons() if text.startswith(label))


async def test_forgetme_asks_first_then_deletes_only_that_students_data(
    api: FakeBotAPI, bot: AppServices, group: Group, clock: FakeClock
) -> None:
    ana, bea = Student(api, ANA, "Ana"), Student(api, BEA, "Bea")
    teacher = Student(api, TUTOR, "Ms Reed")
    await _join_class(teacher, ana, bea)
    await _dispute_a_miss(ana, "1965")
    await _dispute_a_miss(bea, "1966")
    await _play(group)
    db = _db(bot)
    ana_rows, bea_rows = await _mentions(db, ANA), await _mentions(db, BEA)
    assert {"answers", "disputes", "challenge_answers", "class_members"} <= set(ana_rows)
    board = text_of(await group.command(BEA, "/leaderboard"))
    assert "P7001" in board and "P7002" in board
    assert "2 students" in text_of(await group.command(TEACHER, "/report"))
    bea_stats = await bea.say("/stats")

    # Asked, then cancelled: nothing goes.
    prompt = await ana.say("/forgetme")
    assert "Delete everything I store about you?" in prompt
    assert "1 “I was right” dispute" in prompt and "your place in 1 class" in prompt
    assert "You disappear from group leaderboards and teachers' reports" in prompt
    assert "Group challenges and questions of the day you started (1) stay" in prompt
    first_yes = _button(ana, "🗑 Yes")
    assert "Nothing was deleted" in seen(await ana.tap("Cancel"))
    assert await _mentions(db, ANA) == ana_rows

    # Asked again. The cancelled request's button, and Bea pressing Ana's (forwarded)
    # button, delete nothing.
    await ana.say("/forgetme")
    yes = _button(ana, "🗑 Yes")
    assert yes != first_yes
    late = await ana.tap_data(first_yes, expect_message=False)
    assert "isn't yours, or it has expired" in late.params["text"]
    bea.last = ana.last
    forwarded = await bea.tap_data(yes, expect_message=False)
    assert "isn't yours" in forwarded.params["text"] and forwarded.params["show_alert"]
    assert await _mentions(db, ANA) == ana_rows
    assert await _mentions(db, BEA) == bea_rows

    done = seen(await ana.tap_data(yes))
    assert "I've deleted everything I stored about you" in done
    # Pressed again, it finds nothing to confirm.
    again = await ana.tap_data(yes, expect_message=False)
    assert "isn't yours, or it has expired" in again.params["text"]

    assert await _mentions(db, ANA) == {}
    assert await _mentions(db, BEA) == bea_rows
    board = text_of(await group.command(BEA, "/leaderboard"))
    assert "P7001" not in board and "P7002" in board
    report = text_of(await group.command(TEACHER, "/report"))
    assert "1 student ·" in report
    assert "12B History – 1 student" in await teacher.say("/classes")
    assert await bea.say("/stats") == bea_stats
    assert "No answers yet" in await ana.say("/stats")
    assert "I don't store anything about you yet" in await ana.say("/mydata")
    # A new user now: /start greets them, and a round starts from scratch.
    assert "👋 Hi, Ana!" in await ana.say("/start")
    assert "Question 1/" in await ana.say("/quiz 3")
    assert "You're not in any class" in await ana.say("/leave")


async def _export(api: FakeBotAPI, student: Student) -> tuple[Call, dict[str, Any], str]:
    cursor = len(api.calls)
    await api.push(student.message("/mydata"))
    sent = await api.wait_for(
        lambda c: c.method == "sendDocument" and c.params["chat_id"] == student.id, after=cursor
    )
    upload = sent.params["document"]
    assert isinstance(upload, Upload)
    raw = bytes(upload).decode("utf-8")
    return sent, json.loads(raw), raw


def _values(node: Any) -> list[Any]:
    """Every value anywhere in a JSON document."""
    if isinstance(node, dict):
        return [v for value in node.values() for v in _values(value)]
    if isinstance(node, list):
        return [v for value in node for v in _values(value)]
    return [node]


async def test_mydata_sends_the_students_own_data_and_no_one_elses(
    api: FakeBotAPI, bot: AppServices, group: Group
) -> None:
    ana, bea = Student(api, ANA, "Ana"), Student(api, BEA, "Bea")
    await _join_class(Student(api, TUTOR, "Ms Reed"), ana, bea)
    await ana.reach("leader")
    await ana.say("Хрущёв")
    await ana.say("/stop")
    await bea.reach("leader")
    await bea.say("Beaguessov")
    await bea.say("/stop")
    await _play(group, questions=3)

    sent, data, raw = await _export(api, ana)

    assert sent.params["document"].filename.endswith(".json")
    assert "Everything I store about you" in sent.params["caption"]
    assert data["profile"] == [data["profile"][0]] and data["profile"][0]["id"] == ANA
    typed = [a["typed"] for a in data["answers"]]
    assert "Хрущёв" in typed and "Хрущёв" in raw  # readable, not \u escapes
    # Her own challenge scores, all three, and no other player's.
    scores = data["challenge_answers"]
    assert len(scores) == 3 and all(s["verdict"] == "correct" for s in scores)
    assert [c["name"] for c in data["classes_joined"]] == ["12B History"]
    assert data["sections"]["challenge_answers"]
    values = _values(data)
    assert BEA not in values and "Beaguessov" not in raw and "Bea" not in values
    assert TUTOR not in values  # her class, not her teacher's id


async def test_a_teachers_forgetme_warns_then_closes_their_classes(
    api: FakeBotAPI, bot: AppServices, clock: FakeClock
) -> None:
    ana = Student(api, ANA, "Ana")
    teacher = Student(api, TUTOR, "Ms Reed")
    old_link = await _join_class(teacher, ana)
    # A replaced join link is kept, to tell students it expired: it goes with the class too.
    link = re.search(r"\?start=(join_[A-Za-z0-9_-]+)", await teacher.say("/newlink 12B"))
    assert link is not None and link.group(1) != old_link
    assert "every student in 12B History gets a question" in await teacher.say("/dailydm 17:00")

    prompt = await teacher.say("/forgetme")
    assert "⚠️ You teach 1 class: 12B History (1 student). They are deleted too" in prompt
    warned = teacher.last
    # She uploads a bank before confirming: confirming now would delete what she was
    # never warned about, so she is asked again.
    assert "✅ Loaded" in await _send_file(api, teacher, GOOD.encode())
    teacher.last = warned
    again = seen(await teacher.tap("🗑 Yes, delete everything and my classes"))
    assert "Nothing was deleted yet: your classes or banks changed" in again
    assert "Your uploaded bank ms-reed (2 questions) is deleted too" in again
    assert "Question 1/2" in await ana.say("/quiz reed-thaw")
    await ana.say("/stop")
    confirmed = await teacher.tap("🗑 Yes, delete everything and my classes")
    assert "I've deleted everything" in seen(confirmed)
    # Her bank is no longer asked from, at once.
    assert "Question" not in await ana.say("/quiz reed-thaw")

    assert await _mentions(_db(bot), TUTOR) == {}
    for gone in (old_link, link.group(1)):
        assert "doesn't match any class" in await ana.say(f"/start {gone}")
    assert "You're not in any class" in await ana.say("/leave")
    # The class's daily question does not go out: its time comes and nothing is sent.
    cursor = len(api.calls)
    clock.advance(hours=8)
    bot.timers.nudge()
    assert "No answers yet" in await ana.say("/stats")
    assert [c for c in api.calls[cursor:] if "A question" in c.params.get("text", "")] == []
    assert "You have no classes yet" in await teacher.say("/dailydm")


async def test_a_player_who_forgets_mid_game_drops_out_of_its_results(
    api: FakeBotAPI, bot: AppServices, group: Group
) -> None:
    ana = Student(api, ANA, "Ana")
    await group.command(ANA, "/challenge 2 drill 20s")
    q = question_in(text_of(group.last))  # type: ignore[arg-type]
    group.clock.advance(seconds=2)
    await group.reply(ANA, right_answer(q))
    await group.reply(BEA, right_answer(q))
    second = await group.time_up()  # the first question's results, and the second question
    assert "P7001" in text_of(second)

    await ana.say("/forgetme")
    assert "I've deleted everything" in seen(await ana.tap("🗑 Yes, delete everything"))

    # She started the game, but no longer: only an admin may stop it now.
    refused = text_of(await group.command(ANA, "/endchallenge"))
    assert "Only the player who started this challenge or a group admin" in refused
    q = question_in(text_of(second))
    group.clock.advance(seconds=2)
    await group.reply(BEA, right_answer(q), to=second)
    final = text_of(await group.time_up())
    assert "P7002" in final and "P7001" not in final
    assert await _mentions(_db(bot), ANA) == {}


async def test_a_confirm_button_pressed_too_late_deletes_nothing(
    api: FakeBotAPI, bot: AppServices, clock: FakeClock
) -> None:
    ana = Student(api, ANA, "Ana")
    await _dispute_a_miss(ana, "1965")
    rows = await _mentions(_db(bot), ANA)
    await ana.say("/forgetme")
    yes = _button(ana, "🗑 Yes")

    clock.advance(minutes=10)
    late = await ana.tap_data(yes, expect_message=False)

    assert "it has expired" in late.params["text"]
    assert await _mentions(_db(bot), ANA) == rows
    # Asked again, it works at once.
    await ana.say("/forgetme")
    assert "I've deleted everything" in seen(await ana.tap("🗑 Yes, delete everything"))


async def test_a_push_still_going_out_never_brings_a_forgotten_student_back(
    api: FakeBotAPI, bot: AppServices
) -> None:
    teacher = Student(api, TUTOR, "Ms Reed")
    students = [Student(api, 7100 + n, f"S{n}") for n in range(34)]
    await _join_class(teacher, *students)
    last = students[-1]
    # The first thirty copies take a while, so the last student's copy waits its turn.
    for student in students[:30]:
        api.faults.slow("sendMessage", 1.0, chat_id=student.id)
    cursor = len(api.calls)
    await api.push(teacher.message("/push"))
    await api.wait_for(lambda c: c.params.get("chat_id") == students[0].id, after=cursor)
    # She confirms /forgetme now. (Straight through the service: her confirmation's reply
    # would queue behind the push's copies and let hers go first, hiding the race.)
    request = await bot.privacy.ask(last.id, at=bot.clock.now())
    await bot.privacy.confirm(last.id, request.nonce, at=bot.clock.now())
    report = await api.wait_for(
        lambda c: c.params.get("chat_id") == TUTOR and "Sent to" in c.params.get("text", ""),
        after=cursor,
        timeout=10,
    )
    assert "Sent to 33" in report.params["text"]
    # The copy meant for her was never written into a new round for her, nor sent.
    assert await _mentions(_db(bot), last.id) == {}
    assert "A question from" not in str([c.params for c in api.sent_to(last.id)])

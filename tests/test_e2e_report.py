"""/report in a class group, through the fake Bot API: what the teacher sees, and the CSV."""

from __future__ import annotations

import csv
import itertools
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services import AppServices
from tests.fakeapi import BOT_ID, BOT_USERNAME, TOKEN, Call, FakeBotAPI, Upload
from tests.groups import TEACHER, Group, message_id, text_of
from tests.support import (
    DRILL_BANK,
    FakeClock,
    Student,
    question_in,
    right_answer,
    wrong_answer,
)

# New York left summer time on Sunday 1 November: EST is UTC-5 all through this test.
START = MONDAY = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # 09:00 in New York; `clock` starts here
TUESDAY = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)  # 10:00
_queries = itertools.count(1)


@pytest.fixture
def settings(api: FakeBotAPI, tmp_path: Path) -> Settings:
    """The class's days run in New York, so a local day differs from the UTC one."""
    return Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "QUIZBOT_DB": str(tmp_path / "quiz.sqlite3"),
            "QUIZBOT_BANKS": str(DRILL_BANK),
            "QUIZBOT_TIMEZONE": "America/New_York",
        }
    )


async def _tap(group: Group, user_id: int, post: Call) -> Call:
    """`user_id` taps the button on a bot message in the group; the bot's answer to the tap."""
    api = group.api
    cursor = len(api.calls)
    await api.push(
        {
            "callback_query": {
                "id": str(next(_queries)),
                "from": {"id": user_id, "is_bot": False, "first_name": f"P{user_id}"},
                "chat_instance": "class",
                "message": {
                    "message_id": message_id(post),
                    "date": int(group.clock.now().timestamp()),
                    "chat": group.chat(),
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Quizbot"},
                    "text": "…",
                },
                "data": post.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
            }
        }
    )
    return await api.wait_for(lambda c: c.method == "answerCallbackQuery", after=cursor)


def _rows(document: Call) -> list[list[str]]:
    upload = document.params["document"]
    assert isinstance(upload, Upload)
    return list(csv.reader(upload.decode("utf-8-sig").splitlines()))


async def _practise(student: Student, answers: int) -> None:
    """Answer `answers` drill questions in a private chat (enough for a day of streak)."""
    text = await student.say("/quiz drill")
    for _ in range(answers):
        if "Round over" in text:
            text = await student.say("/quiz drill")
        text = await student.answer(text)


async def _play_a_week(api: FakeBotAPI, bot: AppServices, group: Group) -> tuple[str, str]:
    """P11–P13 play a challenge on Monday and the question of the day around midnight.

    Returns the prompts of the challenge's first question (everyone missed it) and of the
    question of the day (on space, two of three missed it).
    """
    # P11 keeps a daily streak in private practice: Sunday and Monday.
    p11 = Student(api, 11, "P11")
    p11.clock = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    await _practise(p11, 5)
    p11.clock = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    await _practise(p11, 5)

    post = await group.command(11, "/challenge 3 drill 20s")
    first = question_in(text_of(post)).prompt
    plan = [(False, False, False), (True, True, False), (True, True, True)]
    for rights in plan:
        q = question_in(text_of(group.last))  # type: ignore[arg-type]
        group.clock.advance(seconds=2)
        for player, right in zip((11, 12, 13), rights, strict=True):
            await group.reply(player, right_answer(q) if right else wrong_answer(q))
        await group.time_up()
    # Another class, with one of the same students: none of it counts here.
    other = Group(api, bot, group.clock, chat_id=-1009999)
    await other.command(99, "/challenge 1 drill")
    q = question_in(text_of(other.last))  # type: ignore[arg-type]
    await other.reply(99, wrong_answer(q))
    await other.reply(11, wrong_answer(q))
    await other.time_up()

    await group.command(TEACHER, "/daily 23:30 topic:space")
    cursor = len(api.calls)
    await group.at(datetime(2026, 11, 3, 4, 30, tzinfo=UTC))  # 23:30 Monday in New York
    daily = await group.next_post(cursor)
    q = question_in(text_of(daily))
    group.clock.advance(minutes=15)  # Monday 23:45 there, Tuesday in UTC
    await group.answer(11, wrong_answer(q))
    group.clock.advance(minutes=30)  # Tuesday 00:15
    await group.answer(12, wrong_answer(q))
    await group.answer(13, right_answer(q))
    await group.at(TUESDAY)
    return first, q.prompt


async def test_an_admin_sees_the_weakest_topic_most_missed_question_and_the_week(
    api: FakeBotAPI, bot: AppServices, group: Group
) -> None:
    first, daily = await _play_a_week(api, bot, group)

    refused = text_of(await group.command(12, "/report"))
    assert "Only the group's admins can see the class report" in refused
    assert "Weakest" not in refused

    post = await group.command(TEACHER, "/report")
    shown = text_of(post)
    assert "📊 Class report · 12B History" in shown
    assert "3 students · 12 answers · 50% right" in shown
    # Space: 1 of 3 on the question of the day; drill: 5 of 9 in the challenge.
    assert (
        "Weakest topics (3+ answers)\n1. The space programme: 33% right (1 of 3)\n"
        "2. Drill questions: 56% right (5 of 9)" in shown
    )
    assert f"Most missed questions\n1. “{first}”\n    ✗ 3 of 3 wrong (100%)" in shown
    assert f"2. “{daily[:60]}" in shown and "✗ 2 of 3 wrong (67%)" in shown
    # Days in New York: P11's 23:45 answer was Monday there, though Tuesday in UTC.
    assert "Last 7 days · 3 students took part (America/New_York)" in shown
    assert "Wed 28 Oct: –" in shown
    assert "Mon 2 Nov: 3 students, 10 answers" in shown
    assert "Tue 3 Nov (today): 2 students, 2 answers" in shown
    assert "On a daily streak\nP11 – 2 days" in shown
    assert "P99" not in shown
    assert post.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "r:csv"


async def test_the_csv_goes_privately_to_the_admin_who_taps_the_button(
    api: FakeBotAPI, bot: AppServices, group: Group
) -> None:
    await _play_a_week(api, bot, group)
    post = await group.command(TEACHER, "/report")
    posts = len(group.posts())

    answered = await _tap(group, 12, post)  # a student can't have it
    assert answered.params["text"].startswith("Only the group's admins")
    assert answered.params["show_alert"] is True
    answered = await _tap(group, TEACHER, post)
    assert "Sent to you in our private chat" in answered.params["text"]

    assert api.sent_to(group.id, "sendDocument") == []
    assert len(group.posts()) == posts  # nothing more in the group
    [document] = api.sent_to(TEACHER, "sendDocument")
    assert document.params["document"].filename == "report-12B-History-2026-11-03.csv"
    assert "3 students, as of Tue 3 Nov 2026" in document.params["caption"]
    header, *rows = _rows(document)
    assert header[:6] == [
        "first name",
        "answers",
        "right",
        "accuracy %",
        "last answered",
        "daily streak",
    ]
    assert sorted(header[6:]) == ["Drill questions %", "The space programme %"]
    drill, space = header.index("Drill questions %"), header.index("The space programme %")
    table = {row[0]: row for row in rows}
    assert sorted(table) == ["P11", "P12", "P13"]  # not P99, nor the teacher
    # P11's private practice and other class are not this group's answers; the streak is theirs.
    assert table["P11"][1:6] == ["4", "2", "50", "2026-11-02", "2"]
    assert table["P12"][1:6] == ["4", "2", "50", "2026-11-03", "0"]
    assert table["P13"][1:6] == ["4", "2", "50", "2026-11-03", "0"]
    assert [table[p][drill] for p in ("P11", "P12", "P13")] == ["67", "67", "33"]
    assert [table[p][space] for p in ("P11", "P12", "P13")] == ["0", "0", "100"]


async def test_csv_asks_the_teacher_to_start_a_private_chat_first(
    api: FakeBotAPI, bot: AppServices, group: Group
) -> None:
    await _play_a_week(api, bot, group)
    api.not_started.add(TEACHER)

    post = await group.command(TEACHER, "/report csv")
    assert "I can't send you the CSV yet" in text_of(post)
    [[button]] = post.params["reply_markup"]["inline_keyboard"]
    assert button["url"] == f"https://t.me/{BOT_USERNAME}"
    assert [c.method for c in api.refused] == ["sendDocument"]
    answered = await _tap(group, TEACHER, await group.command(TEACHER, "/report"))
    assert "Open a private chat with me" in answered.params["text"]

    api.not_started.clear()  # the teacher pressed Start
    done = await group.command(TEACHER, "/report csv")
    assert "I've sent you the CSV in our private chat" in text_of(done)
    [document] = api.sent_to(TEACHER, "sendDocument")
    assert len(_rows(document)) == 4


async def test_an_anonymous_admin_is_told_to_ask_as_themselves(
    api: FakeBotAPI, group: Group
) -> None:
    cursor = len(api.calls)
    anonymous = group.message(1087968824, "/report csv", sender_chat=group.chat())
    await api.push(anonymous)
    post = await group.next_post(cursor)
    assert "You're posting as the group" in text_of(post)
    assert not [c for c in api.calls if c.method == "sendDocument"]


async def test_report_in_a_private_chat_without_a_class_says_how(
    api: FakeBotAPI, group: Group
) -> None:
    teacher = Student(api, TEACHER, "Ms T")
    reply = await teacher.say("/report")
    assert "an admin sends /report in the group" in reply
    assert "You have no classes here yet" in reply


async def test_an_empty_group_says_how_to_fill_the_report(group: Group) -> None:
    shown = text_of(await group.command(TEACHER, "/report"))
    assert "No answers in this group yet" in shown


async def test_the_report_follows_a_group_upgraded_to_a_supergroup(
    api: FakeBotAPI, bot: AppServices, clock: FakeClock
) -> None:
    old = Group(api, bot, clock, chat_id=-4005)
    await old.command(11, "/challenge 1 drill")
    q = question_in(text_of(old.last))  # type: ignore[arg-type]
    await old.reply(11, right_answer(q))
    await old.reply(12, wrong_answer(q))
    await old.time_up()
    api.migrated[old.id] = -1004005
    new = Group(api, bot, clock, chat_id=-1004005)
    api.admins[new.id] = {TEACHER}
    await api.push(old.message(1, None, migrate_to_chat_id=new.id))
    await old.settle()

    shown = text_of(await new.command(TEACHER, "/report"))
    assert "2 students · 2 answers · 50% right" in shown

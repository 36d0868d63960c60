"""Group challenges played over the real HTTP stack against the fake Bot API."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.services import AppServices
from tests.fakeapi import FakeBotAPI
from tests.groups import Group, text_of
from tests.support import FakeClock, question_in, right_answer, wrong_answer

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


async def _rows(services: AppServices, sql: str, *params: object) -> list[tuple[object, ...]]:
    assert services.db is not None
    async with services.db.execute(sql, params) as cur:
        return [tuple(r) for r in await cur.fetchall()]


async def test_three_questions_five_players_replying_in_privacy_mode(
    api: FakeBotAPI, bot: AppServices, group: Group, clock: FakeClock
) -> None:
    post = await group.command(1, "/challenge 3 drill 20s")
    text = text_of(post)
    assert "Challenge! 3 questions on Drill questions · 20 s each" in text
    assert "Question 1/3" in text
    # The question opens the reply box, so players in privacy mode answer by replying.
    assert post.params["reply_markup"]["force_reply"] is True
    for number in (1, 2, 3):
        q = question_in(text_of(group.last))  # type: ignore[arg-type]
        clock.advance(seconds=2)
        await group.answer(1, right_answer(q))  # fastest and right
        clock.advance(seconds=3)
        await group.reply(2, right_answer(q))  # right, slower
        await group.reply(3, wrong_answer(q))  # wrong
        await group.reply(4, "🙂")  # not an answer: does not use up P4's go
        await group.reply(4, right_answer(q))  # so this one counts
        # P5 never answers.
        post = await group.time_up()
        shown = text_of(post)
        assert f"The answer: {q.canonical}" in shown
        assert "✅ P1 2.0 s, P2 5.0 s, P4 5.0 s" in shown
        assert "4 answered." in shown
        if number < 3:
            assert "Top 5\n1. P1 – " in shown and f"Question {number + 1}/3" in shown
    # The podium: P1 (fastest) wins; P2 and P4 tie on points and time, and stay in id order.
    assert "🏆 Final results\n🥇 P1 – 2,850\n🥈 P2 – 2,625\n🥉 P4 – 2,625\n4. P3 – 0" in shown
    assert bot.challenges.running_in(group.id) is None
    # One post per question and nothing per answer: 3 questions, 3 results (the first
    # question came with the intro, later ones with the previous results).
    assert len(group.posts()) == 4
    # A reaction acknowledged each counted answer; the emoji got a "can't read that".
    reactions = [
        c.params["reaction"][0]["emoji"] for c in api.calls if c.method == "setMessageReaction"
    ]
    assert reactions.count("👀") == 12 and reactions.count("🤔") == 3
    # Every answer also went into the player's own record, as in private practice.
    rows = await _rows(bot, "SELECT id, answered, correct FROM users WHERE id <= 5 ORDER BY id")
    assert rows == [(1, 3, 3), (2, 3, 3), (3, 3, 0), (4, 3, 3)]
    logged = await _rows(bot, "SELECT DISTINCT chat_id FROM answers WHERE user_id = 1")
    assert logged == [(group.id,)]
    cards = await _rows(bot, "SELECT COUNT(*) FROM cards WHERE user_id = 3")
    assert cards == [(3,)]


async def test_forty_answers_in_the_same_100ms_are_each_counted_exactly_once(
    api: FakeBotAPI, bot: AppServices, group: Group, clock: FakeClock
) -> None:
    await group.command(1, "/challenge 1 drill")
    q = question_in(text_of(group.last))  # type: ignore[arg-type]
    clock.advance(seconds=1)
    # 40 students answer at once, and each sends a second answer straight after.
    for player in range(100, 140):
        typed = right_answer(q) if player % 4 else wrong_answer(q)
        await group.reply(player, typed)
        await group.reply(player, right_answer(q) if not player % 4 else wrong_answer(q))
    post = await group.time_up()
    shown = text_of(post)
    assert "and 20 more" in shown  # 30 right: ten named, the rest counted
    assert "40 answered." in shown
    scored = await _rows(bot, "SELECT user_id, verdict FROM challenge_answers ORDER BY user_id")
    assert len(scored) == 40
    # Exactly the right people scored: the first answer stands, the second changes nothing.
    assert all((v == "wrong") == (u % 4 == 0) for u, v in scored)
    counts = await _rows(bot, "SELECT COUNT(*), SUM(answered) FROM users WHERE id >= 100")
    assert counts == [(40, 40)]
    assert "🥇 P101" in shown


async def test_a_late_answer_scores_nothing_and_gets_no_reply(
    api: FakeBotAPI, bot: AppServices, group: Group, clock: FakeClock
) -> None:
    first = await group.command(1, "/challenge 2 drill")
    await group.time_up()
    # An answer to the first question, after it closed, and a plain one too late for it.
    before = len(group.posts())
    await group.reply(2, right_answer(question_in(text_of(first))), to=first)
    await group.settle()
    assert len(group.posts()) == before
    assert not any(c.method == "setMessageReaction" for c in api.calls)
    assert await _rows(bot, "SELECT COUNT(*) FROM challenge_answers") == [(0,)]
    # After the deadline but before the timer fired: still late.
    q = question_in(text_of(group.last))  # type: ignore[arg-type]
    clock.advance(seconds=31)
    await group.reply(3, right_answer(q))
    await group.settle()
    assert await _rows(bot, "SELECT COUNT(*) FROM challenge_answers") == [(0,)]


async def test_only_the_starter_or_an_admin_can_end_a_challenge(
    api: FakeBotAPI, bot: AppServices, group: Group, clock: FakeClock
) -> None:
    await group.command(1, "/challenge drill")
    refused = await group.command(2, "/endchallenge")
    assert "Only the player who started this challenge or a group admin" in text_of(refused)
    assert bot.challenges.running_in(group.id) is not None
    api.admins[group.id] = {9}
    ended = await group.command(9, "/endchallenge")
    assert "Challenge stopped." in text_of(ended)
    assert bot.challenges.running_in(group.id) is None
    # Its timer is gone too: nothing more is posted when the time would have run out.
    before = len(group.posts())
    clock.advance(seconds=60)
    bot.timers.nudge()
    await group.settle()
    assert len(group.posts()) == before
    nothing = await group.command(1, "/endchallenge")
    assert "No challenge is running" in text_of(nothing)
    # The starter may end their own.
    await group.command(2, "/challenge drill")
    assert "Challenge stopped." in text_of(await group.command(2, "/endchallenge"))


async def test_one_challenge_at_a_time_and_bad_requests_get_clear_answers(
    group: Group,
) -> None:
    await group.command(1, "/challenge drill")
    again = text_of(await group.command(2, "/challenge"))
    assert "already running (question 1 of 4)" in again
    assert "between 10" not in again
    await group.command(1, "/endchallenge")
    assert "10 to 120 seconds" in text_of(await group.command(1, "/challenge 5s"))
    assert "1 to 30 questions" in text_of(await group.command(1, "/challenge 500"))
    assert "don't know a topic" in text_of(await group.command(1, "/challenge astrology"))
    assert "no multiple-choice questions on Exam" in text_of(
        await group.command(1, "/challenge poll exam")
    )


async def test_leaderboard_shows_this_week_and_all_time(group: Group, clock: FakeClock) -> None:
    empty = text_of(await group.command(1, "/leaderboard"))
    assert "No challenge scores in this group yet" in empty
    await group.command(1, "/challenge 1 drill")
    clock.advance(seconds=1)
    await group.answer(1, right_answer(question_in(text_of(group.last))))  # type: ignore[arg-type]
    await group.time_up()
    clock.advance(days=7)  # next week
    await group.command(2, "/challenge 1 drill")
    clock.advance(seconds=1)
    await group.answer(2, right_answer(question_in(text_of(group.last))))  # type: ignore[arg-type]
    await group.time_up()
    board = text_of(await group.command(1, "/leaderboard"))
    week, _, ever = board.partition("All time")
    assert "P2" in week and "P1" not in week
    assert re.search(r"1\. P\d – 983\n2\. P\d – 983", ever)


async def test_a_ten_question_challenge_with_thirty_players_stays_under_twenty_a_minute(
    api: FakeBotAPI, bot: AppServices, group: Group, clock: FakeClock
) -> None:
    await group.command(1, "/challenge 10 10s")
    for _ in range(10):
        q = question_in(text_of(group.last))  # type: ignore[arg-type]
        for player in range(200, 230):
            clock.advance(seconds=0.1)
            await group.reply(player, right_answer(q) if player % 3 else wrong_answer(q))
        await group.time_up()
    assert "Final results" in text_of(group.last)  # type: ignore[arg-type]
    assert api.flooded == []
    assert api.max_per_minute(group.id) <= 20
    assert len(group.posts()) == 11
    answered = await _rows(bot, "SELECT COUNT(*) FROM challenge_answers")
    assert answered == [(300,)]


async def test_challenge_commands_in_a_private_chat_point_to_groups(
    api: FakeBotAPI, bot: AppServices, group: Group
) -> None:
    cursor = len(api.calls)
    await api.push(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 42, "type": "private"},
                "from": {"id": 42, "is_bot": False, "first_name": "Ana"},
                "text": "/challenge",
                "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
            }
        }
    )
    reply = await api.wait_for(lambda c: c.params.get("chat_id") == 42, after=cursor)
    assert "Challenges are played in groups" in reply.params["text"]


async def test_group_help_explains_replying_and_the_group_menu_is_registered(
    api: FakeBotAPI, group: Group
) -> None:
    shown = text_of(await group.command(1, "/help"))
    assert "Answer by replying to the question" in shown
    assert "/challenge" in shown and "/leaderboard" in shown
    group_menu = {c["command"] for c in api.menus["all_group_chats"]}
    assert {"challenge", "leaderboard", "endchallenge"} <= group_menu
    assert "challenge" not in {c["command"] for c in api.commands}
    assert "/daily 08:30" in shown and "/report" in shown  # what a teacher can do here
    # A private-chat command typed in the group says where it works, rather than nothing.
    for command in ("/stats", "/newclass 12B", "/push"):
        pointer = await group.command(2, command)
        assert "works in a private chat with me" in text_of(pointer)
        assert pointer.params["reply_markup"]["inline_keyboard"][0][0]["url"].startswith(
            "https://t.me/"
        )

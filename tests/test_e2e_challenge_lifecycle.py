"""Group challenges across restarts, in poll mode, and when the group itself changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services import AppServices
from tests.fakeapi import FakeBotAPI
from tests.groups import Group, message_id, text_of
from tests.support import (
    FakeClock,
    eventually,
    question_in,
    right_answer,
    running_bot,
)

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(api: FakeBotAPI) -> FakeClock:
    """The bot's clock, which the fake API's per-group rate window follows too."""
    fake = FakeClock(START)
    api.clock = lambda: fake.now().timestamp()
    return fake


async def _count(services: AppServices, sql: str, *params: object) -> int:
    assert services.db is not None
    async with services.db.execute(sql, params) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def test_a_restart_mid_question_keeps_the_time_left_then_closes_on_time(
    api: FakeBotAPI, settings: Settings, clock: FakeClock
) -> None:
    async with running_bot(settings, clock=clock) as app:
        group = Group(api, app.bot_data, clock)
        first = await group.command(1, "/challenge 2 drill")
        q = question_in(text_of(first))
        clock.advance(seconds=5)
        await group.answer(1, right_answer(q))
    clock.advance(seconds=10)  # down for ten seconds, mid-question
    async with running_bot(settings, clock=clock) as app:
        group.services = app.bot_data
        running = app.bot_data.challenges.running_in(group.id)
        assert running is not None and running.message_id == message_id(first)
        # The question closes when it always would have: 30 s after it was asked.
        timer = f"challenge:{running.id}"
        assert app.bot_data.timers.when(timer) == START + timedelta(seconds=30)
        clock.advance(seconds=3)
        await group.answer(2, right_answer(q), to=first)  # still open: it counts
        post = await group.time_up()
        assert "✅ P1 5.0 s, P2 18.0 s" in text_of(post)
        assert "Question 2/2" in text_of(post)
        assert await _count(app.bot_data, "SELECT COUNT(*) FROM challenge_answers") == 2
    clock.advance(seconds=300)  # down past the second question's deadline
    cursor = len(api.calls)
    async with running_bot(settings, clock=clock) as app:
        group.services = app.bot_data
        # Closed cleanly at start-up, and finished: nothing is left hanging.
        final = await group.next_post(cursor)
        assert "Final results" in text_of(final)
        await eventually(lambda: _none_running(app.bot_data, group.id))
        assert (
            await _count(app.bot_data, "SELECT COUNT(*) FROM challenges WHERE status = 'running'")
            == 0
        )


async def _none_running(services: AppServices, chat_id: int) -> bool:
    return services.challenges.running_in(chat_id) is None


async def _no_schedule(services: AppServices, chat_id: int) -> bool:
    return services.dailies.schedule_of(chat_id) is None


async def test_a_question_lost_in_a_crash_is_posted_again_after_the_restart(
    api: FakeBotAPI, settings: Settings, clock: FakeClock
) -> None:
    async with running_bot(settings, clock=clock) as app:
        group = Group(api, app.bot_data, clock)
        await group.command(1, "/challenge 2 drill")
        await group.time_up()
        # As if the bot died after moving on but before posting question 2.
        assert app.bot_data.db is not None
        await app.bot_data.db.execute("UPDATE challenges SET asked_at = NULL, message_id = NULL")
    cursor = len(api.calls)
    async with running_bot(settings, clock=clock) as app:
        group.services = app.bot_data
        post = await group.next_post(cursor)
        assert "I'm back – the challenge goes on." in text_of(post)
        assert "Question 2/2" in text_of(post)
        assert "Challenge over." in text_of(await group.time_up())


async def test_poll_mode_scores_quiz_poll_votes_the_same_way(
    api: FakeBotAPI, settings: Settings, clock: FakeClock
) -> None:
    async with running_bot(settings, clock=clock) as app:
        group = Group(api, app.bot_data, clock)
        cursor = len(api.calls)
        await api.push(group.message(1, "/challenge poll 2 20s"))
        intro = await group.next_post(cursor, method="sendMessage")
        assert "Vote in each quiz poll" in text_of(intro)
        poll = await group.next_post(cursor, method="sendPoll")
        params = poll.params
        assert params["type"] == "quiz" and params["is_anonymous"] is False
        assert params["open_period"] == 20
        (right,) = params["correct_option_ids"]
        wrong = (right + 1) % len(params["options"])
        clock.advance(seconds=2)
        await group.vote(1, poll, right)
        await group.vote(1, poll, wrong)  # a second vote changes nothing
        clock.advance(seconds=4)
        await group.vote(2, poll, wrong)
        clock.advance(seconds=4)
        await group.vote(3, poll, right)
        results = await group.time_up(method="sendMessage")
        shown = text_of(results)
        assert "✅ P1 2.0 s, P3 10.0 s" in shown and "3 answered." in shown
        second = await group.next_post(len(api.calls) - 1, method="sendPoll")
        assert second.params["question"].startswith("2/2: ")
        # A vote on the closed first poll is late.
        await group.vote(2, poll, right)
        final = text_of(await group.time_up(method="sendMessage"))
        assert "🥇 P1 – 950\n🥈 P3 – 750\n🥉 P2 – 0" in final
        scored = "SELECT COUNT(*) FROM challenge_answers"
        assert await _count(app.bot_data, scored) == 3
        # Votes count in each student's own record too.
        assert await _count(app.bot_data, "SELECT answered FROM users WHERE id = 1") == 1


async def test_a_group_upgraded_to_a_supergroup_keeps_its_game_and_leaderboard(
    api: FakeBotAPI, settings: Settings, clock: FakeClock
) -> None:
    async with running_bot(settings, clock=clock) as app:
        old = Group(api, app.bot_data, clock, chat_id=-4001)
        first = await old.command(1, "/challenge 2 drill")
        q = question_in(text_of(first))
        clock.advance(seconds=1)
        await old.answer(1, right_answer(q))
        # Telegram tells the old group it moved, and the bot can't post there any more.
        api.migrated[old.id] = -1004001
        new = Group(api, app.bot_data, clock, chat_id=-1004001)
        cursor = len(api.calls)
        await api.push(old.message(1, None, migrate_to_chat_id=-1004001))
        # The old group's messages can't be replied to from the new one: the question
        # comes again there, on its original clock.
        again = await new.next_post(cursor)
        assert "The group moved – here is the question again." in text_of(again)
        assert question_in(text_of(again)) == q
        assert app.bot_data.challenges.running_in(old.id) is None
        moved = app.bot_data.challenges.running_in(new.id)
        assert moved is not None and moved.asked_at == START
        # The supergroup's own service message about the same move changes nothing more.
        await api.push(new.message(1, None, migrate_from_chat_id=old.id))
        clock.advance(seconds=1)
        await new.answer(2, right_answer(q))
        post = await new.time_up()
        assert "✅ P1 1.0 s, P2 2.0 s" in text_of(post)
        board = text_of(await new.command(3, "/leaderboard"))
        assert "P1 – 983" in board and "P2 – 967" in board
        # It never posted to the old id again (a background reaction may have tried).
        assert [c for c in api.refused if c.method != "setMessageReaction"] == []


async def test_a_move_found_only_when_posting_is_followed_too(
    api: FakeBotAPI, settings: Settings, clock: FakeClock
) -> None:
    async with running_bot(settings, clock=clock) as app:
        old = Group(api, app.bot_data, clock, chat_id=-4002)
        api.admins[old.id] = {1}
        await old.command(1, "/daily 08:30 topic:drill")
        await old.command(1, "/challenge 2 drill")
        api.migrated[old.id] = -1004002
        new = Group(api, app.bot_data, clock, chat_id=-1004002)
        cursor = len(api.calls)
        await old.run_out()
        post = await new.next_post(cursor)
        assert "Question 2/2" in text_of(post)
        assert [c.params["chat_id"] for c in api.refused] == [old.id]
        assert app.bot_data.challenges.running_in(new.id) is not None
        # Everything the group owns followed it, not just the game that found the move.
        assert app.bot_data.dailies.schedule_of(new.id) is not None
        assert app.bot_data.dailies.schedule_of(old.id) is None


async def test_removing_the_bot_stops_the_groups_game_without_errors(
    api: FakeBotAPI, settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(settings, clock=clock) as app:
        group = Group(api, app.bot_data, clock)
        await group.command(1, "/challenge drill")
        await api.push(group.bot_membership("left"))
        await group.settle()
        assert app.bot_data.challenges.running_in(group.id) is None
        before = len(api.calls)
        clock.advance(seconds=60)
        app.bot_data.timers.nudge()
        await group.settle()
        assert [c.method for c in api.calls[before:]] == ["sendMessage"]  # only settle's /help
        # Kicked without a word: the next post is refused, and the game ends quietly.
        other = Group(api, app.bot_data, clock, chat_id=-1009)
        api.admins[other.id] = {1}
        await other.command(1, "/daily 08:30")
        await other.command(1, "/challenge drill")
        api.kicked.add(other.id)
        await other.run_out()
        await eventually(lambda: _none_running(app.bot_data, other.id))
        # The group's schedule went with it, though only the game's post found out (a
        # moment later: the game is dropped first).
        await eventually(lambda: _no_schedule(app.bot_data, other.id))
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_a_failed_results_post_is_retried_with_the_results(
    api: FakeBotAPI, settings: Settings, clock: FakeClock
) -> None:
    async with running_bot(settings, clock=clock) as app:
        group = Group(api, app.bot_data, clock)
        first = await group.command(1, "/challenge 2 drill")
        clock.advance(seconds=1)
        await group.answer(1, right_answer(question_in(text_of(first))))
        api.fail("sendMessage", 502)  # Telegram hiccups as time runs out
        await group.run_out()
        await eventually(lambda: _refused(api))
        cursor = len(api.calls)
        clock.advance(seconds=5)
        app.bot_data.timers.nudge()
        post = await group.next_post(cursor)
        # The retry still tells the group what the answer was and who got it.
        assert "Time's up!" in text_of(post) and "✅ P1 1.0 s" in text_of(post)
        assert "Question 2/2" in text_of(post)


async def _refused(api: FakeBotAPI) -> bool:
    return bool(api.refused)


async def test_a_bank_removed_across_a_restart_ends_the_game_cleanly(
    api: FakeBotAPI, settings: Settings, clock: FakeClock
) -> None:
    async with running_bot(settings, clock=clock) as app:
        group = Group(api, app.bot_data, clock)
        await group.command(1, "/challenge 3 drill")
        await group.time_up()  # question 2 of 3 is open when the bot stops
    clock.advance(seconds=5)
    without_drill = replace(settings, bank_paths=())
    async with running_bot(without_drill, clock=clock) as app:
        group.services = app.bot_data
        final = await group.time_up()
        assert "Challenge over." in text_of(final) or "Final results" in text_of(final)
        assert app.bot_data.challenges.running_in(group.id) is None
        # The group can play again at once.
        again = await group.command(1, "/challenge 1")
        assert "Question 1/1" in text_of(again)


async def test_poll_mode_sends_bank_text_with_html_characters_as_plain_text(
    api: FakeBotAPI, settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    bank = tmp_path / "signs.yaml"
    bank.write_text(
        "bank: signs\ntitle: Signs\ntopics:\n  - id: signs\n    name: Signs & symbols\n"
        "questions:\n  - id: lt\n    topic: signs\n    type: choice\n"
        '    prompt: "Which is true: 2 < 3 & 3 > 2?"\n'
        '    choices: ["<b>both</b>", "neither & none"]\n    answer: "<b>both</b>"\n'
        '    explanation: "Both hold: 2 < 3 and 3 > 2."\n    source: [notes]\n',
        encoding="utf-8",
    )
    with_signs = replace(settings, bank_paths=(*settings.bank_paths, str(bank)))
    async with running_bot(with_signs, clock=clock) as app:
        group = Group(api, app.bot_data, clock)
        cursor = len(api.calls)
        await api.push(group.message(1, "/challenge poll signs"))
        poll = await group.next_post(cursor, method="sendPoll")
        assert poll.params["question"] == "1/1: Which is true: 2 < 3 & 3 > 2?"
        options = sorted(o["text"] for o in poll.params["options"])  # shown shuffled
        assert options == ["<b>both</b>", "neither & none"]
        assert poll.params.get("question_parse_mode") is None


async def test_a_move_into_a_chat_with_its_own_game_ends_the_old_one_quietly(
    api: FakeBotAPI, settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(settings, clock=clock) as app:
        old = Group(api, app.bot_data, clock, chat_id=-4003)
        new = Group(api, app.bot_data, clock, chat_id=-1004003)
        await old.command(1, "/challenge drill")
        await new.command(2, "/challenge drill")
        await api.push(old.message(1, None, migrate_to_chat_id=new.id))
        await old.settle()
        assert app.bot_data.challenges.running_in(old.id) is None
        running = app.bot_data.challenges.running_in(new.id)
        assert running is not None and running.starter_id == 2
        assert "Time's up!" in text_of(await new.time_up())
    assert not [r for r in caplog.records if r.levelname == "ERROR"]

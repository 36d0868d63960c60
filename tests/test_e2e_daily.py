"""The question of the day in a group, on a simulated clock, through the fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Settings
from bot.services import AppServices
from tests.fakeapi import FakeBotAPI
from tests.groups import TEACHER, Group, text_of
from tests.support import FakeClock, question_in, right_answer, running_bot, wrong_answer

# A Thursday: the UK leaves summer time on the 25th. The shared `clock` fixture starts here.
START = datetime(2026, 10, 22, 12, 0, tzinfo=UTC)


async def test_only_admins_set_the_daily_question_and_anyone_can_see_it(
    group: Group,
) -> None:
    refused = text_of(await group.command(2, "/daily 08:30"))
    assert "Only the group's admins" in refused
    assert "No question of the day is set" in text_of(await group.command(2, "/daily"))
    done = text_of(await group.command(TEACHER, "/daily 08:30 mon-fri topic:drill"))
    assert "at 08:30 (Europe/London), Monday to Friday on Drill questions" in done
    assert "Friday 23 October at 08:30" in done
    shown = text_of(await group.command(2, "/daily"))
    assert "08:30" in shown and "Monday to Friday" in shown
    assert "didn't understand “someday”" in text_of(
        await group.command(TEACHER, "/daily 08:30 someday")
    )
    assert "HH:MM" in text_of(await group.command(TEACHER, "/daily 25:00"))
    assert "not a time zone" in text_of(await group.command(TEACHER, "/daily 8:30 tz:Mars/Base"))
    assert "is off" in text_of(await group.command(TEACHER, "/daily off"))
    assert "No question of the day is set" in text_of(await group.command(2, "/daily"))


async def test_the_question_keeps_its_local_time_across_the_clock_change(
    api: FakeBotAPI, bot: AppServices, group: Group
) -> None:
    await group.command(TEACHER, "/daily 08:30 mon-fri topic:drill")
    schedule = bot.dailies.schedule_of(group.id)
    assert schedule is not None
    friday = datetime(2026, 10, 23, 7, 30, tzinfo=UTC)  # 08:30 BST
    monday = datetime(2026, 10, 26, 8, 30, tzinfo=UTC)  # 08:30 GMT, after the change
    assert bot.timers.when(f"daily:{schedule.id}") == friday
    cursor = len(api.calls)
    await group.at(friday)
    post = await group.next_post(cursor)
    # Answers close 12 hours later: 19:30 UTC, shown in the group's own time (BST).
    assert "Question of the day" in text_of(post) and "by 20:30" in text_of(post)
    assert post.params["reply_markup"]["force_reply"] is True
    # No question at the weekend: the next one is Monday, still at 08:30 local time.
    assert bot.timers.when(f"daily:{schedule.id}") == monday
    cursor = len(api.calls)
    await group.at(monday)
    assert "Question of the day" in text_of(await group.next_post(cursor))


async def test_results_at_the_deadline_show_the_most_common_wrong_answers(
    api: FakeBotAPI, bot: AppServices, group: Group
) -> None:
    await group.command(TEACHER, "/daily 08:30 topic:drill")
    cursor = len(api.calls)
    await group.at(datetime(2026, 10, 23, 7, 30, tzinfo=UTC))
    post = await group.next_post(cursor)
    q = question_in(text_of(post))
    wrong = wrong_answer(q)
    group.clock.advance(minutes=30)
    await group.answer(11, right_answer(q))
    await group.answer(12, wrong)
    await group.answer(13, wrong.upper())  # the same misconception, typed differently
    await group.answer(14, right_answer(q))
    await group.answer(14, wrong)  # a second reply changes nothing
    await group.answer(15, "Malenkov" if wrong != "Malenkov" else "Beria")
    cursor = len(api.calls)
    await group.at(datetime(2026, 10, 23, 19, 30, tzinfo=UTC))
    results = text_of(await group.next_post(cursor))
    assert f"Answer: {q.canonical}" in results
    assert "✅ 2 of 5 right (40%)" in results
    assert "🙋 Answered: P11, P12, P13, P14, P15" in results
    # A group of classmates never learns who got it wrong: that is for the teacher's report.
    assert "Right:" not in results and "Not yet" not in results
    assert f"Most common wrong answers: “{wrong}” ×2, " in results
    # The answers count in each student's own record too.
    assert bot.db is not None
    async with bot.db.execute("SELECT answered, correct FROM users WHERE id = 14") as cur:
        assert tuple(await cur.fetchone() or ()) == (1, 1)
    # A reply after the results is too late.
    await group.answer(16, right_answer(q), to=post)
    async with bot.db.execute("SELECT COUNT(*) FROM daily_answers") as cur:
        assert tuple(await cur.fetchone() or ()) == (5,)


async def test_a_question_missed_while_down_is_sent_once_after_the_restart(
    api: FakeBotAPI, settings: Settings, clock: FakeClock
) -> None:
    async with running_bot(settings, clock=clock) as app:
        group = Group(api, app.bot_data, clock)
        api.admins[group.id] = {TEACHER}
        await group.command(TEACHER, "/daily 08:30 topic:drill")
    clock.moment = datetime(2026, 10, 23, 9, 0, tzinfo=UTC)  # down through 08:30 BST
    cursor = len(api.calls)
    async with running_bot(settings, clock=clock) as app:
        group.services = app.bot_data
        late = await group.next_post(cursor)
        assert "Question of the day" in text_of(late)
    posts = len(group.posts())
    async with running_bot(settings, clock=clock) as app:  # and again: nothing new
        group.services = app.bot_data
        await group.settle()
        assert len(group.posts()) == posts
    clock.moment = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)  # down past the next deadline
    async with running_bot(settings, clock=clock) as app:
        group.services = app.bot_data
        await group.settle()
        schedule = app.bot_data.dailies.schedule_of(group.id)
        assert schedule is not None
        # Saturday's was missed beyond its deadline: skipped, and Sunday's is armed.
        texts = [text_of(c) for c in group.posts()[posts:]]
        assert not any("Question of the day ·" in t for t in texts)
        sunday = datetime(2026, 10, 25, 8, 30, tzinfo=UTC)  # 08:30 GMT: the clocks went back
        assert app.bot_data.timers.when(f"daily:{schedule.id}") == sunday


async def test_no_question_for_a_time_already_past_and_none_twice_after_a_change(
    api: FakeBotAPI, settings: Settings, clock: FakeClock
) -> None:
    clock.moment = datetime(2026, 10, 23, 12, 0, tzinfo=UTC)  # Friday, after 08:30 BST
    async with running_bot(settings, clock=clock) as app:
        group = Group(api, app.bot_data, clock)
        api.admins[group.id] = {TEACHER}
        await group.command(TEACHER, "/daily 08:30 topic:drill")
        before = len(group.posts())
    clock.advance(hours=1)
    async with running_bot(settings, clock=clock) as app:  # a restart the same day
        group.services = app.bot_data
        await group.settle()
        assert len(group.posts()) == before  # 08:30 today was before it was set: nothing
        cursor = len(api.calls)
        await group.at(datetime(2026, 10, 24, 7, 30, tzinfo=UTC))  # Saturday 08:30 BST
        assert "Question of the day" in text_of(await group.next_post(cursor))
        # The teacher moves the time to later the same day: no second question today.
        await group.command(TEACHER, "/daily 09:45 topic:drill")
        after = len(group.posts())
    clock.moment = datetime(2026, 10, 24, 9, 0, tzinfo=UTC)  # 10:00 BST
    async with running_bot(settings, clock=clock) as app:
        group.services = app.bot_data
        await group.settle()
        assert len(group.posts()) == after


async def test_a_move_into_a_supergroup_with_its_own_schedule_keeps_that_one(
    api: FakeBotAPI, bot: AppServices, clock: FakeClock
) -> None:
    old = Group(api, bot, clock, chat_id=-5001)
    new = Group(api, bot, clock, chat_id=-1005001)
    api.admins[old.id] = api.admins[new.id] = {TEACHER}
    await old.command(TEACHER, "/daily 08:30 topic:drill")
    await new.command(TEACHER, "/daily 17:00 topic:drill")
    kept = bot.dailies.schedule_of(new.id)
    dropped = bot.dailies.schedule_of(old.id)
    assert kept is not None and dropped is not None
    await api.push(old.message(TEACHER, None, migrate_to_chat_id=new.id))
    await new.settle()
    # The teacher sees the supergroup's own schedule, as the database keeps it.
    shown = text_of(await new.command(2, "/daily"))
    assert "17:00" in shown and "08:30" not in shown
    assert bot.dailies.schedule_of(old.id) is None
    # Friday 08:30 (BST) passes with no question; 17:00 brings one, once.
    cursor = len(api.calls)
    await new.at(datetime(2026, 10, 23, 7, 30, tzinfo=UTC))
    await new.at(datetime(2026, 10, 23, 16, 0, tzinfo=UTC))
    await new.next_post(cursor)
    posts = [c for c in api.calls[cursor:] if "Question of the day" in str(c.params.get("text"))]
    assert [c.params["chat_id"] for c in posts] == [new.id]

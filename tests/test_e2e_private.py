"""A student in a private chat, played over the real HTTP stack against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import sys

from bot.config import Settings
from bot.services import AppServices
from storage.repository import Repository
from tests.fakeapi import FakeBotAPI
from tests.support import Student, question_in, right_answer, running_bot, seen, wrong_answer


async def test_start_greets_and_registers_the_command_menu(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 501, "Ana")
    reply = await ana.say("/start")
    assert "Hi, Ana!" in reply
    assert "quiz tutor" in reply
    assert any(label.startswith("▶️ Start a quiz") for label, _ in ana.buttons())
    menu = {c["command"] for c in api.commands}
    assert {"quiz", "skip", "stop", "stats", "topics", "help"} <= menu


async def test_a_drill_round_grades_right_wrong_partial_and_typo_answers(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 502)
    text = await ana.say("/quiz drill")
    assert "New round: 4 questions on Drill questions" in text
    assert "Question 1/4" in text
    asked: list[str] = []
    while "Round over" not in text:
        q = question_in(text)
        first_time = q.id not in asked
        asked.append(q.id)
        typed = (
            {
                "leader": "kruschev",  # a transliteration variant: correct
                "speech-year": "1965",  # digits swapped: a different year, always wrong
                "successors": "Brezhnev",  # one part of two
            }.get(q.id, right_answer(q))
            if first_time
            else right_answer(q)
        )
        text = await ana.say(typed)
        if q.id == "speech-year" and first_time:
            assert "❌ Not quite" in text and "The answer is 1956" in text
            assert q.explanation in text
            assert "↩️ It will come back later in this round." in text
        elif q.id == "successors" and first_time:
            assert "🟡 Partly right – you missed Kosygin." in text
            assert "The full answer is Brezhnev and Kosygin." in text
        else:
            assert "✅ Correct" in text, text
    # The miss and the partial came back once each, later in the round, and were answered.
    assert sorted(asked) == sorted(
        ["leader", "premier", "speech-year", "speech-year", "successors", "successors"]
    )
    assert asked.index("speech-year") + 1 < len(asked) - asked[::-1].index("speech-year") - 1
    assert "Score: 4/6" in text
    answers = await Repository(services.db).answers(502)
    verdicts = sorted(a.verdict for a in answers)
    assert verdicts == ["correct", "correct", "correct", "correct", "partial", "wrong"]
    assert {a.typed for a in answers} >= {"kruschev", "1965", "Brezhnev"}


async def test_a_long_sentence_is_asked_to_be_shorter_not_marked_wrong(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 513)
    await ana.reach("leader")
    assert "Keep it short" in await ana.say("I am pretty sure it must have been Khrushchev himself")
    assert "✅ Correct" in await ana.say("Khrushchev")


async def test_one_letter_typo_in_a_long_word_is_accepted_with_the_spelling_shown(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 503)
    await ana.reach("leader")
    text = await ana.say("Khrushchwv")
    assert "✅ Correct – watch the spelling: Khrushchev" in text


async def test_choice_question_by_button_and_stale_buttons_are_refused(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 504)
    await ana.reach("premier")
    old_buttons = ana.buttons()
    assert sorted(label[3:] for label, _ in old_buttons) == ["Beria", "Bulganin", "Molotov"]
    assert [label[0] for label, _ in old_buttons] == ["A", "B", "C"]
    reply = await ana.tap("Bulganin")
    assert "✅ Correct! The answer is Bulganin." in seen(reply)
    # Tapping the same (now settled) question's button again changes nothing.
    before = len(api.sent(504))
    toast = await ana.tap_data(old_buttons[0][1], expect_message=False)
    assert "already done" in toast.params["text"]
    assert len(api.sent(504)) == before


async def test_skip_stop_and_stats(api: FakeBotAPI, services: AppServices) -> None:
    ana = Student(api, 505)
    text = await ana.say("/quiz 4")
    started = ana.clock
    text = await ana.answer(text)
    assert text.startswith("✅")
    text = await ana.answer(text, right=False)
    assert text.startswith("❌")
    text = await ana.say("/skip")
    # The wrong answer's question was put back in the round, so it is now 5 long.
    assert text.startswith("⏭ Skipped.") and "Question 4/5" in text
    text = await ana.say("/stop")
    assert "Round over" in text
    assert "Score: 1/3 (stopped after 3 of 5)" in text
    assert "Answer streak: 0 (best 1)" in text
    # Rounds are timed by the messages' own dates, which the student's clock sets.
    assert f"time {int((ana.clock - started).total_seconds())} s" in text
    assert "no round to stop" in await ana.say("/stop")
    stats = await ana.say("/stats")
    assert "Answered: 3 · accuracy 33%" in stats
    assert "Answer streak: 0 (best 1)" in stats


async def test_stats_name_the_weakest_topic_after_three_answers(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 506)
    text = await ana.say("/quiz drill")
    for _ in range(3):
        text = await ana.say(wrong_answer(question_in(text)))
    stats = await ana.say("/stats")
    # Three misses against the default prior (0.6, worth 3 answers):
    # (1.8 + 0) / (3 + 1 + 0.85 + 0.72) = 0.32.
    assert "███░░░░░░░  32% Drill questions (weak)" in stats
    assert "Send /weak to practise your weakest topics." in stats
    reply = await ana.say("/weak")
    assert "💪 Practice on your weakest topics:" in reply
    assert "• Drill questions: 0 of 3 right, mastery 32%" in reply
    assert question_in(reply).topic == "drill"


async def test_topics_buttons_start_a_round_on_that_topic(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 507)
    await ana.say("/topics")
    labels = [label for label, _ in ana.buttons()]
    assert "The space programme" in labels and "Drill questions" in labels
    reply = seen(await ana.tap("The space programme"))
    assert "questions on The space programme" in reply
    assert question_in(reply).topic == "space"


async def test_a_restart_in_the_middle_of_a_round_resumes_it(
    api: FakeBotAPI, settings: Settings
) -> None:
    ana = Student(api, 508)
    async with running_bot(settings):
        text = await ana.say("/quiz 5")
        text = await ana.answer(text)
        pending = await ana.answer(text)
        assert "Question 3/5" in pending
    async with running_bot(settings, seed=99) as app:
        text = await ana.answer(pending)
        assert text.startswith("✅")
        assert "Question 4/5" in text
        answers = await Repository(app.bot_data.db).answers(508)
        assert len(answers) == 3 and all(a.verdict == "correct" for a in answers)


async def test_a_button_from_before_a_restart_still_answers_the_current_question(
    api: FakeBotAPI, settings: Settings
) -> None:
    ana = Student(api, 509)
    async with running_bot(settings):
        await ana.reach("premier")
    async with running_bot(settings):
        reply = await ana.tap("Bulganin")  # the options keep their places across a restart
        assert "✅ Correct" in seen(reply)


async def test_a_typed_letter_means_the_option_shown_with_that_letter(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 510)
    await ana.reach("premier")
    letter = ana.letter_for("Bulganin")
    assert "✅ Correct! The answer is Bulganin." in await ana.say(letter.lower())
    logged = (await Repository(services.db).answers(510))[-1]
    assert (logged.question_id, logged.typed, logged.verdict) == (
        "premier",
        letter.lower(),
        "correct",
    )


async def test_an_old_start_button_shows_the_running_round_instead_of_replacing_it(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 511)
    await ana.say("/start")
    start_button = ana.buttons()[0][1]
    text = await ana.say("/quiz 5")
    text = await ana.answer(text)
    pending = question_in(text)
    reply = seen(await ana.tap_data(start_button))
    assert "You're in the middle of a round" in reply
    assert question_in(reply) == pending and "Question 2/5" in reply
    assert (await ana.answer(reply)).startswith("✅")


async def test_start_during_a_round_shows_the_question_again(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 512)
    await ana.reach("premier")
    reply = await ana.say("/start")
    assert "Hi, Ana!" in reply and question_in(reply).id == "premier"
    assert "✅ Correct" in seen(await ana.tap("Bulganin"))


async def test_i_was_right_rescores_a_wrong_answer_once_and_lists_it_for_the_teacher(
    api: FakeBotAPI, services: AppServices, settings: Settings
) -> None:
    ana, ben = Student(api, 514, "Ana"), Student(api, 515, "Ben")
    await ana.reach("leader")
    reply = await ana.say("Krushchov the great")  # wrong by the rules; Ana disagrees
    assert "❌ Not quite" in reply
    label, data = ana.buttons()[0]
    assert label == "🙋 I was right (last answer)"
    await ben.say("/start")
    assert "no longer valid" in (await ben.tap_data(data, expect_message=False)).params["text"]
    toast = await ana.tap_data(data, expect_message=False)
    assert toast.params["text"] == "Marked as right ✓ Your teacher will check it."
    again = await ana.tap_data(data, expect_message=False)
    assert "Already noted" in again.params["text"]
    stats = await ana.say("/stats")
    assert "Includes 1 answer you marked right" in stats
    [dispute] = await Repository(services.db).disputes()
    assert (dispute.question_id, dispute.typed, dispute.user_id) == (
        "leader",
        "Krushchov the great",
        514,
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "disputes",
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "QUIZBOT_DB": settings.db_path},
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    listing = out.decode()
    assert proc.returncode == 0
    assert "1 open dispute" in listing and "drill:leader (1)" in listing
    assert "'Krushchov the great'  user 514" in listing


async def test_no_i_was_right_button_on_a_right_answer(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 516)
    await ana.reach("leader")
    await ana.say("Khrushchev")
    assert not any(label.startswith("🙋") for label, _ in ana.buttons())


async def test_an_exam_question_shows_the_mark_scheme_and_takes_the_students_own_mark(
    api: FakeBotAPI, settings: Settings
) -> None:
    ana = Student(api, 517)
    async with running_bot(settings):
        text = await ana.say("/quiz exam")
        assert "Give two aims of de-Stalinisation. (2 marks)" in text
        assert "compare it with the mark scheme" in text
        scheme = await ana.say("it stopped the terrer and let people speak")
        assert "📝 Mark scheme (2 marks):" in scheme
        assert "☑️ Reduce the terror and oppression of Stalin's rule" in scheme  # a typo is fine
        assert "▫️ Dismantle the cult of personality" in scheme
        assert "Mark your answer first" in await ana.say("what now?")
    async with running_bot(settings) as app:  # the answer waits across a restart
        reply = seen(await ana.tap("🟡 Some of them"))
        assert "🟡 Some of the points, by your own marking." in reply and "Round over" in reply
        [logged] = await Repository(app.bot_data.db).answers(517)
    assert (logged.question_id, logged.verdict) == ("aims-2-marks", "partial")
    assert logged.typed == "it stopped the terrer and let people speak"


async def test_an_exam_answer_can_be_marked_by_typing(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 518)
    await ana.say("/quiz exam")
    await ana.say("the cult of personality and the terror")
    assert "✅ All the points, by your own marking" in await ana.say("all")

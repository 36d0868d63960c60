"""Odd and hostile input gets a short, friendly answer (or polite silence), never a crash."""

from __future__ import annotations

import pytest

from bot.services import AppServices
from storage.repository import Repository
from tests.fakeapi import FakeBotAPI
from tests.support import Student, eventually, question_in


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {
                "sticker": {
                    "file_id": "s1",
                    "file_unique_id": "u1",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "type": "regular",
                }
            },
            "I can only read typed text",
        ),
        (
            {"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]},
            "I can only read typed text",
        ),
        (
            {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 2}},
            "I can only read typed text",
        ),
    ],
)
async def test_non_text_messages_get_a_hint(
    api: FakeBotAPI, services: AppServices, extra: dict, expected: str
) -> None:
    ana = Student(api, 601)
    reply = await ana.send(ana.message(None, **extra))
    assert expected in reply.params["text"]


async def test_a_sticker_during_a_round_keeps_the_question(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 602)
    text = await ana.say("/quiz drill")
    q = question_in(text)
    sticker = {
        "file_id": "s",
        "file_unique_id": "u",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    reply = await ana.send(ana.message(None, sticker=sticker))
    assert "Type your answer, or /skip" in reply.params["text"]
    rnd = await services.tutor.current(602)
    assert rnd is not None and rnd.position == 0 and services.tutor.question(rnd) == q


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("x" * 4000, "That's a long answer!"),
        ("🤔🤔🤔", "I couldn't find an answer in that"),
        ("?", "I couldn't find an answer in that"),
        ("\u200b\u200b", "I couldn't find an answer in that"),  # only zero-width spaces
        ("\u200f\u05e9\u05dc\u05d5\u05dd\u200f", "❌ Not quite"),  # RTL Hebrew with RLM marks
    ],
)
async def test_odd_answers_are_handled_politely(
    api: FakeBotAPI, services: AppServices, typed: str, expected: str
) -> None:
    ana = Student(api, 603)
    await ana.reach("leader")
    before = await services.tutor.current(603)
    assert expected in await ana.say(typed)
    after = await services.tutor.current(603)
    graded = expected.startswith("❌")
    assert (after != before) is graded  # a hint leaves the question open and nothing scored


async def test_cyrillic_spelling_of_the_answer_is_accepted(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 604)
    await ana.reach("leader")
    assert "✅ Correct" in await ana.say("Хрущёв")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/quiz banana", "I don't know a topic called “banana”"),
        ("/quiz 0", "A round can have 1 to 30 questions"),
        ("/quiz 99999999999999999999", "A round can have 1 to 30 questions"),
        ("/quiz -3", "A round can have 1 to 30 questions"),
        ("/quiz " + "é" * 300, "I don't know a topic called"),
        ("/frobnicate now", "I don't know that command"),
        ("/stats please now", "No answers yet"),
        ("/skip", "There's no round to skip"),
        ("hello?", "There's no quiz running right now"),
    ],
)
async def test_junk_commands_and_arguments(
    api: FakeBotAPI, services: AppServices, command: str, expected: str
) -> None:
    ana = Student(api, 605)
    reply = await ana.say(command)
    assert expected in reply
    assert len(reply) < 400


async def test_typed_reply_to_a_choice_question_must_pick_an_option(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 606)
    await ana.reach("premier")
    assert "Pick one of the options by its letter (A, B, C)" in await ana.say("no idea")
    assert "✅ Correct! The answer is Bulganin." in await ana.say("bulganin")


@pytest.mark.parametrize(
    "data", ["", "a:zzzzzz:0:1", "a:" + "x" * 80, "\x00\xff", "t:../../etc", "a:abc:1:9"]
)
async def test_buttons_we_never_issued_are_refused(
    api: FakeBotAPI, services: AppServices, data: str
) -> None:
    ana = Student(api, 607)
    await ana.say("/quiz drill")
    before = len(api.sent(607))
    toast = await ana.tap_data(data, expect_message=False)
    assert toast.params.get("text")
    assert len(api.sent(607)) == before
    rnd = await services.tutor.current(607)
    assert rnd is not None and rnd.position == 0


async def test_another_users_button_cannot_answer_my_round(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana, ben = Student(api, 608, "Ana"), Student(api, 609, "Ben")
    await ana.reach("premier")
    stolen = next(data for label, data in ana.buttons() if label.endswith("Bulganin"))
    before = await services.tutor.current(608)
    await ben.say("/start")
    toast = await ben.tap_data(stolen, expect_message=False)
    assert "already done" in toast.params["text"]
    assert await services.tutor.current(608) == before  # Ana's round is untouched
    assert (await services.tutor.stats(608)).answered == before.answered  # nothing scored


async def test_a_failure_inside_a_handler_is_reported_to_the_user(
    api: FakeBotAPI, services: AppServices, caplog: pytest.LogCaptureFixture
) -> None:
    ana = Student(api, 610)
    await ana.say("/start")
    assert services.db is not None
    await services.db.close()  # the database goes away under the running bot
    reply = await ana.say("/quiz")
    assert "something went wrong" in reply
    assert any("error while handling update" in r.getMessage() for r in caplog.records)


async def test_groups_are_pointed_to_a_private_chat_and_plain_chatter_is_ignored(
    api: FakeBotAPI, services: AppServices
) -> None:
    group = {"id": -100123, "type": "supergroup", "title": "12B History"}
    ana = Student(api, 611)
    quiz = ana.message("/quiz@quizbot_test_bot", chat=group)
    reply = await ana.send_to(-100123, quiz)
    markup = reply.params["reply_markup"]["inline_keyboard"][0][0]
    assert markup["url"] == "https://t.me/quizbot_test_bot?start=quiz"  # no args: defaults
    cursor = len(api.calls)
    await api.push(ana.message("just chatting", chat=group))
    help_reply = await ana.send_to(-100123, ana.message("/help", chat=group))
    assert "private chat" in help_reply.params["text"]
    # The chatter got no reply: the only message since is the /help answer.
    assert [c.params["text"] for c in api.calls[cursor:] if c.method == "sendMessage"] == [
        help_reply.params["text"]
    ]


async def test_a_group_quiz_link_opens_the_same_round_in_private(
    api: FakeBotAPI, services: AppServices
) -> None:
    group = {"id": -100124, "type": "group", "title": "12B"}
    ana = Student(api, 612)
    reply = await ana.send_to(-100124, ana.message("/quiz 5 space", chat=group))
    url = reply.params["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert url == "https://t.me/quizbot_test_bot?start=quiz_5_space"
    assert "New round: 5 questions on The space programme" in await ana.say(
        "/start " + url.split("start=")[1]
    )
    # Another link, mid-round, shows the round in progress instead of throwing it away.
    assert "You're in the middle of a round" in await ana.say("/start quiz")
    await ana.say("/stop")
    assert "New round: 10 questions on all topics" in await ana.say("/start quiz")
    await ana.say("/stop")
    assert "A round can have 1 to 30 questions" in await ana.say("/start quiz_99_x")
    assert "Hi, Ana!" in await ana.say("/start somethingelse")


async def test_blocking_the_bot_marks_the_student_inactive(
    api: FakeBotAPI, services: AppServices
) -> None:
    ana = Student(api, 613)
    await ana.say("/start")
    user = {"id": 613, "is_bot": False, "first_name": "Ana"}
    bot = {"id": 123456789, "is_bot": True, "first_name": "Quizbot"}
    cursor = len(api.calls)
    await api.push(
        {
            "my_chat_member": {
                "chat": {"id": 613, "type": "private"},
                "from": user,
                "date": 1_790_000_000,
                "old_chat_member": {"status": "member", "user": bot},
                "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0},
            }
        }
    )
    repo = Repository(services.db)

    async def blocked() -> bool:
        return await repo.is_active(613) is False

    await eventually(blocked)
    # Updates are handled in order, so once Ben is answered Ana's update is fully done.
    await Student(api, 614, "Ben").say("/help")
    assert not [c for c in api.sent(613) if api.calls.index(c) >= cursor]

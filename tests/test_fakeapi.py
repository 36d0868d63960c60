"""The fake Bot API answers a real python-telegram-bot Bot as Telegram would, groups included."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputPollOption,
    Poll,
    ReactionTypeEmoji,
)
from telegram.constants import ReactionEmoji
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from tests.fakeapi import BOT_ID, TOKEN, FakeBotAPI

SUPERGROUP = -1001234567890
GROUP = -4242
OTHER_GROUP = -1009876543210
USER = 555


class SimClock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass."""
        self.now += seconds


@pytest.fixture
def clock() -> SimClock:
    """A clock at 1000 s that moves by hand."""
    return SimClock()


@pytest.fixture
async def clocked(clock: SimClock) -> AsyncIterator[FakeBotAPI]:
    """A started fake Bot API whose flood window runs on `clock`."""
    server = FakeBotAPI(clock=clock)
    await server.start()
    yield server
    await server.stop()
    assert server.rejected == []


async def _bot(api: FakeBotAPI) -> Bot:
    bot = Bot(TOKEN, base_url=api.base_url)
    await bot.initialize()
    return bot


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    """A real PTB Bot talking to the `api` fixture."""
    bot = await _bot(api)
    yield bot
    await bot.shutdown()


@pytest.fixture
async def clocked_bot(clocked: FakeBotAPI) -> AsyncIterator[Bot]:
    """A real PTB Bot talking to the `clocked` fake."""
    bot = await _bot(clocked)
    yield bot
    await bot.shutdown()


@pytest.fixture
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods: without it, making a RetryAfter warns (an error here)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def _told(error: str) -> str:
    """A pattern for PTB's message for `error` (it drops "Bad Request: " and capitalises)."""
    return f"(?i){re.escape(error)}"


def _refusal(api: FakeBotAPI) -> str:
    """The one 400 the test provoked on purpose, taken off `rejected` so teardown passes."""
    assert len(api.rejected) == 1, api.rejected
    return api.rejected.pop().params["error"]


# ----- the per-group flood limit -------------------------------------------------------


@pytest.mark.usefixtures("timedelta_periods")
async def test_the_21st_post_in_a_minute_is_flooded_and_reactions_do_not_count(
    api: FakeBotAPI, bot: Bot
) -> None:
    for n in range(20):
        message = await bot.send_message(SUPERGROUP, f"question {n}")
        await bot.set_message_reaction(SUPERGROUP, message.message_id, "👍")

    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(SUPERGROUP, "one too many")

    assert timedelta(seconds=1) <= flood.value.retry_after <= timedelta(seconds=60)
    assert [c.params["text"] for c in api.flooded] == ["one too many"]
    assert len(api.sent_to(SUPERGROUP)) == 20
    assert len(api.sent_to(SUPERGROUP, "setMessageReaction")) == 20
    assert len(api.group_posts(SUPERGROUP)) == 20
    assert api.max_per_minute(SUPERGROUP) == 20
    # Another group has its own window, and a flooded group still takes reactions.
    await bot.send_message(OTHER_GROUP, "hello")
    await bot.set_message_reaction(SUPERGROUP, message.message_id, "🔥")
    assert len(api.flooded) == 1


@pytest.mark.usefixtures("timedelta_periods")
async def test_polls_count_towards_the_group_limit(api: FakeBotAPI, bot: Bot) -> None:
    for n in range(10):
        await bot.send_message(GROUP, f"intro {n}")
        await bot.send_poll(GROUP, f"question {n}", ["yes", "no"])

    with pytest.raises(RetryAfter):
        await bot.send_poll(GROUP, "question 10", ["yes", "no"])

    assert [c.method for c in api.flooded] == ["sendPoll"]
    assert len(api.polls) == 10


async def test_private_chats_are_not_limited(api: FakeBotAPI, bot: Bot) -> None:
    for n in range(30):
        await bot.send_message(USER, f"card {n}")

    assert len(api.sent_to(USER)) == 30
    assert api.flooded == []
    assert api.group_posts(USER) == []


@pytest.mark.usefixtures("timedelta_periods")
async def test_with_a_simulated_clock_the_window_frees_a_minute_later(
    clocked: FakeBotAPI, clocked_bot: Bot, clock: SimClock
) -> None:
    for n in range(20):
        await clocked_bot.send_message(SUPERGROUP, f"burst {n}")
    clock.advance(59)

    with pytest.raises(RetryAfter) as flood:
        await clocked_bot.send_message(SUPERGROUP, "still inside the minute")
    assert flood.value.retry_after == timedelta(seconds=1)

    clock.advance(2)
    await clocked_bot.send_message(SUPERGROUP, "a minute on")

    assert clocked.group_posts(SUPERGROUP) == [1000.0] * 20 + [1061.0]
    assert [c.at for c in clocked.flooded] == [1059.0]
    assert clocked.max_per_minute(SUPERGROUP) == 20


@pytest.mark.usefixtures("timedelta_periods")
async def test_a_steady_post_every_three_seconds_never_floods(
    clocked: FakeBotAPI, clocked_bot: Bot, clock: SimClock
) -> None:
    for n in range(45):
        await clocked_bot.send_message(GROUP, f"tick {n}")
        clock.advance(3)

    assert clocked.flooded == []
    assert clocked.max_per_minute(GROUP) == 20


@pytest.mark.usefixtures("timedelta_periods")
async def test_retry_after_counts_down_to_the_oldest_post_leaving_the_window(
    clocked: FakeBotAPI, clocked_bot: Bot, clock: SimClock
) -> None:
    for n in range(20):
        await clocked_bot.send_message(GROUP, f"post {n}")
        clock.advance(1)
    clock.advance(5)  # now 25 s after the first post

    with pytest.raises(RetryAfter) as flood:
        await clocked_bot.send_message(GROUP, "too soon")

    assert flood.value.retry_after == timedelta(seconds=35)
    assert clocked.flooded[0].params["error"] == "Too Many Requests: retry after 35"


async def test_max_per_minute_finds_the_busiest_sixty_seconds(
    clocked: FakeBotAPI, clocked_bot: Bot, clock: SimClock
) -> None:
    for gap in (0, 10, 10, 50, 1, 1):  # posts at 0, 10, 20, 70, 71, 72
        clock.advance(gap)
        await clocked_bot.send_message(GROUP, "post")

    # (12, 72] holds 20, 70, 71 and 72; no 60 s holds five.
    assert clocked.max_per_minute(GROUP) == 4
    assert clocked.max_per_minute(SUPERGROUP) == 0


async def test_without_ptb_timedelta_a_429_surfaces_as_a_deprecation_warning(
    clocked: FakeBotAPI, clocked_bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A trap for the bot's own tests: with filterwarnings=error, RetryAfter() itself raises.
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    for n in range(20):
        await clocked_bot.send_message(GROUP, f"post {n}")

    with pytest.raises(Warning, match="PTB_TIMEDELTA"):
        await clocked_bot.send_message(GROUP, "flooded")

    assert len(clocked.flooded) == 1


# ----- sendPoll ------------------------------------------------------------------------


async def test_a_quiz_poll_comes_back_as_a_message_ptb_parses(api: FakeBotAPI, bot: Bot) -> None:
    message = await bot.send_poll(
        SUPERGROUP,
        "Who wrote the Secret Speech?",
        ["Malenkov", InputPollOption("Khrushchev"), "Molotov"],
        type=Poll.QUIZ,
        correct_option_ids=[1],
        is_anonymous=False,
        explanation="Delivered in February 1956.",
        open_period=30,
    )

    poll = message.poll
    assert poll is not None
    assert poll.question == "Who wrote the Secret Speech?"
    assert [(o.text, o.voter_count) for o in poll.options] == [
        ("Malenkov", 0),
        ("Khrushchev", 0),
        ("Molotov", 0),
    ]
    assert [o.persistent_id for o in poll.options] == ["opt0", "opt1", "opt2"]
    assert poll.type == Poll.QUIZ
    assert poll.correct_option_ids == (1,)
    assert poll.is_anonymous is False
    assert poll.is_closed is False
    assert poll.allows_multiple_answers is False
    assert poll.allows_revoting is False
    assert poll.total_voter_count == 0
    assert poll.explanation == "Delivered in February 1956."
    assert poll.close_date is not None
    call = api.polls[poll.id]
    assert call.params["open_period"] == 30
    assert call.params["is_anonymous"] is False
    assert api.sent_to(SUPERGROUP, "sendPoll") == [call]
    assert api.sent_to(SUPERGROUP) == []


async def test_a_regular_poll_is_anonymous_unless_told_otherwise(bot: Bot) -> None:
    message = await bot.send_poll(USER, "Tea or coffee?", ["tea", "coffee"])

    assert message.poll is not None
    assert message.poll.is_anonymous is True
    assert message.poll.type == Poll.REGULAR
    assert message.poll.allows_revoting is True
    assert message.poll.correct_option_ids == ()


async def test_a_json_body_is_read_like_a_form(api: FakeBotAPI) -> None:
    payload = {
        "chat_id": GROUP,
        "question": "2 + 2?",
        "options": [{"text": "4"}, {"text": "5"}],
        "type": "quiz",
        "correct_option_id": 0,
        "is_anonymous": False,
        "open_period": 60,
    }
    async with httpx.AsyncClient() as client:
        response = await client.post(api.base_url.format(token=TOKEN) + "/sendPoll", json=payload)

    result = response.json()["result"]
    assert result["chat"] == {"id": GROUP, "type": "group", "title": f"Group {GROUP}"}
    assert result["poll"]["is_anonymous"] is False
    assert result["poll"]["correct_option_ids"] == [0]
    assert result["poll"]["open_period"] == 60
    assert "correct_option_id" not in result["poll"]  # PTB 22.8 warns on the old field


@pytest.mark.parametrize(
    ("question", "options", "extra", "error"),
    [
        ("Q?", ["ok", "x" * 101], {}, "poll options length must not exceed 100"),
        ("Q?", ["ok", "x" * 100], {"question": "q" * 301}, "poll question length"),
        ("Q?", [str(n) for n in range(13)], {}, "poll can't have more than 12 options"),
        ("Q?", [], {}, "poll must have at least 1 option"),
        ("Q?", ["ok", " "], {}, "poll options must be non-empty"),
        ("Q?", ["a", "b"], {"type": "quiz"}, "wrong correct option ID specified"),
        ("Q?", ["a", "b"], {"type": "quiz", "correct_option_ids": [2]}, "wrong correct option"),
        ("Q?", ["a", "b"], {"type": "quiz", "correct_option_ids": [1, 0]}, "wrong correct"),
        ("Q?", ["a", "b"], {"explanation": "e" * 201}, "explanation length"),
        ("Q?", ["a", "b"], {"explanation": "1\n2\n3\n4"}, "at most 2 line feeds"),
        ("Q?", ["a", "b"], {"open_period": 4}, "wrong open period specified"),
        ("Q?", ["a", "b"], {"open_period": 2_628_001}, "wrong open period specified"),
    ],
)
async def test_a_poll_telegram_would_refuse_is_rejected(
    api: FakeBotAPI, bot: Bot, question: str, options: list[str], extra: dict[str, Any], error: str
) -> None:
    kwargs = {"question": question, "options": options, **extra}
    with pytest.raises(BadRequest, match=_told(error)):
        await bot.send_poll(GROUP, **kwargs)

    assert error in _refusal(api)
    assert api.polls == {}
    assert api.group_posts(GROUP) == []  # a refused post does not use up the window


async def test_the_longest_poll_telegram_takes_is_accepted(api: FakeBotAPI, bot: Bot) -> None:
    message = await bot.send_poll(
        GROUP,
        "q" * 300,
        ["o" * 100] * 12,
        type=Poll.QUIZ,
        correct_option_ids=[11],
        explanation="e" * 200,
        open_period=5,
    )

    assert message.poll is not None
    assert len(message.poll.options) == 12


# ----- setMessageReaction -------------------------------------------------------------


async def test_listed_reactions_and_clearing_them_are_accepted(api: FakeBotAPI, bot: Bot) -> None:
    assert await bot.set_message_reaction(GROUP, 7, "👍")
    assert await bot.set_message_reaction(GROUP, 7, ReactionEmoji.HEART_ON_FIRE)
    assert await bot.set_message_reaction(GROUP, 7, ReactionTypeEmoji("\u2764\u200d\U0001f525"))
    assert await bot.set_message_reaction(GROUP, 7, [])
    assert await bot.set_message_reaction(GROUP, 7)

    reactions = [c.params.get("reaction") for c in api.sent_to(GROUP, "setMessageReaction")]
    assert reactions[:3] == [
        [{"type": "emoji", "emoji": "👍"}],
        [{"type": "emoji", "emoji": "\u2764\ufe0f\u200d\U0001f525"}],
        [{"type": "emoji", "emoji": "\u2764\u200d\U0001f525"}],
    ]
    assert api.group_posts(GROUP) == []  # reactions are not posts


@pytest.mark.parametrize(
    ("reaction", "error"),
    [
        ("🦆", "REACTION_INVALID"),
        (ReactionTypeEmoji("✅"), "REACTION_INVALID"),
        (["👍", "🔥"], "REACTIONS_TOO_MANY"),
        # PTB sends a string outside its ReactionEmoji as a custom emoji, which bots can't use.
        ("\u2764\u200d\U0001f525", "REACTION_INVALID"),
    ],
)
async def test_a_reaction_bots_may_not_set_is_rejected(
    api: FakeBotAPI, bot: Bot, reaction: Any, error: str
) -> None:
    with pytest.raises(BadRequest, match=_told(error)):
        await bot.set_message_reaction(GROUP, 7, reaction)

    assert _refusal(api) == error


# ----- membership ----------------------------------------------------------------------


async def test_get_chat_member_gives_owner_administrator_and_member(
    api: FakeBotAPI, bot: Bot
) -> None:
    api.creators[SUPERGROUP] = 1
    api.admins[SUPERGROUP] = {7}

    owner = await bot.get_chat_member(SUPERGROUP, 1)
    admin = await bot.get_chat_member(SUPERGROUP, 7)
    member = await bot.get_chat_member(SUPERGROUP, 8)
    itself = await bot.get_chat_member(SUPERGROUP, BOT_ID)

    assert isinstance(owner, ChatMemberOwner)
    assert isinstance(admin, ChatMemberAdministrator)
    assert admin.user.first_name == "User7"
    assert admin.can_delete_messages is True
    assert isinstance(member, ChatMemberMember)
    assert member.user.id == 8 and member.user.is_bot is False
    assert isinstance(itself, ChatMemberMember)
    assert itself.user.is_bot is True
    # Admins elsewhere are members here.
    assert isinstance(await bot.get_chat_member(GROUP, 7), ChatMemberMember)


async def test_the_bot_is_an_administrator_once_listed(api: FakeBotAPI, bot: Bot) -> None:
    api.admins[GROUP] = {BOT_ID}

    itself = await bot.get_chat_member(GROUP, BOT_ID)

    assert isinstance(itself, ChatMemberAdministrator)
    assert itself.user.username == "quizbot_test_bot"


async def test_get_chat_administrators_lists_the_creator_first(api: FakeBotAPI, bot: Bot) -> None:
    api.creators[GROUP] = 1
    api.admins[GROUP] = {9, 7, 1}

    admins = await bot.get_chat_administrators(GROUP)

    assert [(type(a), a.user.id) for a in admins] == [
        (ChatMemberOwner, 1),
        (ChatMemberAdministrator, 7),
        (ChatMemberAdministrator, 9),
    ]
    assert await bot.get_chat_administrators(SUPERGROUP) == ()


# ----- chat fates ----------------------------------------------------------------------


async def test_a_kicked_bot_gets_forbidden_for_anything_in_that_chat(
    api: FakeBotAPI, bot: Bot
) -> None:
    await bot.send_message(GROUP, "before")
    api.kicked.add(GROUP)

    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(GROUP, "after")
    with pytest.raises(Forbidden):
        await bot.get_chat_member(GROUP, 7)
    with pytest.raises(Forbidden):
        await bot.set_message_reaction(GROUP, 1, "👍")

    assert [c.method for c in api.refused] == [
        "sendMessage",
        "getChatMember",
        "setMessageReaction",
    ]
    assert [c.params["text"] for c in api.sent_to(GROUP)] == ["before"]
    assert len(api.group_posts(GROUP)) == 1
    await bot.send_message(SUPERGROUP, "other chats still work")


async def test_a_migrated_group_answers_with_its_new_id(api: FakeBotAPI, bot: Bot) -> None:
    api.migrated[GROUP] = SUPERGROUP

    with pytest.raises(ChatMigrated) as moved:
        await bot.send_poll(GROUP, "Q?", ["a", "b"])
    message = await bot.send_message(moved.value.new_chat_id, "we moved")

    assert moved.value.new_chat_id == SUPERGROUP
    assert message.chat.type == "supergroup"
    assert api.refused[0].params["error"] == (
        "Bad Request: group chat was upgraded to a supergroup chat"
    )
    assert api.polls == {}
    assert api.rejected == []  # an expected refusal, not a malformed request


async def test_a_refused_chat_is_refused_before_its_message_is_checked(
    api: FakeBotAPI, bot: Bot
) -> None:
    api.kicked.add(GROUP)

    with pytest.raises(Forbidden):
        await bot.send_message(GROUP, "<b>unclosed")

    assert len(api.refused) == 1


# ----- sent messages -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chat_id", "kind", "title"),
    [
        (USER, "private", None),
        (SUPERGROUP, "supergroup", "Group -1001234567890"),
        (GROUP, "group", "Group -4242"),
    ],
)
async def test_a_sent_message_has_its_chat_type(
    bot: Bot, chat_id: int, kind: str, title: str | None
) -> None:
    message = await bot.send_message(chat_id, "hi")

    assert message.chat.id == chat_id
    assert message.chat.type == kind
    assert message.chat.title == title
    assert message.from_user is not None and message.from_user.id == BOT_ID


async def test_a_message_without_a_chat_is_rejected(api: FakeBotAPI) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            api.base_url.format(token=TOKEN) + "/sendMessage", data={"text": "hi"}
        )

    assert response.status_code == 400
    assert _refusal(api) == "chat_id is empty"


async def test_a_call_keeps_what_the_fake_answered(api: FakeBotAPI, bot: Bot) -> None:
    message = await bot.send_poll(GROUP, "Q?", ["a", "b"])

    [call] = api.sent_to(GROUP, "sendPoll")
    assert message.poll is not None
    assert call.result["message_id"] == message.message_id
    assert call.result["poll"]["id"] == message.poll.id
    assert api.polls[message.poll.id] is call


async def test_only_an_inline_keyboard_comes_back_on_the_message(bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Next", callback_data="next")]])

    with_keyboard = await bot.send_message(GROUP, "inline", reply_markup=keyboard)
    with_force_reply = await bot.send_message(GROUP, "reply to me", reply_markup=ForceReply())

    assert with_keyboard.reply_markup == keyboard
    assert with_force_reply.reply_markup is None

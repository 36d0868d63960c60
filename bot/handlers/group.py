"""Group challenges: thin adapters from group updates to the challenge rules and back."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ReactionEmoji
from telegram.error import TelegramError

from bot import render_challenge as texts
from bot.challenge.game import AlreadyRunning, Counted, NoQuestions, Unclear
from bot.challenge.requests import ChallengeRequest, parse_challenge_request
from bot.handlers.admins import is_group_admin
from bot.handlers.common import Context, send
from bot.handlers.moves import move_group

log = logging.getLogger(__name__)
# One reaction per counted answer: seen, not judged (the result comes when time is up).
COUNTED = ReactionEmoji.EYES
UNCLEAR = (
    ReactionEmoji.THINKING_FACE
)  # not counted: a sentence, an emoji, no such option; they may answer again


async def challenge(update: Update, context: Context) -> None:
    """/challenge [n] [topic] [seconds]s [poll]: start a game in the group."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    services = context.bot_data
    request = parse_challenge_request(context.args or [], services.challenges.library)
    if not isinstance(request, ChallengeRequest):
        await send(context, chat.id, texts.request_error(request))
        return
    started = await services.challenges.start(chat.id, user.id, request, at=services.clock.now())
    if isinstance(started, AlreadyRunning):
        if services.host.should_notice(chat.id, "already_running"):
            await send(context, chat.id, texts.already_running(started))
    elif isinstance(started, NoQuestions):
        await send(context, chat.id, texts.no_questions(started, services.challenges.library))
    else:
        await services.host.begin(started)


async def end_challenge(update: Update, context: Context) -> None:
    """/endchallenge: the starter or a group admin stops the game early."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    services = context.bot_data
    if services.challenges.running_in(chat.id) is None:
        await send(context, chat.id, texts.nothing_to_end())
        return
    if not services.challenges.may_end(chat.id, user.id) and not await is_group_admin(
        update, context
    ):
        if services.host.should_notice(chat.id, "not_yours_to_end"):
            await send(context, chat.id, texts.not_yours_to_end())
        return
    ended = await services.host.end(chat.id)
    if ended is not None:
        await send(context, chat.id, texts.ended(ended))


async def leaderboard(update: Update, context: Context) -> None:
    """/leaderboard: the group's standings this week and of all time."""
    chat = update.effective_chat
    assert chat is not None
    services = context.bot_data
    board = await services.challenges.leaderboard(chat.id, at=services.clock.now())
    await send(context, chat.id, texts.leaderboard(board))


async def groups_only(update: Update, context: Context) -> None:
    """/challenge, /endchallenge or /leaderboard in a private chat."""
    chat = update.effective_chat
    assert chat is not None
    await send(context, chat.id, texts.groups_only())


async def answer(update: Update, context: Context) -> None:
    """A text message in a group: an answer if it replies to the question (or stands alone)."""
    message, user = update.message, update.effective_user
    assert message is not None and message.text is not None
    if user is None or user.is_bot:
        return
    replied = message.reply_to_message
    if replied is not None and (
        replied.from_user is None or replied.from_user.id != context.bot.id
    ):
        return  # talking to each other, not to the bot
    services = context.bot_data
    post = services.dailies.post_for(message.chat_id, replied.message_id) if replied else None
    if post is not None:
        # A reply to the question of the day: kept for its results, like a challenge answer.
        daily = await services.dailies.answer(
            post, user.id, user.first_name or "", message.text, at=message.date
        )
        _acknowledge(context, message.chat_id, message.message_id, daily)
        return
    result = await services.challenges.answer(
        message.chat_id,
        user.id,
        user.first_name or "",
        message.text,
        reply_to=replied.message_id if replied is not None else None,
        sent_at=message.date,
        at=services.clock.now(),
    )
    _acknowledge(context, message.chat_id, message.message_id, result)


def _acknowledge(context: Context, chat_id: int, message_id: int, result: object) -> None:
    # No reply per answer (a group takes ~20 messages a minute): a reaction acknowledges it.
    if isinstance(result, Counted):
        _react(context, chat_id, message_id, COUNTED)
    elif isinstance(result, Unclear):
        _react(context, chat_id, message_id, UNCLEAR)


def _react(context: Context, chat_id: int, message_id: int, emoji: str) -> None:
    # In the background: the next answer in the queue should not wait on a reaction.
    if context.application.running:  # shutting down: skip it, it's only an acknowledgement
        context.application.create_task(_set_reaction(context, chat_id, message_id, emoji))


async def _set_reaction(context: Context, chat_id: int, message_id: int, emoji: str) -> None:
    try:
        await context.bot.set_message_reaction(chat_id, message_id, emoji)
    except TelegramError as exc:
        # Best effort: reactions may be off in the group, or rate limited.
        log.debug("no reaction in %s: %s", chat_id, exc)


async def poll_answer(update: Update, context: Context) -> None:
    """A vote in a challenge's quiz poll."""
    vote = update.poll_answer
    if vote is None or vote.user is None:
        return  # a vote cast as a channel can't be scored for a student
    services = context.bot_data
    await services.challenges.poll_answer(
        vote.poll_id,
        vote.user.id,
        vote.user.first_name or "",
        list(vote.option_ids),
        at=services.clock.now(),
    )


async def migrated(update: Update, context: Context) -> None:
    """The group became a supergroup: move its game, leaderboard and history to the new id."""
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id:
        old, new = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat_id
    else:
        return
    await move_group(context.bot_data, old, new)

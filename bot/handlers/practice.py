"""Private-chat practice: thin adapters from updates to the tutor and back."""

from __future__ import annotations

from telegram import Update

from bot import callbacks, render_menus, render_practice, render_progress
from bot.classes.model import join_code
from bot.handlers import classes
from bot.handlers.common import Context, acknowledge, send, sent_at
from bot.tutor.requests import RoundRequest, parse_round_request
from bot.tutor.rounds import NothingDue


def _ids(update: Update) -> tuple[int, int, str]:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None  # the filters only let user messages through
    return user.id, chat.id, user.first_name or ""


async def start(update: Update, context: Context) -> None:
    """Greet the student; a `?start=quiz…` link from a group's /quiz starts that round."""
    user_id, chat_id, name = _ids(update)
    tutor = context.bot_data.tutor
    code = join_code(context.args[0]) if context.args else None
    if code is not None:
        await classes.join(update, context, code)
        return
    link = callbacks.unpack_start(context.args[0]) if context.args else None
    if link is not None:
        await _begin(update, context, link, keep_running=True)
        return
    await tutor.ensure_user(user_id, name, at=sent_at(update, context))
    current = await tutor.current_question(user_id)
    await send(context, chat_id, render_menus.welcome(name, tutor.library, current))


async def help_command(update: Update, context: Context) -> None:
    """List the commands."""
    await send(context, _ids(update)[1], render_menus.help_text())


async def quiz(update: Update, context: Context) -> None:
    """/quiz, /quiz 5, /quiz <topic>, /quiz 5 <topic>: typed, so it replaces a running round."""
    await _begin(update, context, list(context.args or []), keep_running=False)


async def _begin(update: Update, context: Context, args: list[str], *, keep_running: bool) -> None:
    """Start a round from /quiz-style words; links and buttons keep a round in progress.

    An old button or link must not silently throw away the round being played; typing
    /quiz is the explicit way to start over.
    """
    user_id, chat_id, name = _ids(update)
    tutor = context.bot_data.tutor
    current = await tutor.current_question(user_id) if keep_running else None
    if current is not None:
        await send(context, chat_id, render_practice.in_progress(tutor.library, *current))
        return
    request = parse_round_request(args, tutor.library)
    if not isinstance(request, RoundRequest):
        await send(context, chat_id, render_menus.round_request_error(request))
        return
    result = await tutor.start_round(
        user_id,
        chat_id,
        at=sent_at(update, context),
        first_name=name,
        size=request.size,
        topic=request.topic,
    )
    assert result is not None  # a topic the parser found has questions
    await send(
        context,
        chat_id,
        render_practice.started(tutor.library, result.round, result.question, result.replaced),
    )


async def review(update: Update, context: Context) -> None:
    """A round of the questions due for review, or when the next one is due."""
    user_id, chat_id, name = _ids(update)
    tutor = context.bot_data.tutor
    result = await tutor.start_review(
        user_id, chat_id, at=sent_at(update, context), first_name=name
    )
    if isinstance(result, NothingDue):
        await send(context, chat_id, render_progress.nothing_due(result.next_due, result.zone))
        return
    reply = render_practice.started(tutor.library, result.round, result.question, result.replaced)
    await send(context, chat_id, reply)


async def weak(update: Update, context: Context) -> None:
    """A round on the student's weakest topics, saying why each was chosen."""
    user_id, chat_id, name = _ids(update)
    tutor = context.bot_data.tutor
    at = sent_at(update, context)
    started, weakest = await tutor.start_weak(user_id, chat_id, at=at, first_name=name)
    if started is None:
        await send(context, chat_id, render_progress.no_weak_topics())
        return
    await send(context, chat_id, render_progress.weak_round(tutor.library, started, weakest))


async def timezone(update: Update, context: Context) -> None:
    """/timezone Europe/Berlin sets the zone the student's days run on; alone, shows it."""
    user_id, chat_id, _ = _ids(update)
    tutor = context.bot_data.tutor
    at = sent_at(update, context)
    wanted = " ".join(context.args or [])
    if not wanted:
        zone = tutor.zone_of(await tutor.stats(user_id))
        await send(context, chat_id, render_progress.timezone_current(zone))
        return
    zone_name = await tutor.set_timezone(user_id, wanted, at=at)
    reply = (
        render_progress.timezone_unknown(wanted)
        if zone_name is None
        else render_progress.timezone_set(zone_name, at)
    )
    await send(context, chat_id, reply)


async def topics(update: Update, context: Context) -> None:
    """Show the topics as buttons."""
    await send(context, _ids(update)[1], render_menus.topics(context.bot_data.tutor.library))


async def answer(update: Update, context: Context) -> None:
    """A typed message: grade it as the answer to the current question."""
    user_id, chat_id, _ = _ids(update)
    assert update.message is not None and update.message.text is not None
    tutor = context.bot_data.tutor
    result = await tutor.answer(user_id, update.message.text, at=update.message.date)
    await send(context, chat_id, render_practice.answer_result(tutor.library, result))


async def skip(update: Update, context: Context) -> None:
    """Skip the current question."""
    user_id, chat_id, _ = _ids(update)
    tutor = context.bot_data.tutor
    result = await tutor.skip(user_id, at=sent_at(update, context))
    reply = (
        render_practice.no_round_to("skip")
        if result is None
        else render_practice.answer_result(tutor.library, result)
    )
    await send(context, chat_id, reply)


async def stop(update: Update, context: Context) -> None:
    """End the round with a summary."""
    user_id, chat_id, _ = _ids(update)
    summary = await context.bot_data.tutor.stop(user_id, at=sent_at(update, context))
    reply = (
        render_practice.no_round_to("stop") if summary is None else render_practice.summary(summary)
    )
    await send(context, chat_id, reply)


async def stats(update: Update, context: Context) -> None:
    """Show streaks, accuracy, reviews due and mastery by topic."""
    user_id, chat_id, _ = _ids(update)
    tutor = context.bot_data.tutor
    overview = await tutor.overview(user_id, at=sent_at(update, context))
    await send(context, chat_id, render_progress.stats(tutor.library, overview))


async def not_text(update: Update, context: Context) -> None:
    """Stickers, photos, voice notes: explain that answers are typed."""
    user_id, chat_id, _ = _ids(update)
    await send(
        context, chat_id, render_practice.not_text(await context.bot_data.tutor.current(user_id))
    )


async def unknown_command(update: Update, context: Context) -> None:
    """A /command we do not have."""
    await send(context, _ids(update)[1], render_menus.unknown_command())


async def button(update: Update, context: Context) -> None:
    """Inline-button taps: start a round, list topics, or pick an option."""
    query = update.callback_query
    assert query is not None
    action = callbacks.unpack(query.data)
    user = query.from_user
    chat = update.effective_chat
    if action is None or chat is None or chat.type != "private":
        await acknowledge(query, "That button is no longer valid.")
        return
    match action:
        case callbacks.ShowTopics():
            await acknowledge(query)
            await send(context, chat.id, render_menus.topics(context.bot_data.tutor.library))
        case callbacks.StartQuiz(topic):
            await acknowledge(query)
            await _begin(update, context, [topic] if topic else [], keep_running=True)
        case callbacks.SelfMark(token, position, level):
            tutor = context.bot_data.tutor
            now = context.bot_data.clock.now()
            marked = await tutor.self_mark(user.id, token, position, level, at=now)
            if marked is None:
                await acknowledge(query, render_practice.stale_button())
                return
            await acknowledge(query)
            await send(context, chat.id, render_practice.turn(tutor.library, marked))
        case callbacks.Dispute(answer_id):
            now = context.bot_data.clock.now()
            result = await context.bot_data.tutor.dispute(user.id, answer_id, at=now)
            await acknowledge(query, render_practice.disputed(result))
        case callbacks.Choose(token, position, index):
            tutor = context.bot_data.tutor
            result = await tutor.choose(
                user.id, token, position, index, at=context.bot_data.clock.now()
            )
            if result is None:
                await acknowledge(query, render_practice.stale_button())
                return
            await acknowledge(query)
            await send(context, chat.id, render_practice.turn(tutor.library, result))

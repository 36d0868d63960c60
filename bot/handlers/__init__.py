"""The only place that adds handlers to the application."""

from __future__ import annotations

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    PollAnswerHandler,
    TypeHandler,
    filters,
)

from bot import callbacks
from bot.handlers import (
    classes,
    daily,
    disputes,
    flood,
    group,
    practice,
    privacy,
    report,
    system,
    uploads,
)

# The command menu registered with Telegram at start-up (setMyCommands).
COMMANDS = (
    BotCommand("quiz", "Start a round (e.g. /quiz 5, /quiz space)"),
    BotCommand("review", "The questions due for review"),
    BotCommand("weak", "Practise your weakest topics"),
    BotCommand("timezone", "Set your time zone, e.g. /timezone Europe/Berlin"),
    BotCommand("topics", "Pick a topic"),
    BotCommand("skip", "Skip this question"),
    BotCommand("stop", "End the round with a summary"),
    BotCommand("stats", "Your streak, accuracy and weakest topics"),
    BotCommand("mydata", "A copy of everything I store about you"),
    BotCommand("forgetme", "Delete everything I store about you"),
    BotCommand("help", "What I can do"),
)
# The menu in groups: the game, and the way to practise alone.
GROUP_MENU = (
    BotCommand("challenge", "Start a quiz game (e.g. /challenge 10 20s, /challenge poll)"),
    BotCommand("leaderboard", "This week's and all-time standings"),
    BotCommand("endchallenge", "Stop the game (starter or admin)"),
    BotCommand("daily", "Question of the day, e.g. /daily 08:30 mon-fri (admins)"),
    BotCommand("report", "Class report: weak topics, who takes part (admins)"),
    BotCommand("quiz", "Practise on your own in a private chat"),
    BotCommand("help", "How to play"),
)
# Commands that only make sense in a group; in private they say so.
GROUP_COMMANDS = ("challenge", "endchallenge", "leaderboard")
# Commands that only work in a private chat; typed in a group they get a pointer there.
PRIVATE_ONLY = (
    "topics",
    "review",
    "weak",
    "timezone",
    "skip",
    "stop",
    "stats",
    "newclass",
    "classes",
    "newlink",
    "leave",
    "disputes",
    "push",
    "dailydm",
)
# Every update type a handler below consumes, and nothing else.
ALLOWED_UPDATES = (
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
    Update.POLL_ANSWER,
)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Wire every handler into the application."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    app.add_handlers(
        [
            CommandHandler("start", practice.start, private),
            CommandHandler("help", practice.help_command, private),
            CommandHandler("quiz", practice.quiz, private),
            CommandHandler("topics", practice.topics, private),
            CommandHandler("review", practice.review, private),
            CommandHandler("weak", practice.weak, private),
            CommandHandler("timezone", practice.timezone, private),
            CommandHandler("skip", practice.skip, private),
            CommandHandler("stop", practice.stop, private),
            CommandHandler("stats", practice.stats, private),
            CommandHandler("forgetme", privacy.forget_me, private),
            CommandHandler("mydata", privacy.my_data, private),
            CommandHandler(["forgetme", "mydata"], privacy.in_group, groups, block=False),
            CommandHandler("newclass", classes.new_class, private),
            CommandHandler("classes", classes.list_classes, private),
            CommandHandler("newlink", classes.new_link, private),
            CommandHandler("leave", classes.leave, private),
            CommandHandler("disputes", disputes.disputes, private),
            # A push runs until every student has it: it must not hold up other updates.
            CommandHandler("push", classes.push, private, block=False),
            CommandHandler(
                ["challenge", "endchallenge", "leaderboard"], group.groups_only, private
            ),
            # Group replies wait their turn in the group's 20-a-minute queue; block=False
            # keeps that wait from holding up every other chat's updates.
            CommandHandler(["start", "help"], system.group_help, groups, block=False),
            CommandHandler("quiz", system.group_quiz, groups, block=False),
            CommandHandler(PRIVATE_ONLY, system.private_only, groups, block=False),
            CommandHandler("challenge", group.challenge, groups, block=False),
            CommandHandler("endchallenge", group.end_challenge, groups, block=False),
            CommandHandler("leaderboard", group.leaderboard, groups, block=False),
            CommandHandler("daily", daily.daily, groups, block=False),
            CommandHandler("daily", daily.private_daily, private),
            CommandHandler("dailydm", daily.daily_dm, private),
            CommandHandler("report", report.report, groups, block=False),
            CommandHandler("report", report.private_report, private),
            MessageHandler(filters.StatusUpdate.MIGRATE, group.migrated),
            MessageHandler(groups & filters.TEXT & ~filters.COMMAND, group.answer),
            MessageHandler(private & filters.COMMAND, practice.unknown_command),
            MessageHandler(private & filters.TEXT, practice.answer),
            MessageHandler(private & filters.Document.ALL, uploads.bank_file),
            MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, practice.not_text),
            # Before practice.button, which takes every other button.
            CallbackQueryHandler(report.csv_button, pattern=callbacks.is_report_csv),
            # Telling the students may take a while: other updates need not wait for it.
            CallbackQueryHandler(disputes.decide, pattern=callbacks.is_decision, block=False),
            CallbackQueryHandler(privacy.button, pattern=callbacks.is_forget_me),
            CallbackQueryHandler(practice.button),
            ChatMemberHandler(system.membership, ChatMemberHandler.MY_CHAT_MEMBER),
            PollAnswerHandler(group.poll_answer),
        ]
    )
    # First of all, in its own group: a flooding user's updates stop here.
    app.add_handler(TypeHandler(Update, flood.guard), group=-1)
    app.add_error_handler(system.on_error)

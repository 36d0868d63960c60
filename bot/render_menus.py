"""Getting about: /start, /help, /topics, and replies to requests we cannot serve.

No telegram imports, like bot/render.py.
"""

from __future__ import annotations

from html import escape

from bot import callbacks
from bot.render import START_BUTTONS, Button, Reply, quote
from bot.render_practice import in_progress
from bot.tutor.requests import BadCount, UnknownTopic
from bot.tutor.rounds import (
    DEFAULT_ROUND,
    MAX_ROUND,
    MIN_ROUND,
    Round,
)
from quizbank.model import Library, Question


def welcome(first_name: str, library: Library, current: tuple[Round, Question] | None) -> Reply:
    """The /start greeting; a round in progress is shown again so it can go on."""
    name = f", {quote(first_name, 32)}" if first_name else ""
    count = sum(1 for _ in library.questions)
    text = (
        f"👋 Hi{name}! I'm a quiz tutor for <b>{escape(_titles(library))}</b>.\n\n"
        f"I ask short questions ({count} in the bank), you type the answer, and I tell you "
        "at once whether it's right, with the correct answer and a one-line explanation. "
        "I forgive typos but not wrong facts or dates.\n\n"
        "Tap <b>Start a quiz</b>, or send /quiz. /help lists everything."
    )
    if current is None:
        return Reply(text, START_BUTTONS)
    again = in_progress(library, *current)
    return Reply(f"{text}\n\n{again.text}", again.buttons)


def _titles(library: Library) -> str:
    titles = [b.title for b in library.banks]
    if len(titles) > 2:  # teacher banks can be many; the greeting stays short
        return f"{titles[0]}, {titles[1]} and {len(titles) - 2} more"
    return " and ".join(titles) or "history"


def help_text(*, group: bool = False) -> Reply:
    """The /help message."""
    if group:
        return Reply(
            "I'm a quiz tutor. <b>/challenge</b> starts a live quiz for the group "
            "(<code>/challenge 10 foreign policy 20s</code>, or <code>/challenge poll</code> "
            "for quiz polls); /leaderboard shows the standings; /endchallenge stops a game.\n"
            "<b>Answer by replying to the question</b>: in groups I only see replies to my "
            "messages and commands.\n"
            "To practise on your own, /quiz opens a private chat with me.\n"
            "<b>Teachers</b> (the group's admins): <code>/daily 08:30</code> posts a question "
            "of the day; /report shows how the class is doing."
        )
    return Reply(
        "<b>Commands</b>\n"
        f"/quiz – a round of {DEFAULT_ROUND} questions\n"
        "/quiz 5 – a round of 5\n"
        "/quiz &lt;topic&gt; – questions on one topic (e.g. <code>/quiz space</code>)\n"
        "/topics – pick a topic\n"
        "/review – the questions due for review\n"
        "/timezone Europe/Berlin – the time zone your days run on\n"
        "/weak – practise your weakest topics\n"
        "/skip – skip this question\n"
        "/stop – end the round with a summary\n"
        "/stats – your streak, accuracy and weakest topics\n"
        "/mydata – a copy of everything I store about you\n"
        "/forgetme – delete everything I store about you\n"
        "/help – this list\n\n"
        "Answer by typing a short reply: a name, term or date. For multiple choice, tap a "
        "button (or type its letter). Small typos are fine; wrong dates are not.\n\n"
        "<b>Teachers</b>\n"
        "/newclass 12B History – a class, with a link for students to join\n"
        "/classes – your classes; /newlink 12B – a new join link\n"
        "/push – send your class one question now\n"
        "/dailydm 17:00 – a question every day in each student's private chat\n"
        "/report 12B – weak topics, participation and streaks, with a CSV\n"
        "/disputes – decide students' “I was right” claims on your banks\n"
        "Send me a <code>.yaml</code> file to add your own questions."
    )


def private_only(bot_username: str) -> Reply:
    """A private-chat command typed in a group."""
    url = f"https://t.me/{bot_username}"
    return Reply(
        "That one works in a private chat with me, not in the group.",
        ((Button("Open a private chat", url=url),),),
    )


MAX_TOPIC_BUTTONS = 40  # Telegram caps an inline keyboard at 100 buttons; phones, far lower


def topics(library: Library) -> Reply:
    """The topic list with a button per topic."""
    shown = library.shared_topics[:MAX_TOPIC_BUTTONS]
    rows = tuple((Button(t.name, callbacks.pack(callbacks.StartQuiz(t.id))),) for t in shown)
    text = "📚 <b>Topics</b>: tap one to start a round on it."
    if len(library.shared_topics) > len(shown):
        text += f"\n({len(library.shared_topics) - len(shown)} more: send /quiz and a topic name.)"
    return Reply(text, rows)


def bad_quiz_args(text: str) -> Reply:
    """/quiz with arguments that are neither a count nor a topic."""
    return Reply(
        f"I don't know a topic called “{quote(text)}”. Send /topics to see them, "
        f"or /quiz 5 for a round of 5 ({MIN_ROUND}–{MAX_ROUND})."
    )


def round_request_error(request: BadCount | UnknownTopic) -> Reply:
    """Why a /quiz request could not start a round."""
    if isinstance(request, BadCount):
        return bad_count()
    return bad_quiz_args(request.text)


def bad_count() -> Reply:
    """/quiz with a count out of range."""
    return Reply(
        f"A round can have {MIN_ROUND} to {MAX_ROUND} questions – try /quiz {DEFAULT_ROUND}."
    )


def unknown_command() -> Reply:
    """A command we do not have."""
    return Reply("I don't know that command. /help lists what I can do.")


def group_quiz(bot_username: str, payload: str) -> Reply:
    """/quiz in a group: practice happens in private, through a deep link."""
    url = f"https://t.me/{bot_username}?start={payload}"
    return Reply(
        "Practice rounds run in a private chat with me, so answers don't flood the group.",
        ((Button("Open a private quiz", url=url),),),
    )


def error() -> Reply:
    """Something broke on our side."""
    return Reply("Sorry, something went wrong on my side. Please try again.")

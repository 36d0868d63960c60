"""Class messages (Telegram HTML): join links, joining, leaving, pushed questions."""

from __future__ import annotations

from html import escape

from bot.classes.model import PushReport, SchoolClass
from bot.classes.service import Choose, Expired
from bot.render import Button, Reply
from bot.render_practice import started_body
from bot.tutor.rounds import Round, Started
from quizbank.model import Library


def join_link(bot_username: str, school_class: SchoolClass) -> str:
    """The t.me link that joins the class."""
    return f"https://t.me/{bot_username}?start={school_class.payload}"


def created(school_class: SchoolClass, bot_username: str) -> Reply:
    """/newclass: the class and its join link."""
    link = join_link(bot_username, school_class)
    return Reply(
        f"🏫 Class <b>{escape(school_class.name)}</b> is ready. Share this link with your "
        f"students; opening it joins the class:\n{link}\n\n"
        f"/push sends them a question now; <code>/report {escape(school_class.name)}</code> "
        "shows how they're doing. /classes lists your classes.",
        ((Button("Open the join link", url=link),),),
    )


def no_name() -> Reply:
    """/newclass with no name."""
    return Reply("Give the class a name: <code>/newclass 12B History</code>.")


def name_taken(existing: SchoolClass) -> Reply:
    """/newclass with a name the teacher already uses."""
    return Reply(
        f"You already have a class called <b>{escape(existing.name)}</b>: /classes shows its "
        "join link. Give the new one a different name, e.g. "
        f"<code>/newclass {escape(existing.name)} (2)</code>."
    )


def classes(found: list[SchoolClass], bot_username: str) -> Reply:
    """/classes: the teacher's classes, with their links."""
    if not found:
        return Reply("You have no classes yet. <code>/newclass 12B History</code> makes one.")
    lines = ["🏫 <b>Your classes</b>"]
    for c in found:
        people = f"{c.members} student{'s' * (c.members != 1)}"
        lines.append(f"<b>{escape(c.name)}</b> – {people}\n{join_link(bot_username, c)}")
    lines.append(
        "<i>Has a link been shared too widely? <code>/newlink</code> and the class's name "
        "gives the class a new one; the old one stops working.</i>"
    )
    return Reply("\n\n".join(lines))


def joined(school_class: SchoolClass, *, new: bool) -> Reply:
    """A student opened a join link."""
    head = "✅ You've joined" if new else "You're already in"
    return Reply(
        f"{head} <b>{escape(school_class.name)}</b>. Your teacher can now send you "
        "questions here. Your answers and stats stay private to you and your teacher.\n"
        "/quiz starts a round any time; /leave leaves the class."
    )


def bad_link() -> Reply:
    """A join link whose class does not exist."""
    return Reply(
        "That join link doesn't match any class. Ask your teacher for a fresh one. "
        "/quiz starts a round on your own in the meantime."
    )


def expired_link(expired: Expired) -> Reply:
    """A join link the teacher has since replaced."""
    return Reply(
        f"This join link for <b>{escape(expired.school_class.name)}</b> has expired. "
        "Ask your teacher for the new one. /quiz starts a round on your own in the meantime."
    )


def new_link(school_class: SchoolClass, bot_username: str) -> Reply:
    """/newlink: the class's new join link."""
    link = join_link(bot_username, school_class)
    return Reply(
        f"🔗 New join link for <b>{escape(school_class.name)}</b>:\n{link}\n\n"
        "The old link no longer works. Students already in the class stay in it.",
        ((Button("Open the join link", url=link),),),
    )


def left(school_class: SchoolClass) -> Reply:
    """/leave."""
    return Reply(f"You've left <b>{escape(school_class.name)}</b>.")


def choose(result: Choose, command: str, *, rest: str = "") -> Reply:
    """Which class? (none, or several, matched). `rest`: what else the command said, kept in
    the suggestions so the teacher need not type it again."""
    if not result.classes:
        if command == "leave":
            return Reply("You're not in any class.")
        return Reply("You have no classes yet. <code>/newclass 12B History</code> makes one.")
    tail = f" {escape(rest)}" if rest else ""
    names = "\n".join(
        f"<code>/{command}{_sep(command)}{escape(c.name)}{tail}</code>" for c in result.classes
    )
    return Reply(f"{_not_found(result)}Which class?\n{names}")


def _not_found(result: Choose) -> str:
    return f"No class is called “{escape(result.asked)}”. " if result.no_such_class else ""


def _sep(command: str) -> str:
    return "" if command.endswith(":") else " "


def pushed(
    school_class: SchoolClass, library: Library, offered: Started | Round, *, again: bool = False
) -> Reply:
    """A student's copy of a pushed question: the question, or a note that it's queued.
    `again`: an earlier copy may have reached them (a send cut short), so say why."""
    head = f"📬 A question from your teacher ({escape(school_class.name)}):"
    if again:
        head = (
            "📬 A question from your teacher "
            f"({escape(school_class.name)}), sent again in case it didn't reach you:"
        )
    if isinstance(offered, Started):
        body = started_body(library, offered)
        text = f"{head}\n\n{body.text}"
        old = offered.replaced
        if old is not None:
            score = f" at {old.correct}/{old.answered}" if old.answered else ""
            ended = f"Your unfinished round from earlier ended{score}."
            text += f"\n\n<i>{ended} /quiz starts a new one.</i>"
        return Reply(text, body.buttons)
    return Reply(f"{head} it's next in your round, after the question you're on.")


def push_started(school_class: SchoolClass, students: int) -> Reply:
    """/push: on its way."""
    if not students:
        return Reply(
            f"Nobody in <b>{escape(school_class.name)}</b> can get it yet: share the join "
            "link from /classes first."
        )
    return Reply(
        f"📬 Sending a question to <b>{escape(school_class.name)}</b> "
        f"({students} student{'s' * (students != 1)})…"
    )


def push_done(report: PushReport) -> Reply:
    """/push: how it went."""
    lines = [f"✅ Sent to {report.sent}."]
    if report.blocked:
        lines.append(f"{report.blocked} had blocked me and were skipped.")
    if report.failed:
        lines.append(f"{report.failed} couldn't be reached after several tries.")
    return Reply(" ".join(lines))

"""/mydata and /forgetme results -> message text and buttons (no Telegram imports)."""

from __future__ import annotations

from html import escape

from bot import callbacks
from bot.privacy.model import Footprint, ForgetRequest
from bot.privacy.service import CONFIRM_FOR
from bot.render import Button, Reply


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _contents(footprint: Footprint) -> list[str]:
    """What is stored about them, a line each."""
    lines = []
    if footprint.known:
        lines.append("your profile (first name, time zone, totals and streaks)")
    if footprint.answers:
        within = [
            _plural(footprint.challenge_answers, "in a group challenge", "in group challenges")
            if footprint.challenge_answers
            else "",
            _plural(footprint.daily_answers, "question of the day", "questions of the day")
            if footprint.daily_answers
            else "",
        ]
        extra = ", ".join(part for part in within if part)
        lines.append(
            _plural(footprint.answers, "answer")
            + (f" (with {extra})" if extra else "")
            + ", and your stats and topic mastery"
        )
    if footprint.cards:
        lines.append(_plural(footprint.cards, "question") + " scheduled for review")
    if footprint.round_running:
        lines.append("the round you are playing")
    if footprint.disputes:
        lines.append(_plural(footprint.disputes, "“I was right” dispute"))
    if footprint.memberships:
        lines.append("your place in " + _plural(footprint.memberships, "class", "classes"))
    return lines


def forget_prompt(request: ForgetRequest, *, changed: bool = False) -> Reply:
    """/forgetme: what goes, a warning for teachers, and the confirm and cancel buttons.

    `changed`: they confirmed, but their classes or banks changed since the warning.
    """
    footprint = request.footprint
    if footprint.empty:
        return Reply("I don't store anything about you, so there is nothing to delete.")
    items = "\n".join(f"• {line}" for line in _contents(footprint))
    text = (
        "Nothing was deleted yet: your classes or banks changed since I asked. "
        "Please read this again.\n\n"
        if changed
        else ""
    )
    text += "🗑 <b>Delete everything I store about you?</b>\n" + (
        f"This deletes, for good:\n{items}\n" if items else ""
    )
    if footprint.answers:
        text += "You disappear from group leaderboards and teachers' reports. "
    text += "This can't be undone: send /mydata first if you want a copy."
    if footprint.classes:
        classes = ", ".join(
            f"{escape(c.name)} ({_plural(c.students, 'student')})" for c in footprint.classes
        )
        text += (
            f"\n\n⚠️ <b>You teach {_plural(len(footprint.classes), 'class', 'classes')}</b>: "
            f"{classes}. They are deleted too: their join links stop working, their daily "
            "questions stop, and their students leave them (keeping their own progress)."
        )
    if footprint.banks:
        banks = ", ".join(
            f"{escape(bank)} ({_plural(questions, 'question')})"
            for bank, questions in footprint.banks
        )
        text += (
            f"\n\n⚠️ <b>Your uploaded {'bank' if len(footprint.banks) == 1 else 'banks'}</b> "
            f"{banks} {'is' if len(footprint.banks) == 1 else 'are'} deleted too, and no "
            "longer asked from. Keep a copy of the file if you may want it again."
        )
    if footprint.set_up:
        text += (
            "\n\nGroup challenges and questions of the day you started "
            f"({footprint.set_up}) stay with their groups, but no longer record who started them."
        )
    minutes = int(CONFIRM_FOR.total_seconds() // 60)
    text += f"\n\n<i>The button works for {minutes} minutes, and only for you.</i>"
    yes = "🗑 Yes, delete everything" + (" and my classes" if footprint.teaches else "")
    return Reply(
        text,
        (
            (Button(yes, callbacks.pack(callbacks.ForgetMe(request.nonce, confirm=True))),),
            (Button("Cancel", callbacks.pack(callbacks.ForgetMe(request.nonce, confirm=False))),),
        ),
    )


def forgotten() -> Reply:
    """Confirmed and done."""
    return Reply(
        "✅ Done: I've deleted everything I stored about you. To me you're a new user now; "
        "send /start whenever you like."
    )


def kept() -> Reply:
    """Cancelled."""
    return Reply("Cancelled. Nothing was deleted.")


def stale_alert() -> str:
    """Someone else's confirm button, or a late one (a pop-up, under 200 characters)."""
    return (
        "This button isn't yours, or it has expired. Nothing was deleted. "
        "To delete your own data, send me /forgetme."
    )


def nothing_stored() -> Reply:
    """/mydata from someone we know nothing about."""
    return Reply("I don't store anything about you yet, so there is nothing to send.")


def export_caption(footprint: Footprint) -> str:
    """The caption of the /mydata file (plain text, well under 1,024 characters)."""
    counts = "; ".join(_contents(footprint)) or "your classes and uploads"
    return (
        f"📦 Everything I store about you: {counts}. It's a JSON text file (UTF-8); any "
        "text editor opens it. Only your own data is in it. /forgetme deletes it all."
    )


def private_only() -> Reply:
    """/mydata or /forgetme typed in a group."""
    return Reply(
        "Your data is yours, not the group's: send /mydata or /forgetme to me in a private chat."
    )

"""Question-of-the-day messages (Telegram HTML). No telegram imports, like bot/render.py."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.daily.posts import DailyPost, DailySummary
from bot.daily.schedule import DailyError, Schedule
from bot.render import Reply
from bot.render_challenge import name
from quizbank.model import OPTION_LETTERS, Kind, Library, Question, as_shown

_NAMES_SHOWN = 15


def _when(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%H:%M")


def schedule_set(schedule: Schedule, library: Library, next_run: datetime) -> Reply:
    """/daily 08:30: confirmation, with when the first question comes."""
    return Reply(
        f"📅 Done: a question of the day {_what(schedule, library)}.\n"
        f"The next one comes {next_run.astimezone(ZoneInfo(schedule.zone)):%A %d %B at %H:%M}. "
        "Students answer by replying to it; I post the results 12 hours later (or before the "
        "next question). /daily off stops it."
    )


def _what(schedule: Schedule, library: Library) -> str:
    topic = f" on <i>{escape(library.topic_name(schedule.topic))}</i>" if schedule.topic else ""
    return f"at <b>{schedule.at:%H:%M}</b> ({escape(schedule.zone)}), {schedule.days_text()}{topic}"


def schedule_shown(schedule: Schedule | None, library: Library) -> Reply:
    """/daily alone: the current schedule, or how to set one."""
    if schedule is None:
        return Reply(
            "No question of the day is set for this group. A group admin can set one: "
            "<code>/daily 08:30</code>, <code>/daily 08:30 mon-fri</code>, "
            "<code>/daily 08:30 topic:foreign-policy</code> or "
            "<code>/daily 08:30 tz:Europe/London</code>."
        )
    return Reply(
        f"📅 Question of the day: {_what(schedule, library)}. /daily off stops it (admins)."
    )


def schedule_off(schedule: Schedule | None) -> Reply:
    """/daily off."""
    if schedule is None:
        return Reply("There was no question of the day to stop.")
    return Reply("📅 The question of the day is off. <code>/daily 08:30</code> starts it again.")


def daily_error(error: DailyError) -> Reply:
    """Why /daily could not be read."""
    text = escape(error.text)
    reason = {
        "time": "Give the time as HH:MM, 24-hour: <code>/daily 08:30</code>.",
        "topic": f"I don't know a topic called “{text}”. Try <code>topic:space</code>.",
        "zone": f"“{text}” is not a time zone I know. Try <code>tz:Europe/London</code>.",
        "extra": f"I didn't understand “{text}”. Days look like <code>mon-fri</code>, "
        "<code>weekdays</code> or <code>mon,wed,fri</code>.",
    }[error.reason]
    return Reply(reason)


def admins_only() -> Reply:
    """A teacher command from someone who is not a group admin."""
    return Reply("Only the group's admins can set the question of the day.")


def private_daily() -> Reply:
    """/daily in a private chat."""
    return Reply(
        "The question of the day is set in a group: add me to your class group, then an "
        "admin types <code>/daily 08:30</code> there."
    )


def post(post: DailyPost, q: Question, library: Library, zone: str) -> Reply:
    """The question of the day, to be answered by replying to it."""
    lines = [
        f"📅 <b>Question of the day</b> · <i>{escape(library.topic_name(q.topic))}</i>",
        escape(q.prompt),
    ]
    if q.kind is Kind.CHOICE:
        lines += [f"{OPTION_LETTERS[i]}) {escape(c)}" for i, c in enumerate(q.choices)]
    elif q.kind is Kind.TRUEFALSE:
        lines.append("True or false?")
    lines.append(
        f"<i>↩️ Reply to this message with your answer by {_when(post.deadline, zone)}. "
        "Results then.</i>"
    )
    return Reply("\n".join(lines), force_reply=True)


def summary(result: DailySummary, zone: str) -> Reply:
    """The deadline post: the answer, how many got it, who answered, common wrong answers."""
    q = result.question
    lines = ["📊 <b>Question of the day: results</b>"]
    if q is not None:
        lines += [escape(q.prompt), f"Answer: <b>{escape(as_shown(q.canonical))}</b>"]
        if q.explanation:
            lines.append(f"<i>{escape(q.explanation)}</i>")
    total = len(result.answers)
    if not total:
        lines.append("Nobody answered this one.")
        return Reply("\n".join(lines))
    share = round(100 * result.right / total)
    lines.append(f"✅ {result.right} of {total} right ({share}%)")
    # Everyone who took part is thanked by name, but who got it wrong is never posted: the
    # class sees the misconceptions, unsigned, and the teacher sees each student in /report.
    lines.append("🙋 Answered: " + _names([a.name for a in result.answers]))
    if result.common_wrong:
        common = ", ".join(f"“{escape(text[:40])}” ×{count}" for text, count in result.common_wrong)
        lines.append(f"Most common wrong answers: {common}")
    return Reply("\n".join(lines))


def _names(names: list[str]) -> str:
    shown = ", ".join(name(n) for n in names[:_NAMES_SHOWN])
    more = len(names) - _NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def class_schedule_set(
    schedule: Schedule, class_name: str, library: Library, next_run: datetime
) -> Reply:
    """/dailydm 17:00: confirmation for a class."""
    return Reply(
        f"📬 Done: every student in <b>{escape(class_name)}</b> gets a question in their "
        f"private chat with me {_what(schedule, library)}. The first comes "
        f"{next_run.astimezone(ZoneInfo(schedule.zone)):%A %d %B at %H:%M}. "
        "<code>/dailydm off</code> stops it."
    )


def class_schedules(shown: list[tuple[str, Schedule | None]], library: Library) -> Reply:
    """/dailydm alone: each class and its daily DM."""
    if not shown:
        return Reply("You have no classes yet. <code>/newclass 12B History</code> makes one.")
    lines = ["📬 <b>Daily questions for your classes</b>"]
    for class_name, schedule in shown:
        what = _what(schedule, library) if schedule else "none set"
        lines.append(f"<b>{escape(class_name)}</b>: {what}")
    lines.append(
        "Set one with <code>/dailydm 17:00</code> (add <code>class:12B</code> if you have several)."
    )
    return Reply("\n".join(lines))

"""Class report messages (Telegram HTML) and the per-student CSV. No telegram imports.

The message shows the class as a whole, so it can be posted in the group: topics and
questions in aggregate, how many took part, and streaks (which, like the leaderboard,
only ever praise). Each student's own accuracy is in the CSV, which goes to the teacher
alone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from datetime import date
from html import escape

from bot import callbacks
from bot.classes.model import SchoolClass
from bot.render import Button, Reply
from bot.render_challenge import MESSAGE_UNITS, name, units
from bot.reports.assembly import TOPIC_EVIDENCE, ClassReport, ClassTable, Day, Tally
from quizbank.model import Library

_PROMPT_CHARS = 70
_STREAKS_SHOWN = 20
CSV_BUTTON = Button("📄 CSV per student (sent to you)", callbacks.pack(callbacks.ReportCsv()))
# Characters a spreadsheet reads as the start of a formula: a name like "=HYPERLINK(…)"
# must stay text when the teacher opens the file.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def report(
    result: ClassReport, library: Library, *, title: str | None, class_id: int | None = None
) -> Reply:
    """/report: the class's weakest topics, most-missed questions, week and streaks. With
    `class_id`, the report of a class run in private chats, sent to its teacher."""
    head = "📊 <b>Class report</b>" + (f" · {escape(title)}" if title else "")
    if not result.total.answered:
        if class_id is not None:
            return Reply(
                f"{head}\nNo answers from this class's students since they joined. /push "
                "sends them a question now, <code>/dailydm 17:00</code> one every day."
            )
        return Reply(
            f"{head}\nNo answers in this group yet. Start a /challenge, or set a question of "
            "the day with <code>/daily 08:30</code>; the report fills in as students answer."
        )
    total = result.total
    sections = [
        f"{head}\n{_plural(result.students, 'student')} · {_plural(total.answered, 'answer')}"
        f" · {total.accuracy}% right",
        _weakest(result, library),
        _missed(result, library),
        _week(result),
    ]
    if class_id is None:
        tail = "<i>Each student's results as a CSV: tap the button or send "
        tail += "<code>/report csv</code>, and I'll send it to you privately.</i>"
        button = CSV_BUTTON
    else:
        tail = "<i>From the students' own answers since they joined the class. Each "
        tail += "student's results as a CSV: tap the button.</i>"
        button = Button("📄 CSV per student", callbacks.pack(callbacks.ReportCsv(class_id)))

    def build(shown: int) -> str:
        parts = [*sections, _streaks(result, shown)] if result.streaks else sections
        return "\n\n".join([*parts, tail])

    return Reply(_fit(build), buttons=((button,),))


def _fit(build: Callable[[int], str]) -> str:
    """The text with as many streak names as fit one message."""
    shown = _STREAKS_SHOWN
    text = build(shown)
    while units(text) > MESSAGE_UNITS and shown > 0:
        shown = max(0, shown - 5)
        text = build(shown)
    return text


def _weakest(result: ClassReport, library: Library) -> str:
    lines = [f"<b>Weakest topics</b> <i>({TOPIC_EVIDENCE}+ answers)</i>"]
    for n, line in enumerate(result.weakest, 1):
        topic = escape(library.topic_name(line.topic))
        lines.append(f"{n}. {topic}: {line.tally.accuracy}% right {_of(line.tally)}")
    if not result.weakest:
        lines.append(f"No topic with {TOPIC_EVIDENCE} or more answers has been missed yet.")
    return "\n".join(lines)


def _of(tally: Tally) -> str:
    return f"({tally.right} of {tally.answered})"


def _missed(result: ClassReport, library: Library) -> str:
    lines = ["<b>Most missed questions</b>"]
    for n, line in enumerate(result.missed, 1):
        q = library.question(line.key)
        what = (
            f"“{escape(_cut(q.prompt, _PROMPT_CHARS))}”"
            if q
            else f"<code>{escape(line.key)}</code>"
        )
        t = line.tally
        lines.append(f"{n}. {what}\n    ✗ {t.wrong} of {t.answered} wrong ({t.missed}%)")
    if not result.missed:
        lines.append("None missed yet.")
    return "\n".join(lines)


def _week(result: ClassReport) -> str:
    lines = [
        f"<b>Last {len(result.days)} days</b> · {_plural(result.active, 'student')} took part "
        f"<i>({escape(result.zone)})</i>"
    ]
    lines += [_day_line(day, today=n == len(result.days) - 1) for n, day in enumerate(result.days)]
    return "\n".join(lines)


def _day_line(day: Day, *, today: bool) -> str:
    when = _day(day.day) + (" (today)" if today else "")
    if not day.answers:
        return f"{when}: –"
    return f"{when}: {_plural(day.students, 'student')}, {_plural(day.answers, 'answer')}"


def _streaks(result: ClassReport, shown: int) -> str:
    names = [f"{name(s.name)} – {s.days} days" for s in result.streaks[:shown]]
    more = len(result.streaks) - len(names)
    listed = ", ".join(names) + (f" and {more} more" if more > 0 else "")
    return f"🔥 <b>On a daily streak</b>\n{listed}"


def admins_only() -> Reply:
    """/report from someone who is not a group admin."""
    return Reply(
        "Only the group's admins can see the class report. Your own results are in "
        "/stats, in a private chat with me."
    )


def admins_only_alert() -> str:
    """The CSV button tapped by someone who is not a group admin (a pop-up, 200 at most)."""
    return "Only the group's admins can download the class report."


def which_class(classes: Sequence[SchoolClass], asked: str = "") -> Reply:
    """/report in a private chat without a class of the teacher's: which one, or how."""
    how = (
        "Class reports: for a class you made with /newclass, send <code>/report</code> and "
        "its name here; for a group, an admin sends /report in the group."
    )
    if not classes:
        return Reply(f"{how}\nYou have no classes here yet. Your own results are in /stats.")
    names = "\n".join(f"<code>/report {escape(c.name)}</code>" for c in classes)
    missing = f"No class of yours is called “{escape(asked)}”. " if asked else ""
    return Reply(f"{missing}Which class?\n{names}\n\n{how}")


def csv_caption(table: ClassTable, *, title: str | None) -> str:
    """The caption on the CSV document."""
    where = escape(title) if title else "your group"
    return (
        f"📊 {where}: {_plural(len(table.students), 'student')}, as of {_day(table.day)} "
        f"{table.day.year}. Dates are in the class's time zone."
    )


def csv_sent() -> Reply:
    """/report csv in the group: where the file went."""
    return Reply("📄 I've sent you the CSV in our private chat.")


def csv_sent_alert() -> str:
    """The CSV button: where the file went (a short notification)."""
    return "📄 Sent to you in our private chat."


def start_me_first(bot_username: str) -> Reply:
    """The CSV could not be sent: the teacher never started a private chat with the bot."""
    return Reply(
        "I can't send you the CSV yet: Telegram lets me message you only after you start a "
        "private chat with me. Open it with the button, press <b>Start</b>, then ask again.",
        buttons=((Button("💬 Open a private chat", url=f"https://t.me/{bot_username}"),),),
    )


def start_me_first_alert() -> str:
    """The CSV button, when the bot may not message the teacher (a pop-up, 200 at most)."""
    return (
        "I can't message you yet. Open a private chat with me and press Start, "
        "then tap this button again."
    )


def anonymous_admin() -> Reply:
    """/report csv sent anonymously "as the group": there is no one to send it to."""
    return Reply(
        "You're posting as the group, so I can't tell who to send the CSV to. "
        "Tap the button under the report instead, or send /report csv as yourself."
    )


def csv_name(title: str | None, chat_id: int, day: date) -> str:
    """`report-<group>-<date>.csv`, with the title reduced to letters, digits and dashes."""
    slug = re.sub(r"[^\w]+", "-", title or "", flags=re.UNICODE).strip("-_")[:40]
    return f"report-{slug or abs(chat_id)}-{day.isoformat()}.csv"


def csv_file(table: ClassTable, library: Library) -> bytes:
    """The CSV: one row per student, UTF-8 with a byte-order mark so Excel reads names."""
    out = io.StringIO()
    writer = csv.writer(out)
    topics = [_cell(f"{library.topic_name(t)} %") for t in table.topics]
    writer.writerow(
        [
            "first name",
            "answers",
            "right",
            "accuracy %",
            "last answered",
            "daily streak",
            *topics,
        ]
    )
    for s in table.students:
        per_topic = [s.topics[t].accuracy if t in s.topics else "" for t in table.topics]
        writer.writerow(
            [
                _cell(s.name),
                s.tally.answered,
                s.tally.right,
                s.tally.accuracy,
                s.last_day.isoformat() if s.last_day else "",
                s.streak,
                *per_topic,
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _cell(text: str) -> str:
    """Text a spreadsheet will show as text, never run as a formula."""
    return "'" + text if text.startswith(_FORMULA) else text

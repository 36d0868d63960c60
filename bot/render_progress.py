"""A student's progress in messages: /stats, /review with nothing due, /weak, /timezone.

No telegram imports, like bot/render.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.render import START_BUTTONS, Reply, quote
from bot.render_practice import started_body
from bot.tutor.mastery import TopicMastery
from bot.tutor.rounds import (
    Overview,
    Started,
)
from bot.tutor.streaks import DAILY_GOAL, DailyStreak
from quizbank.model import Library


def nothing_due(next_due: datetime | None, zone: ZoneInfo) -> Reply:
    """/review with nothing due yet."""
    if next_due is None:
        return Reply(
            "Nothing to review yet: questions come back here after you answer them. "
            "Send /quiz to start.",
            START_BUTTONS,
        )
    when = next_due.astimezone(zone)
    return Reply(
        f"🔁 Nothing due for review right now. Next review: "
        f"{when:%a} {when.day} {when:%b at %H:%M}.",
        START_BUTTONS,
    )


def _day_line(days: int, daily: DailyStreak) -> str:
    freezes = (
        f" · 🧊 {daily.freezes} freeze{'s' if daily.freezes != 1 else ''}" if daily.freezes else ""
    )
    return (
        f"📅 Daily streak: {days} day{'s' if days != 1 else ''} (best {daily.best}) · "
        f"goal {DAILY_GOAL} answers a day{freezes}"
    )


def timezone_set(zone: str, now: datetime) -> Reply:
    """/timezone accepted."""
    local = now.astimezone(ZoneInfo(zone))
    return Reply(
        f"🕒 Your days now run on {escape(zone)} time (it's {local:%H:%M} there). "
        "Days you have already practised stay as they were."
    )


def timezone_unknown(text: str) -> Reply:
    """/timezone with a name we do not know."""
    return Reply(
        f"I don't know the time zone “{quote(text)}”. Use a name like Europe/London, "
        "Europe/Berlin or America/New_York."
    )


def timezone_current(zone: ZoneInfo) -> Reply:
    """/timezone on its own."""
    return Reply(
        f"🕒 Your days run on {escape(zone.key)} time. To change it, send e.g. "
        "<code>/timezone Europe/Berlin</code>."
    )


def _due_line(now: int, today: int) -> str:
    if now:
        later = f" · {today - now} more later today" if today > now else ""
        return f"🔁 Due for review now: {now} – send /review{later}"
    return f"🔁 Due for review later today: {today}" if today else "🔁 Nothing due for review today"


def stats(library: Library, overview: Overview) -> Reply:
    """The /stats screen: totals, streak, reviews due, and mastery per topic as bars."""
    s, masteries = overview.stats, overview.masteries
    due_now, due_today, day_streak = overview.due_now, overview.due_today, overview.day_streak
    if s.answered == 0:
        return Reply("📊 No answers yet. Send /quiz to start your first round!", START_BUTTONS)
    lines = [
        "📊 <b>Your stats</b>",
        f"Answered: {s.answered} · accuracy {round(100 * s.accuracy)}%",
        f"🔥 Answer streak: {s.streak} (best {s.best_streak})",
        _day_line(day_streak, s.daily),
        _due_line(due_now, due_today),
    ]
    if s.disputed:
        lines.append(
            f"🙋 Includes {s.disputed} answer{'s' if s.disputed != 1 else ''} you marked "
            "right – your teacher will check."
        )
    if masteries:
        lines.append("<b>Mastery by topic</b>")
        lines.extend(
            f"{_bar(m.mastery)} {round(100 * m.mastery):>3}% {escape(library.topic_name(m.topic))}"
            + (" (weak)" if m.weak else "")
            for m in masteries
        )
    if any(m.weak for m in masteries):
        lines.append("Send /weak to practise your weakest topics.")
    else:
        lines.append("A topic shows as weak after 3 or more answers with mastery under 60%.")
    return Reply("\n".join(lines))


def _bar(share: float, width: int = 10) -> str:
    """A bar of block characters, which reads well in a phone's narrow chat."""
    filled = round(max(0.0, min(1.0, share)) * width)
    return "█" * filled + "░" * (width - filled)


def weak_round(library: Library, started: Started, weak: Sequence[TopicMastery]) -> Reply:
    """The start of a /weak round, with a line on why each topic was chosen."""
    reasons = "\n".join(
        f"• {escape(library.topic_name(t.topic))}: {t.correct} of {t.answered} right, "
        f"mastery {round(100 * t.mastery)}%"
        for t in weak
    )
    body = started_body(library, started)
    return Reply(f"💪 Practice on your weakest topics:\n{reasons}\n\n{body.text}", body.buttons)


def no_weak_topics() -> Reply:
    """/weak with no weak topic."""
    return Reply(
        "💪 No weak topics right now. A topic counts as weak after 3 or more answers with "
        "mastery under 60%. Keep going with /quiz!",
        START_BUTTONS,
    )

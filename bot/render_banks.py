"""Replies to a teacher's bank upload (Telegram HTML). No telegram imports."""

from __future__ import annotations

from collections import Counter
from html import escape

from bot.classes.banks import Rejected, Uploaded
from bot.render import Reply
from quizbank.yamlfile import MAX_FILE_BYTES

_SHOWN = 20  # problems listed; the rest are counted (bank check lists them all)
_TOPICS_SHOWN = 15


def rejected(result: Rejected) -> Reply:
    """Every problem, with its line and question id, so the teacher can fix the file."""
    lines = ["❌ <b>That bank wasn't loaded.</b> Fix these and send it again:"]
    for p in result.problems[:_SHOWN]:
        where = f"line {p.line}" if p.line else "file"
        qid = f" [{escape(p.question)}]" if p.question else ""
        lines.append(f"• {where}{qid}: {escape(p.message[:150])}")
    more = len(result.problems) - _SHOWN
    if more > 0:
        lines.append(f"…and {more} more. <code>quizbot bank check</code> lists them all.")
    return Reply("\n".join(lines))


def uploaded(result: Uploaded) -> Reply:
    """What was loaded, and how to use it."""
    bank = result.bank
    per_topic = Counter(q.topic for q in bank.questions)
    names = {t.id: t.name for t in bank.topics}
    counted = sorted(per_topic.items())
    topics = ", ".join(f"{escape(names.get(t, t)[:60])} ({n})" for t, n in counted[:_TOPICS_SHOWN])
    if len(counted) > _TOPICS_SHOWN:
        topics += f" and {len(counted) - _TOPICS_SHOWN} more"
    first = next(iter(sorted(per_topic)), "")
    warn = "".join(f"\n⚠️ line {w.line}: {escape(w.message[:150])}" for w in result.warnings[:5])
    return Reply(
        f"✅ Loaded <b>{escape(bank.title)}</b>: {len(bank.questions)} questions. "
        f"Topics: {topics}.\nAsk them by topic: <code>/quiz {escape(first)}</code>, or in a "
        f"group <code>/challenge {escape(first)}</code>. Sending the file again replaces it."
        f"{warn}"
    )


def not_a_bank() -> Reply:
    """A document that isn't a .yaml file."""
    return Reply(
        "To add your own questions, send a bank as a <b>.yaml</b> file. docs/quizbank.md "
        "explains the format, with an example to copy."
    )


def too_big() -> Reply:
    """A file over the size limit."""
    return Reply(f"That file is too big: a bank may be up to {MAX_FILE_BYTES // 1000:,} KB.")


def download_failed() -> Reply:
    """Telegram would not give us the file."""
    return Reply("I couldn't download that file from Telegram. Please send it again.")

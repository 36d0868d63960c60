"""Dispute messages (Telegram HTML): a teacher's list and decisions, a student's news.

No telegram imports; bot/handlers/disputes.py sends these.
"""

from __future__ import annotations

from html import escape

from bot import callbacks
from bot.disputes.model import Decided, Inbox, OpenDispute, Refusal
from bot.render import Button, Reply
from quizbank.model import Library, as_shown

SHOWN = 8  # disputes per /disputes message: each brings a row of buttons
_PROMPT = 90
_TYPED = 60


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return escape(text if len(text) <= limit else text[: limit - 1].rstrip() + "…")


def inbox(found: Inbox, library: Library) -> Reply:
    """/disputes: the open disputes on the teacher's banks, each with Accept and Reject."""
    banks = ", ".join(f"<code>{escape(b)}</code>" for b in found.banks)
    if not found.disputes:
        return Reply(
            f"🙋 No open disputes on your banks ({banks}). When a student taps "
            "<b>I was right</b> on one of their questions, it shows here."
        )
    shown = found.disputes[:SHOWN]
    lines = [f"🙋 <b>Open disputes</b> on {banks}: {len(found.disputes)}"]
    lines += [_item(n, d, library) for n, d in enumerate(shown, 1)]
    if len(found.disputes) > len(shown):
        lines.append(
            f"<i>Showing {len(shown)} of {len(found.disputes)}: decide these, then send "
            "/disputes again.</i>"
        )
    lines.append(
        "<i>Accept: the answer is marked right from now on, and past answers typed that "
        "way are re-graded. Reject: the mark stands.</i>"
    )
    buttons = tuple(
        (
            Button(f"✅ Accept {n}", callbacks.pack(callbacks.Decide(d.dispute_id, True))),
            Button(f"❌ Reject {n}", callbacks.pack(callbacks.Decide(d.dispute_id, False))),
        )
        for n, d in enumerate(shown, 1)
    )
    return Reply("\n\n".join(lines), buttons)


def _item(n: int, dispute: OpenDispute, library: Library) -> str:
    question = library.question(dispute.question_key)
    if question is None:
        asked, expected = f"<code>{escape(dispute.question_key)}</code> (no longer in a bank)", "–"
    else:
        asked, expected = (
            f"“{_cut(question.prompt, _PROMPT)}”",
            _cut(as_shown(question.canonical), _TYPED),
        )
    who = f"{dispute.students} student{'s' * (dispute.students != 1)}"
    return (
        f"<b>{n}.</b> {asked}\nExpected: <b>{expected}</b>\n"
        f"Typed: “{_cut(dispute.typed, _TYPED)}” · {who}"
    )


def refused(refusal: Refusal) -> Reply:
    """/disputes from someone who decides no bank's disputes."""
    assert refusal is Refusal.NOT_TEACHER
    return Reply(
        "Disputes are for teachers: you see the ones on the banks you uploaded (send me a "
        "<code>.yaml</code> bank file to upload one), and the bot's owners see the built-in "
        "bank's. Your own results are in /stats."
    )


def refused_alert(refusal: Refusal) -> str:
    """A decision button that did nothing (a pop-up, 200 characters at most)."""
    return {
        Refusal.NOT_TEACHER: "Only the bank's teacher can decide its disputes.",
        Refusal.NOT_YOURS: "That dispute is on someone else's bank: only its teacher decides it.",
        Refusal.NOT_FOUND: "That button is no longer valid.",
        Refusal.ALREADY: "Already decided ✓ Send /disputes for the open ones.",
        Refusal.GONE: "That question is no longer in any bank, so no answer to it can be "
        "accepted. You can still reject the dispute.",
    }[refusal]


def decided_alert(decided: Decided) -> str:
    """The toast on the button a teacher pressed."""
    return "Accepted ✓" if decided.accepted else "Rejected ✓"


def decided(decided: Decided) -> Reply:
    """What the teacher's decision did."""
    typed, asked = _cut(decided.typed, _TYPED), _asked(decided)
    told = len(decided.notify)
    students = f"{told} student{'s' * (told != 1)}"
    if decided.accepted:
        answers = f"{decided.answers} answer{'s' * (decided.answers != 1)}"
        return Reply(
            f"✅ Accepted “{typed}” for {asked}. It's marked right from now on, and {answers} "
            f"given so far now count as right. I'm letting the {students} who disputed it know."
        )
    return Reply(
        f"❌ Rejected “{typed}” for {asked}. The mark stands; I'm letting the {students} "
        "who disputed it know."
    )


def told_student(decided: Decided) -> Reply:
    """A disputing student hears what their teacher decided."""
    typed, asked = _cut(decided.typed, _TYPED), _asked(decided)
    if decided.accepted:
        return Reply(
            f"✅ Your teacher accepted your answer “{typed}” to {asked}. It counts as right "
            "in your /stats."
        )
    expected = (
        f" The expected answer is <b>{_cut(as_shown(decided.question.canonical), _TYPED)}</b>."
        if decided.question is not None
        else ""
    )
    return Reply(
        f"Your teacher checked your answer “{typed}” to {asked} and kept the mark.{expected} "
        "It no longer counts as right in your /stats."
    )


def _asked(decided: Decided) -> str:
    if decided.question is None:
        return f"<code>{escape(decided.question_key)}</code>"
    return f"“{_cut(decided.question.prompt, _PROMPT)}”"

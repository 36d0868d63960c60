"""A practice round in messages: its questions, the feedback on each answer, its summary.

No telegram imports, like bot/render.py.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from bot import callbacks
from bot.render import START_BUTTONS, Button, Reply
from bot.tutor.rounds import (
    MAX_ANSWER_CHARS,
    MAX_POINTS_ANSWER_CHARS,
    DisputeResult,
    Retry,
    Round,
    SelfCheck,
    Started,
    Summary,
    Turn,
    Unreadable,
)
from quizbank.grading import Outcome
from quizbank.model import OPTION_LETTERS, Kind, Library, Question, as_shown


def in_progress(library: Library, rnd: Round, q: Question) -> Reply:
    """A round is already running: show its question again instead of starting another."""
    body = question(library, rnd, q)
    note = "You're in the middle of a round. Here's your question again (or /stop it first):"
    return Reply(f"{note}\n\n{body.text}", body.buttons)


def question(library: Library, rnd: Round, q: Question) -> Reply:
    """A question with its number, topic and (for choices) the option buttons."""
    header = (
        f"<b>Question {rnd.position + 1}/{len(rnd.questions)}</b> · "
        f"<i>{escape(library.topic_name(q.topic))}</i>"
    )
    text = f"{header}\n{escape(q.prompt)}"
    if q.kind is Kind.TEXT:
        return Reply(text)
    if q.kind is Kind.POINTS:
        return Reply(f"{text}\n<i>Type your answer, then compare it with the mark scheme.</i>")
    if q.kind is Kind.TRUEFALSE:
        text += "\n<i>True or false?</i>"
    rows = tuple(
        (Button(_option_label(q, shown, choice), _choose(rnd, shown)),)
        for shown, choice in enumerate(q.choices[i] for i in rnd.option_order(q))
    )
    return Reply(text, rows)


def _choose(rnd: Round, shown: int) -> str:
    return callbacks.pack(callbacks.Choose(rnd.token, rnd.position, shown))


def _option_label(q: Question, shown: int, choice: str) -> str:
    return choice if q.kind is Kind.TRUEFALSE else f"{OPTION_LETTERS[shown]}) {choice}"


def started_body(library: Library, started: Started) -> Reply:
    """The first question of a round, without the intro line."""
    return question(library, started.round, started.question)


def started(library: Library, rnd: Round, q: Question, replaced: Round | None) -> Reply:
    """The first question of a new round, noting an abandoned one."""
    scope = library.topic_name(rnd.topic) if rnd.topic else "all topics"
    count = len(rnd.questions)
    plural = "s" if count != 1 else ""
    if rnd.review:
        intro = (
            f"🔁 Review: {count} question{plural} due, the ones you're likeliest to forget first."
        )
    else:
        intro = f"🎯 New round: {count} question{plural} on {escape(scope)}."
    if replaced is not None and replaced.answered:
        intro += f" (Your previous round ended at {replaced.correct}/{replaced.answered}.)"
    body = question(library, rnd, q)
    return Reply(f"{intro}\n\n{body.text}", body.buttons)


_SELF_MARK_BUTTONS = (("✅ I made them all", 2), ("🟡 Some of them", 1), ("❌ None yet", 0))


def self_check(result: SelfCheck) -> Reply:
    """The mark scheme beside the student's answer, for them to mark it themself."""
    q, rnd = result.question, result.round
    lines = [f"📝 <b>Mark scheme</b> ({q.marks} mark{'s' if q.marks != 1 else ''}):"]
    for point, made in zip(q.points, result.made, strict=True):
        lines.append(f"{'☑️' if made else '▫️'} {escape(point.text)}")
    lines += [
        "☑️ = your answer seems to mention it.",
        f"<i>Model answer: {escape(q.explanation)}</i>",
        "How did you do? Tap below, or type all, some or none.",
    ]
    return Reply("\n".join(lines), _self_mark_rows(rnd))


def _self_mark_rows(rnd: Round) -> tuple[tuple[Button, ...], ...]:
    return tuple(
        (Button(label, callbacks.pack(callbacks.SelfMark(rnd.token, rnd.position, level))),)
        for label, level in _SELF_MARK_BUTTONS
    )


def _feedback(turn: Turn) -> str:
    verdict, q = turn.verdict, turn.question
    if q.kind is Kind.POINTS:
        # The same marks as every other answer, so ✅ 🟡 ❌ mean one thing throughout.
        return {
            Outcome.CORRECT: "✅ All the points, by your own marking. Well done!",
            Outcome.PARTIAL: "🟡 Some of the points, by your own marking. Worth another look.",
            Outcome.WRONG: "❌ Not yet, by your own marking. Read the mark scheme again.",
            Outcome.SKIPPED: "⏭ Skipped. The mark scheme is worth a read next time.",
        }[verdict.outcome]
    answer = f"<b>{escape(as_shown(verdict.canonical))}</b>"
    picked = f"You chose {escape(turn.chosen)}. " if turn.chosen else ""
    if verdict.outcome is Outcome.CORRECT:
        head = f"✅ Correct! The answer is {answer}."
    elif verdict.outcome is Outcome.TYPO:
        head = f"✅ Correct – watch the spelling: {answer}."
    elif verdict.outcome is Outcome.PARTIAL:
        missing = " and ".join(f"<b>{escape(m)}</b>" for m in verdict.missing)
        head = f"🟡 Partly right – you missed {missing}. The full answer is {answer}."
    elif verdict.outcome is Outcome.SKIPPED:
        head = f"⏭ Skipped. The answer was {answer}."
    else:
        head = f"❌ Not quite. {picked}The answer is {answer}."
    again = ""
    if (
        verdict.outcome in (Outcome.WRONG, Outcome.PARTIAL)
        and turn.round.questions.count(q.key) > 1
        and q.key in turn.round.questions[turn.round.position :]
    ):
        again = "\n↩️ It will come back later in this round."
    return f"{head}\n<i>{escape(q.explanation)}</i>{again}"


def turn(library: Library, result: Turn) -> Reply:
    """Feedback on an answer and, in the same message, the next question or the summary."""
    feedback = _feedback(result)
    if result.summary is not None:
        after = summary(result.summary)
    else:
        assert result.next_question is not None
        after = question(library, result.round, result.next_question)
    return Reply(f"{feedback}\n\n{after.text}", _dispute_row(result) + after.buttons)


def _dispute_row(result: Turn) -> tuple[tuple[Button, ...], ...]:
    """An "I was right" button under a typed answer marked wrong or partial."""
    if not result.disputable or result.answer_id is None:
        return ()
    data = callbacks.pack(callbacks.Dispute(result.answer_id))
    return ((Button("🙋 I was right (last answer)", data),),)


def disputed(result: DisputeResult) -> str:
    """Toast text after an "I was right" tap."""
    return {
        DisputeResult.RECORDED: "Marked as right ✓ Your teacher will check it.",
        DisputeResult.ALREADY: "Already noted – your teacher will check it.",
        DisputeResult.NOT_ALLOWED: "That button is no longer valid.",
    }[result]


def answer_result(library: Library, result: Turn | Retry | Unreadable | SelfCheck | None) -> Reply:
    """The reply to a typed answer or a skip, whatever the tutor made of it."""
    match result:
        case None:
            return no_round()
        case Turn():
            return turn(library, result)
        case Retry():
            return retry()
        case Unreadable(question=q, reason="pick_option"):
            return pick_option(q)
        case SelfCheck():
            return self_check(result)
        case Unreadable(round=rnd, reason="self_mark"):
            text = "Mark your answer first: tap a button, or type all, some or none."
            return Reply(text, _self_mark_rows(rnd))
        case Unreadable(reason="wordy"):
            return Reply("Keep it short: just the name, term or date, please (or /skip).")
        case Unreadable(reason="empty"):
            return Reply("I couldn't find an answer in that. Type a name, term or date, or /skip.")
        case Unreadable(question=q):
            return too_long(q)


def retry() -> Reply:
    """A near miss: one more try."""
    return Reply("🤏 So close! Check the spelling and try once more (or /skip).")


def too_long(q: Question) -> Reply:
    """An answer longer than this kind of question takes."""
    if q.kind is Kind.POINTS:
        return Reply(
            f"That's longer than I can take: keep an exam answer under "
            f"{MAX_POINTS_ANSWER_CHARS} characters. Try again, or /skip."
        )
    return Reply(
        f"That's a long answer! I grade short replies (up to {MAX_ANSWER_CHARS} characters): "
        "a name, term or date. Try again, or /skip."
    )


def pick_option(q: Question) -> Reply:
    """A typed reply to a multiple-choice question that matches no option."""
    if q.kind is Kind.TRUEFALSE:
        return Reply("Answer <b>true</b> or <b>false</b>.")
    letters = ", ".join(OPTION_LETTERS[: len(q.choices)])
    return Reply(f"Pick one of the options by its letter ({letters}).")


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def summary(s: Summary) -> Reply:
    """The end of a round: score, time and streak."""
    if s.answered == 0:
        score = "No questions answered"
    else:
        score = f"Score: <b>{s.correct}/{s.answered}</b>"
        if s.answered < s.total:
            score += f" (stopped after {s.answered} of {s.total})"
    text = (
        f"🏁 <b>Round over.</b> {score} · time {_duration(s.duration)}\n"
        f"🔥 Answer streak: {s.streak} (best {s.best_streak})\n"
        "Send /quiz for another round, or /stats to see your progress."
    )
    return Reply(text, START_BUTTONS)


def no_round() -> Reply:
    """A reply that came with no round running."""
    return Reply("There's no quiz running right now. Send /quiz to start one.", START_BUTTONS)


def no_round_to(action: str) -> Reply:
    """/skip or /stop with nothing to skip or stop."""
    return Reply(f"There's no round to {action}. Send /quiz to start one.")


def not_text(rnd: Round | None) -> Reply:
    """A sticker, photo, voice note or other non-text message."""
    if rnd is None:
        return Reply("I can only read typed text. Send /quiz to start a round.")
    return Reply("I can only read typed answers. Type your answer, or /skip.")


def stale_button() -> str:
    """Toast text for a button from a question that is already settled."""
    return "That question is already done – answer the latest one."

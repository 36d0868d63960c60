"""Turn tutor results into message text (Telegram HTML) and neutral buttons.

No telegram imports: the handlers convert `Reply` into API objects, and `quizbot play`
prints the same replies as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape, unescape
from zoneinfo import ZoneInfo

from bot import callbacks
from bot.tutor.mastery import TopicMastery
from bot.tutor.requests import BadCount, UnknownTopic
from bot.tutor.rounds import (
    DEFAULT_ROUND,
    MAX_ANSWER_CHARS,
    MAX_POINTS_ANSWER_CHARS,
    MAX_ROUND,
    MIN_ROUND,
    DisputeResult,
    Overview,
    Retry,
    Round,
    SelfCheck,
    Started,
    Summary,
    Turn,
    Unreadable,
)
from bot.tutor.streaks import DAILY_GOAL, DailyStreak
from quizbank.grading import Outcome
from quizbank.model import OPTION_LETTERS, Kind, Library, Question

_TAG = re.compile(r"</?[a-z]+>")


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: callback `data`, or a `url` to open."""

    label: str
    data: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to send: HTML text plus rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    # Open the reply box on the message, so a group answers it even in privacy mode.
    force_reply: bool = False


def _quote(text: str, limit: int = 40) -> str:
    """Echo a bit of user input safely: short, escaped, on one line."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return escape(text)


START_BUTTONS = (
    (Button("▶️ Start a quiz", callbacks.pack(callbacks.StartQuiz())),),
    (Button("📚 Choose a topic", callbacks.pack(callbacks.ShowTopics())),),
)


def welcome(first_name: str, library: Library, current: tuple[Round, Question] | None) -> Reply:
    """The /start greeting; a round in progress is shown again so it can go on."""
    name = f", {_quote(first_name, 32)}" if first_name else ""
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


def in_progress(library: Library, rnd: Round, q: Question) -> Reply:
    """A round is already running: show its question again instead of starting another."""
    body = question(library, rnd, q)
    note = "You're in the middle of a round. Here's your question again (or /stop it first):"
    return Reply(f"{note}\n\n{body.text}", body.buttons)


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
            "To practise on your own, /quiz opens a private chat with me."
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
        "button (or type its letter). Small typos are fine; wrong dates are not."
    )


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
    answer = f"<b>{escape(verdict.canonical)}</b>"
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
        f"I don't know the time zone “{_quote(text)}”. Use a name like Europe/London, "
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


MAX_TOPIC_BUTTONS = 40  # Telegram caps an inline keyboard at 100 buttons; phones, far lower


def topics(library: Library) -> Reply:
    """The topic list with a button per topic."""
    shown = library.shared_topics[:MAX_TOPIC_BUTTONS]
    rows = tuple((Button(t.name, callbacks.pack(callbacks.StartQuiz(t.id))),) for t in shown)
    text = "📚 <b>Topics</b>: tap one to start a round on it."
    if len(library.shared_topics) > len(shown):
        text += f"\n({len(library.shared_topics) - len(shown)} more: send /quiz and a topic name.)"
    return Reply(text, rows)


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


def bad_quiz_args(text: str) -> Reply:
    """/quiz with arguments that are neither a count nor a topic."""
    return Reply(
        f"I don't know a topic called “{_quote(text)}”. Send /topics to see them, "
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


def stale_button() -> str:
    """Toast text for a button from a question that is already settled."""
    return "That question is already done – answer the latest one."


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


MESSAGE_UNITS = 4096  # Telegram's limit, in UTF-16 units of visible text


def fit_message(text: str) -> str:
    """The text, cut at a line if it would be too long to send (a last line of defence:
    each reply is built to fit, but a list of names or topics can always grow)."""
    if _units(text) <= MESSAGE_UNITS:
        return text
    kept: list[str] = []
    for line in text.split("\n"):
        if _units("\n".join([*kept, line, "…"])) > MESSAGE_UNITS:
            break
        kept.append(line)
    return "\n".join([*kept, "…"])


def _units(html: str) -> int:
    return len(html_to_plain(html).encode("utf-16-le")) // 2


def html_to_plain(text: str) -> str:
    """Strip our HTML for the terminal."""
    return unescape(_TAG.sub("", text))

"""Group challenge messages (Telegram HTML). No telegram imports, like bot/render.py.

A group takes about 20 bot messages a minute, so each question gets one message when its
time is up: the answer, who got it and how fast, the top 5, and the next question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape, unescape

from bot.challenge.game import (
    DEFAULT_QUESTIONS,
    MAX_SECONDS,
    MIN_SECONDS,
    AlreadyRunning,
    Challenge,
    Closed,
    Ended,
    Leaderboard,
    Mode,
    NoQuestions,
    PlayerResult,
    Standing,
)
from bot.challenge.requests import BadSeconds
from bot.render import Reply
from bot.tutor.requests import BadCount, UnknownTopic
from bot.tutor.rounds import MAX_ROUND, MIN_ROUND
from quizbank.model import OPTION_LETTERS, Kind, Library, Question, as_shown

MEDALS = ("🥇", "🥈", "🥉")
_TAGS = re.compile(r"</?[a-z]+>")
_NAMES_SHOWN = 10  # who got it: beyond this, "and N more"
_LISTED = 50  # final scores and leaderboards: the rest are counted, not listed
# Telegram's limits for quiz polls.
POLL_QUESTION_CHARS = 300
POLL_OPTION_CHARS = 100
POLL_EXPLANATION_CHARS = 200
POLL_MIN_SECONDS = 5  # the shortest open_period Telegram takes
# Telegram counts a message's length in UTF-16 units: an emoji in a name counts twice.
MESSAGE_UNITS = 4096


@dataclass(frozen=True, slots=True)
class PollPost:
    """A native quiz poll for one question (plain text: polls take no HTML)."""

    question: str
    options: tuple[str, ...]
    correct: int  # index into options, as shown
    explanation: str
    seconds: int


def name(first_name: str) -> str:
    """A player's name, safe and short."""
    text = " ".join(first_name.split()) or "Player"
    return escape(text if len(text) <= 24 else text[:23] + "…")


def _points(value: int) -> str:
    return f"{value:,}"


def intro(challenge: Challenge, library: Library) -> str:
    """The opening lines: how many questions, how long, and how to answer."""
    what = f"on <i>{escape(library.topic_name(challenge.topic))}</i> " if challenge.topic else ""
    count = len(challenge.questions)
    how = (
        "Vote in each quiz poll before it closes."
        if challenge.mode is Mode.POLL
        else "<b>Reply to each question</b> with your answer. Your first reply counts."
    )
    return (
        f"🏁 <b>Challenge!</b> {count} question{'s' * (count != 1)} {what}· "
        f"{challenge.seconds} s each\n{how} Faster right answers score more."
    )


def question(challenge: Challenge, q: Question, library: Library, *, lead: str = "") -> Reply:
    """A challenge question, to be answered by replying to it; `lead` goes above it."""
    number = challenge.position + 1
    header = (
        f"<b>❓ Question {number}/{len(challenge.questions)}</b> · ⏱ {challenge.seconds} s · "
        f"<i>{escape(library.topic_name(q.topic))}</i>"
    )
    lines = [header, escape(q.prompt)]
    if q.kind is Kind.CHOICE:
        lines += [
            f"{OPTION_LETTERS[shown]}) {escape(q.choices[i])}"
            for shown, i in enumerate(challenge.option_order(q))
        ]
        hint = "Reply with a letter or the answer."
    elif q.kind is Kind.TRUEFALSE:
        hint = "Reply true or false."
    else:
        hint = "Reply to this message with your answer."
    lines.append(f"<i>↩️ {hint}</i>")
    body = "\n".join(lines)
    return Reply(f"{lead}\n\n{body}" if lead else body, force_reply=True)


def poll(challenge: Challenge, q: Question, *, now: datetime) -> PollPost:
    """A challenge question as a quiz poll, options in the challenge's shown order.

    Posted again (the group moved), it stays open only for the time the question has left.
    """
    order = challenge.option_order(q)
    prefix = f"{challenge.position + 1}/{len(challenge.questions)}: "
    deadline = challenge.deadline
    seconds = challenge.seconds
    if deadline is not None:
        seconds = max(POLL_MIN_SECONDS, math.ceil((deadline - now).total_seconds()))
    return PollPost(
        question=_cut(prefix + q.prompt, POLL_QUESTION_CHARS),
        options=tuple(_cut(q.choices[i], POLL_OPTION_CHARS) for i in order),
        correct=next(shown for shown, i in enumerate(order) if q.choices[i] == q.canonical),
        explanation=_cut(q.explanation, POLL_EXPLANATION_CHARS),
        seconds=seconds,
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def closed(result: Closed) -> str:
    """Time's up: the answer, who got it and how fast, and the running top 5."""
    q = result.question
    lines = [
        f"⏰ <b>Time's up!</b> The answer: <b>{escape(as_shown(q.canonical))}</b>" if q else ""
    ]
    if q is not None and q.explanation:
        lines.append(f"<i>{escape(q.explanation)}</i>")
    right = [r for r in result.results if r.outcome.accepted]
    halves = [r for r in result.results if r.points and not r.outcome.accepted]
    if right:
        lines.append("✅ " + _who(right))
    if halves:
        lines.append("🟡 Half marks: " + _who(halves))
    if not right and not halves:
        lines.append("Nobody got this one." if result.results else "No answers this time.")
    elif len(result.results) > len(right) + len(halves):
        lines.append(f"{len(result.results)} answered.")
    if not result.finished and result.standings:
        lines.append("\n<b>Top 5</b>\n" + _table(result.standings[:5]))
    return "\n".join(line for line in lines if line)


def _who(results: Sequence[PlayerResult]) -> str:
    shown = [f"{name(r.name)} {r.seconds:.1f} s" for r in results[:_NAMES_SHOWN]]
    more = len(results) - _NAMES_SHOWN
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _table(standings: Sequence[Standing], *, start: int = 1) -> str:
    return "\n".join(
        f"{start + i}. {name(s.name)} – {_points(s.points)}" for i, s in enumerate(standings)
    )


def final(standings: Sequence[Standing], *, listed: int = _LISTED) -> str:
    """The podium, then everyone's score (the first `listed`; the rest are counted)."""
    if not standings:
        return "🏁 <b>Challenge over.</b> Nobody answered – try again with /challenge."
    podium = "\n".join(
        f"{medal} {name(s.name)} – {_points(s.points)}"
        for medal, s in zip(MEDALS, standings, strict=False)
    )
    lines = ["🏆 <b>Final results</b>", podium]
    rest = standings[3:listed]
    if rest:
        lines.append(_table(rest, start=4))
    if len(standings) > max(listed, 3):
        lines.append(f"…and {len(standings) - max(listed, 3)} more players.")
    lines.append(
        "\nEvery answer also counts in your own /stats and reviews in a private chat with me. "
        "/leaderboard shows the week."
    )
    return "\n".join(lines)


def units(html: str) -> int:
    """A message's length as Telegram counts it: visible text, in UTF-16 units."""
    return len(unescape(_TAGS.sub("", html)).encode("utf-16-le")) // 2


def _fit(build: Callable[[int], str]) -> str:
    """The longest `build(listed)` that fits one message, listing fewer players if needed."""
    listed = _LISTED
    text = build(listed)
    while units(text) > MESSAGE_UNITS and listed > 3:
        listed -= 5
        text = build(max(listed, 3))
    return text


def finished(result: Closed) -> Reply:
    """The last question's results and the final standings, in one message."""
    head = closed(result)
    return Reply(_fit(lambda listed: f"{head}\n\n{final(result.standings, listed=listed)}"))


def ended(result: Ended) -> Reply:
    """/endchallenge: stopped early, with the standings so far."""
    return Reply(
        _fit(lambda listed: f"🛑 Challenge stopped.\n\n{final(result.standings, listed=listed)}")
    )


def leaderboard(board: Leaderboard) -> Reply:
    """/leaderboard: this week's standings, then all time."""
    if not board.all_time:
        return Reply("No challenge scores in this group yet. Start one with /challenge.")
    week = _table(board.week[:10]) if board.week else "No points yet this week."
    ever = _table(board.all_time[:10])
    return Reply(f"🏆 <b>This week</b>\n{week}\n\n<b>All time</b>\n{ever}")


def already_running(result: AlreadyRunning) -> Reply:
    """/challenge while one is running."""
    c = result.challenge
    how = (
        "Vote in its latest poll"
        if c.mode is Mode.POLL
        else "Answer by replying to its latest question"
    )
    return Reply(
        f"A challenge is already running (question {min(c.position + 1, len(c.questions))} of "
        f"{len(c.questions)}). {how}. The player who started it or an admin can stop it "
        "with /endchallenge."
    )


def no_questions(result: NoQuestions, library: Library) -> Reply:
    """Nothing suitable to ask."""
    where = f" on {escape(library.topic_name(result.topic))}" if result.topic else ""
    if result.mode is Mode.POLL:
        return Reply(
            f"There are no multiple-choice questions{where} for a poll challenge. "
            "Try /challenge without <code>poll</code>."
        )
    return Reply(f"There are no questions{where} to play. Try /challenge on its own.")


def request_error(request: BadCount | UnknownTopic | BadSeconds) -> Reply:
    """Why /challenge could not start."""
    if isinstance(request, BadSeconds):
        return Reply(
            f"Each question can run {MIN_SECONDS} to {MAX_SECONDS} seconds – "
            "try <code>/challenge 10 30s</code>."
        )
    if isinstance(request, BadCount):
        return Reply(
            f"A challenge can have {MIN_ROUND} to {MAX_ROUND} questions – "
            f"try <code>/challenge {DEFAULT_QUESTIONS}</code>."
        )
    return Reply(
        f"I don't know a topic called “{escape(request.text[:40])}”. Try "
        "<code>/challenge</code> for every topic, or <code>/challenge 5 foreign policy</code>."
    )


def not_yours_to_end() -> Reply:
    """/endchallenge from someone who may not."""
    return Reply("Only the player who started this challenge or a group admin can stop it.")


def nothing_to_end() -> Reply:
    """/endchallenge with nothing running."""
    return Reply("No challenge is running. Start one with /challenge.")


def groups_only() -> Reply:
    """/challenge or /leaderboard in a private chat."""
    return Reply(
        "Challenges are played in groups: add me to your class group and type /challenge "
        "there. Here, /quiz starts a round just for you."
    )

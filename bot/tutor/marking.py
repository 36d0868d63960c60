"""Marking: grade a reply to the question a round is on, record it, and move the round on.

The tutor finds the student's round and holds their lock; this module decides what the
reply was worth and writes it to SQLite. Every result carries the round as it now stands.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.tutor.memory import reviewer
from bot.tutor.rounds import (
    MAX_ANSWER_CHARS,
    MAX_POINTS_ANSWER_CHARS,
    SELF_MARKS,
    AnswerRecord,
    Retry,
    Round,
    SelfCheck,
    Summary,
    Turn,
    Unreadable,
)
from bot.tutor.store import TutorStore
from bot.tutor.streaks import day_counter
from quizbank.grading import Outcome, Verdict, grade, known_terms
from quizbank.model import Kind, Library, Question
from quizbank.normalise import tokens
from quizbank.replies import choice_index, points_made


class Marking:
    """Grades and records the answers to running rounds."""

    def __init__(self, *, store: TutorStore, library: Library, zone: ZoneInfo) -> None:
        self._store = store
        self._zone = zone
        self.use_library(library)

    def use_library(self, library: Library) -> None:
        """Mark against these banks from now on."""
        self._library = library
        # Shared banks only: an upload must not change how everyone else is marked.
        self._known = known_terms(library.pool())

    async def answer(
        self, rnd: Round, question: Question, typed: str, *, at: datetime
    ) -> Turn | Retry | Unreadable | SelfCheck:
        """Grade a typed answer to the round's current question."""
        if question.kind is Kind.POINTS and rnd.pending is not None:
            level = SELF_MARKS.get(typed.strip().casefold())
            if level is None:
                return Unreadable(question, rnd, "self_mark")
            return await self.self_mark(rnd, question, level, at=at)
        limit = MAX_POINTS_ANSWER_CHARS if question.kind is Kind.POINTS else MAX_ANSWER_CHARS
        if len(typed) > limit:
            return Unreadable(question, rnd, "too_long")
        if question.kind is Kind.POINTS:
            if not tokens(typed):
                return Unreadable(question, rnd, "empty")
            await self._store.set_pending(rnd.user_id, typed)
            rnd = replace(rnd, pending=typed)
            return SelfCheck(question, rnd, typed, points_made(question, typed))
        if question.kind is not Kind.TEXT:
            index = choice_index(question, typed, order=rnd.option_order(question))
            if index is None:
                return Unreadable(question, rnd, "pick_option")
            return await self._settle_choice(rnd, question, index, typed, at)
        verdict = grade(question, typed, known=self._known)
        if verdict.outcome in (Outcome.WORDY, Outcome.EMPTY):
            # "?", an emoji or a whole sentence is not an attempt: ask again, mark nothing.
            return Unreadable(question, rnd, verdict.outcome.value)
        if verdict.outcome is Outcome.ALMOST and not rnd.retry_used:
            await self._store.log_attempt(_record(rnd, question, typed, verdict.outcome, at))
            return Retry(question, replace(rnd, retry_used=True))
        if verdict.outcome is Outcome.ALMOST:
            verdict = Verdict(Outcome.WRONG, verdict.canonical)
        return await self._settle(rnd, question, typed, verdict, at)

    async def self_mark(self, rnd: Round, question: Question, level: int, *, at: datetime) -> Turn:
        """Settle a mark-scheme answer with the student's own mark (0, 1 or 2)."""
        outcome = (Outcome.WRONG, Outcome.PARTIAL, Outcome.CORRECT)[max(0, min(level, 2))]
        typed = rnd.pending or ""
        return await self._settle(rnd, question, typed, Verdict(outcome, question.canonical), at)

    async def choose(
        self, rnd: Round, question: Question, index: int, *, at: datetime
    ) -> Turn | None:
        """Settle the question with the option shown at `index`; None if there is none."""
        if question.kind is Kind.TEXT or not 0 <= index < len(question.choices):
            return None
        # Buttons carry the shown position; map it back to the bank's option.
        index = rnd.option_order(question)[index]
        return await self._settle_choice(rnd, question, index, question.choices[index], at)

    async def skip(self, rnd: Round, question: Question, *, at: datetime) -> Turn:
        """Give up on the question (counted as a miss)."""
        skipped = Verdict(Outcome.SKIPPED, question.canonical)
        return await self._settle(rnd, question, "", skipped, at)

    async def _settle_choice(
        self, rnd: Round, question: Question, index: int, typed: str, at: datetime
    ) -> Turn:
        # The log keeps what was typed ("b"); the reply names the option that meant.
        picked = question.choices[index]
        ok = picked == question.canonical
        verdict = Verdict(Outcome.CORRECT if ok else Outcome.WRONG, question.canonical)
        return await self._settle(rnd, question, typed, verdict, at, chosen=picked)

    async def _settle(
        self,
        rnd: Round,
        question: Question,
        typed: str,
        verdict: Verdict,
        at: datetime,
        *,
        chosen: str | None = None,
    ) -> Turn:
        # A typed or picked answer that was wrong comes back later in the round; a skip
        # ("don't know") or an exam question the student marked themself does not.
        requeue = verdict.outcome in (Outcome.WRONG, Outcome.PARTIAL) and (
            question.kind is not Kind.POINTS
        )
        # The next question may have gone with a bank a teacher replaced mid-round.
        after = past_vanished(rnd.advance(verdict.outcome, requeue=requeue), self._library)
        record = _record(rnd, question, typed, verdict.outcome, at)
        # Right only after a "so close" retry is a harder recall than right first time.
        saved = await self._store.record_answer(
            record,
            accepted=verdict.accepted,
            rnd=after,
            review=reviewer(verdict.outcome, at, after_retry=rnd.retry_used),
            # A skip is not an answer: it does not count towards the day's goal.
            daily=None if verdict.outcome is Outcome.SKIPPED else day_counter(at, self._zone.key),
        )
        summary = summarise(after, at, saved.streak, saved.best_streak) if after.finished else None
        key = after.current
        upcoming = self._library.question(key) if key else None
        return Turn(question, typed, verdict, after, upcoming, summary, chosen, saved.answer_id)


def past_vanished(rnd: Round, library: Library) -> Round:
    """The round moved on past questions whose bank was removed or replaced since."""
    while not rnd.finished and library.question(rnd.questions[rnd.position]) is None:
        rnd = replace(rnd, position=rnd.position + 1)
    return rnd


def summarise(rnd: Round, at: datetime, streak: int, best: int) -> Summary:
    """How the round went, for the message that ends it."""
    duration = max(at - rnd.started_at, timedelta(0))
    return Summary(rnd.correct, rnd.answered, len(rnd.questions), duration, streak, best)


def _record(
    rnd: Round, question: Question, typed: str, outcome: Outcome, at: datetime
) -> AnswerRecord:
    return AnswerRecord.of(
        question,
        user_id=rnd.user_id,
        chat_id=rnd.chat_id,
        typed=typed,
        outcome=outcome,
        at=at,
        token=rnd.token,
    )

"""Teachers decide their banks' disputes. No Telegram here: bot/handlers/disputes.py asks.

Who decides: a teacher decides the disputes on the banks they uploaded; the bot's owners
(`QUIZBOT_ADMINS`) decide those on the shared banks the bot was started with.

Accepting keeps the typed answer as an accepted variant of the question, in the database
(an overlay on the bank, so a re-uploaded file keeps it), and every service is given the
library with it at once: from then on that answer is marked right. In the same transaction
every logged answer to the question that is now right is re-graded.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from functools import partial

from bot.disputes.model import (
    Case,
    Decided,
    Inbox,
    Refusal,
    group,
    same_answer,
    variant,
    with_accepted,
)
from bot.disputes.store import DisputeStore
from bot.tutor.memory import reviewed_right
from quizbank.grading import Known, grade, known_terms
from quizbank.model import Kind, Library, Question


def _grades_right(question: Question, known: Known, typed: str) -> bool:
    return grade(question, typed, known=known).accepted


class Disputes:
    """The disputes teachers decide, and the answers they have accepted."""

    def __init__(
        self,
        *,
        store: DisputeStore,
        admins: Collection[int] = frozenset(),
        on_library: Callable[[Library], None] = lambda library: None,
        on_rescored: Callable[[Iterable[int]], None] = lambda users: None,
    ) -> None:
        self._store = store
        self._admins = frozenset(admins)
        # Called with the library once an accepted answer is in it (every service takes it),
        # and with the students whose scores changed (the tutor reloads their rounds).
        self._on_library = on_library
        self._on_rescored = on_rescored
        self._accepted: dict[str, list[str]] = {}
        self.library = Library(())

    async def load(self, library: Library) -> Library:
        """Read the accepted answers (at start-up); `library` with them."""
        self._accepted = {}
        for question_key, answer in await self._store.accepted():
            self._accepted.setdefault(question_key, []).append(answer)
        return self.apply(library)

    def apply(self, library: Library) -> Library:
        """`library` with every accepted answer added; it becomes the one decisions use."""
        self.library = with_accepted(library, self._accepted)
        return self.library

    async def inbox(self, user_id: int) -> Inbox | Refusal:
        """The open disputes on the user's banks, or NOT_TEACHER if they have none."""
        banks = await self._banks_of(user_id)
        if not banks:
            return Refusal.NOT_TEACHER
        cases = await self._store.open_cases(banks)
        return Inbox(group(cases), tuple(sorted(banks)))

    async def decide(
        self, user_id: int, dispute_id: int, *, accept: bool, at: datetime
    ) -> Decided | Refusal:
        """Accept or reject a dispute (and every other claim of the same answer to it)."""
        found = await self._store.case(dispute_id)
        if found is None:
            return Refusal.NOT_FOUND
        case, status = found
        banks = await self._banks_of(user_id)
        if not banks:
            return Refusal.NOT_TEACHER
        if case.bank not in banks:
            return Refusal.NOT_YOURS
        if status != "open":
            return Refusal.ALREADY
        question = self.library.question(case.key)
        if accept:
            if question is None or question.kind is not Kind.TEXT:
                return Refusal.GONE
            return await self._accept(user_id, case, question, at)
        same = partial(same_answer, case.typed)
        rejected = await self._store.reject(dispute_id, same=same, by=user_id, now=at)
        if rejected is None:
            return Refusal.ALREADY  # decided by someone else a moment ago
        self._on_rescored(rejected)
        notify = tuple(dict.fromkeys(rejected))
        return Decided(False, question, case.key, case.typed, len(rejected), notify)

    async def _accept(
        self, user_id: int, case: Case, question: Question, at: datetime
    ) -> Decided | Refusal:
        answer = variant(case.typed)
        extra = [*self._accepted.get(case.key, []), answer]
        library = with_accepted(self.library, {case.key: extra})
        widened = library.question(case.key)
        assert widened is not None
        # Graded exactly as the tutor will grade from now on: the same known terms.
        right = partial(_grades_right, widened, known_terms(library.pool()))
        regraded = await self._store.accept(
            case.dispute_id, answer, grades_right=right, replay=reviewed_right, by=user_id, now=at
        )
        if regraded is None:
            return Refusal.ALREADY
        # Read the overlay and the library again: while this waited, another accept or a
        # bank upload may have changed them, and must not be undone here.
        current = self._accepted.get(case.key, [])
        if answer not in current:
            self._accepted[case.key] = [*current, answer]
        self._on_library(self.apply(self.library))
        self._on_rescored(regraded.students)
        shown = self.library.question(case.key) or widened
        return Decided(True, shown, case.key, case.typed, regraded.answers, regraded.disputers)

    async def _banks_of(self, user_id: int) -> set[str]:
        """The banks whose disputes this user decides."""
        banks = await self._store.uploaded_by(user_id)
        if user_id in self._admins:
            banks |= {b.id for b in self.library.banks if b.shared}
        return banks

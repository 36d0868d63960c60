"""Classes: create one, join it by link, leave it, and push a question to every student."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.classes.model import MAX_NAME, Delivery, Push, PushReport, SchoolClass
from bot.classes.store import ClassStore
from quizbank.model import Kind, Library

_PUSHABLE = (Kind.TEXT, Kind.CHOICE, Kind.TRUEFALSE)


def secret_code() -> str:
    """An unguessable join code (96 random bits), safe in a t.me deep link."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True, slots=True)
class Joined:
    """A student opened a join link."""

    school_class: SchoolClass
    new: bool  # False: they were in it already


@dataclass(frozen=True, slots=True)
class Expired:
    """A student opened a class's old join link, replaced since by /newlink."""

    school_class: SchoolClass


@dataclass(frozen=True, slots=True)
class NameTaken:
    """The teacher already has a class with that name: two would be impossible to tell apart
    in /push, /report, /newlink and /dailydm."""

    existing: SchoolClass


@dataclass(frozen=True, slots=True)
class Choose:
    """Which class? The name matched none or several of these."""

    classes: tuple[SchoolClass, ...]
    asked: str = ""  # the name typed, if any

    @property
    def no_such_class(self) -> bool:
        """A name was typed and matched no class at all (rather than several)."""
        wanted = self.asked.casefold()
        return bool(wanted) and not any(c.name.casefold().startswith(wanted) for c in self.classes)


class Classes:
    """Every teacher's classes."""

    def __init__(
        self,
        *,
        store: ClassStore,
        library: Library,
        rng: random.Random,
        new_code: Callable[[], str] = secret_code,
    ) -> None:
        self._store = store
        self.library = library
        self._rng = rng
        # Injected for tests; by default from `secrets`, never from the seeded rng, since
        # a guessable code would let anyone join a class.
        self._new_code = new_code

    def use_library(self, library: Library) -> None:
        """Ask from these banks from now on (a teacher uploaded one)."""
        self.library = library

    async def create(
        self, teacher_id: int, name: str, *, at: datetime
    ) -> SchoolClass | NameTaken | None:
        """A new class named `name`; None if the name is empty, NameTaken if the teacher
        already has one called that (case aside)."""
        name = " ".join(name.split())[:MAX_NAME]
        if not name:
            return None
        for existing in await self._store.of_teacher(teacher_id):
            if existing.name.casefold() == name.casefold():
                return NameTaken(existing)
        return await self._store.create(teacher_id, name, self._new_code(), now=at)

    async def join(
        self, code: str, user_id: int, first_name: str, *, at: datetime
    ) -> Joined | Expired | None:
        """Join the class a link's code names; Expired if the code was replaced, None if no
        class ever had it."""
        school_class = await self._store.by_code(code)
        if school_class is None:
            old = await self._store.by_old_code(code)
            return Expired(old) if old is not None else None
        new = await self._store.join(school_class.id, user_id, first_name, now=at)
        return Joined(school_class, new)

    async def new_link(self, teacher_id: int, name: str, *, at: datetime) -> SchoolClass | Choose:
        """Give a class a new join code; the old link stops working, and members stay."""
        picked = self.pick(await self._store.of_teacher(teacher_id), name)
        if not isinstance(picked, SchoolClass):
            return picked
        return await self._store.new_code(picked, self._new_code(), now=at)

    async def of_teacher(self, teacher_id: int) -> list[SchoolClass]:
        """The teacher's classes."""
        return await self._store.of_teacher(teacher_id)

    @staticmethod
    def pick(classes: list[SchoolClass], name: str) -> SchoolClass | Choose:
        """The one class `name` means (any class if there is only one and no name)."""
        wanted = " ".join(name.split()).casefold()
        if not wanted and len(classes) == 1:
            return classes[0]
        exact = [c for c in classes if c.name.casefold() == wanted]
        starts = [c for c in classes if wanted and c.name.casefold().startswith(wanted)]
        match = exact or starts
        return match[0] if len(match) == 1 else Choose(tuple(classes), " ".join(name.split()))

    async def leave(self, user_id: int, name: str) -> SchoolClass | Choose:
        """Leave a class (by name, if the student is in several)."""
        picked = self.pick(await self._store.of_student(user_id), name)
        if isinstance(picked, SchoolClass):
            await self._store.leave(picked.id, user_id)
        return picked

    async def push(
        self, teacher_id: int, name: str, *, at: datetime, topic: str | None = None
    ) -> Push | Choose:
        """Send one question to a class now: chosen, and recorded for every student."""
        picked = self.pick(await self._store.of_teacher(teacher_id), name)
        if not isinstance(picked, SchoolClass):
            return picked
        pool = [q for q in self.library.pool(topic) if q.kind in _PUSHABLE]
        question = self._rng.choice(pool)
        return await self._store.new_push(picked, question.key, by=teacher_id, now=at)

    async def push_question(
        self, teacher_id: int, class_id: int, question: str, *, at: datetime
    ) -> Push | None:
        """Send a chosen question (a class's daily DM) to the class; None if it is gone."""
        found = [c for c in await self._store.of_teacher(teacher_id) if c.id == class_id]
        if not found:
            return None
        return await self._store.new_push(found[0], question, by=teacher_id, now=at)

    async def pending(self) -> list[Push]:
        """Pushes a restart interrupted."""
        return await self._store.pending_pushes()

    async def due(self, push: Push, user_id: int) -> bool:
        """Whether one student's copy is still to be sent."""
        return await self._store.due(push.id, user_id)

    async def claim(self, push: Push, user_id: int, *, at: datetime) -> bool:
        """Mark one student's copy as on its way now; False if it was already dealt with."""
        return await self._store.claim(push.id, user_id, now=at)

    async def delivered(self, push: Push, user_id: int, status: Delivery, *, at: datetime) -> None:
        """Record one student's delivery."""
        await self._store.delivered(push.id, user_id, status, now=at)

    async def report(self, push: Push) -> PushReport:
        """How a push went."""
        counts = await self._store.counts(push.id)
        return PushReport(
            push,
            counts.get(Delivery.SENT, 0),
            counts.get(Delivery.BLOCKED, 0),
            counts.get(Delivery.FAILED, 0),
        )

"""What is stored about a person, and the outcomes of asking to see or delete it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Taught:
    """A class the person runs as its teacher."""

    name: str
    students: int


@dataclass(frozen=True, slots=True)
class Footprint:
    """How much is stored about one person, counted in one snapshot."""

    known: bool  # they have a profile (name, time zone, streaks)
    answers: int = 0  # every answer anywhere: private practice, challenges, daily questions
    challenge_answers: int = 0  # of those, answers scored in group challenges
    daily_answers: int = 0  # of those, replies to a group's question of the day
    disputes: int = 0
    cards: int = 0  # questions scheduled for review
    memberships: int = 0  # classes joined as a student
    round_running: bool = False
    classes: tuple[Taught, ...] = ()  # classes they teach
    banks: tuple[tuple[str, int], ...] = ()  # (bank id, questions) they uploaded
    set_up: int = 0  # group challenges and questions of the day they started

    @property
    def empty(self) -> bool:
        """Nothing at all is stored about them."""
        return not (
            self.known
            or self.answers
            or self.disputes
            or self.cards
            or self.memberships
            or self.round_running
            or self.classes
            or self.banks
            or self.set_up
        )

    @property
    def teaches(self) -> bool:
        """They run classes or uploaded banks, which go too."""
        return bool(self.classes or self.banks)


@dataclass(frozen=True, slots=True)
class ForgetRequest:
    """/forgetme: what would be deleted, and the code its confirm button carries."""

    footprint: Footprint
    nonce: str  # empty when there is nothing to delete
    expires: datetime


@dataclass(frozen=True, slots=True)
class Forgotten:
    """Confirmed: everything in `footprint` is gone."""

    footprint: Footprint


@dataclass(frozen=True, slots=True)
class Stale:
    """A confirm button that is not this person's current request, or that has expired."""


@dataclass(frozen=True, slots=True)
class Export:
    """/mydata: the person's data as a JSON file."""

    data: bytes
    filename: str
    footprint: Footprint

"""The typed `bot_data` every handler receives: the services wired up at start-up."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import aiosqlite

from bot.challenge.service import Challenges
from bot.config import Settings
from bot.timers import Timers
from bot.tutor.clock import Clock, SystemClock
from bot.tutor.service import Tutor

if TYPE_CHECKING:
    from bot.handlers.live import ChallengeHost


class AppServices:
    """What handlers need. PTB creates this empty; `build_application` and `post_init` fill it."""

    def __init__(self) -> None:
        self.settings: Settings = Settings()
        self.clock: Clock = SystemClock()
        self.rng: random.Random = random.Random()
        self.db: aiosqlite.Connection | None = None
        self._tutor: Tutor | None = None
        self._challenges: Challenges | None = None
        self._host: ChallengeHost | None = None
        self.timers: Timers = Timers(self.clock)

    @property
    def tutor(self) -> Tutor:
        """The tutor; available once post_init has opened the database and loaded the banks."""
        if self._tutor is None:
            raise RuntimeError("the tutor is not ready: post_init has not run")
        return self._tutor

    @tutor.setter
    def tutor(self, tutor: Tutor | None) -> None:
        self._tutor = tutor

    @property
    def challenges(self) -> Challenges:
        """Group challenges; available once post_init has run."""
        if self._challenges is None:
            raise RuntimeError("challenges are not ready: post_init has not run")
        return self._challenges

    @challenges.setter
    def challenges(self, challenges: Challenges | None) -> None:
        self._challenges = challenges

    @property
    def host(self) -> ChallengeHost:
        """Posts challenge questions on time; available once post_init has run."""
        if self._host is None:
            raise RuntimeError("the challenge host is not ready: post_init has not run")
        return self._host

    @host.setter
    def host(self, host: ChallengeHost | None) -> None:
        self._host = host

"""The typed `bot_data` every handler receives: the services wired up at start-up."""

from __future__ import annotations

import random

import aiosqlite

from bot.config import Settings
from bot.tutor.clock import Clock, SystemClock
from bot.tutor.service import Tutor


class AppServices:
    """What handlers need. PTB creates this empty; `build_application` and `post_init` fill it."""

    def __init__(self) -> None:
        self.settings: Settings = Settings()
        self.clock: Clock = SystemClock()
        self.rng: random.Random = random.Random()
        self.db: aiosqlite.Connection | None = None
        self._tutor: Tutor | None = None

    @property
    def tutor(self) -> Tutor:
        """The tutor; available once post_init has opened the database and loaded the banks."""
        if self._tutor is None:
            raise RuntimeError("the tutor is not ready: post_init has not run")
        return self._tutor

    @tutor.setter
    def tutor(self, tutor: Tutor | None) -> None:
        self._tutor = tutor

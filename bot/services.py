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
    from bot.classes.banks import BankUploads
    from bot.classes.service import Classes
    from bot.daily.service import Dailies
    from bot.disputes.service import Disputes
    from bot.handlers.admins import AdminCache
    from bot.handlers.broadcast import Broadcaster
    from bot.handlers.daily_live import DailyHost
    from bot.handlers.live import ChallengeHost
    from bot.reports.service import Reports


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
        self._dailies: Dailies | None = None
        self._daily_host: DailyHost | None = None
        self._admins: AdminCache | None = None
        self._classes: Classes | None = None
        self._broadcaster: Broadcaster | None = None
        self._uploads: BankUploads | None = None
        self._reports: Reports | None = None
        self._disputes: Disputes | None = None

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

    @property
    def dailies(self) -> Dailies:
        """Questions of the day; available once post_init has run."""
        if self._dailies is None:
            raise RuntimeError("daily questions are not ready: post_init has not run")
        return self._dailies

    @dailies.setter
    def dailies(self, dailies: Dailies | None) -> None:
        self._dailies = dailies

    @property
    def daily_host(self) -> DailyHost:
        """Posts questions of the day on time; available once post_init has run."""
        if self._daily_host is None:
            raise RuntimeError("the daily host is not ready: post_init has not run")
        return self._daily_host

    @daily_host.setter
    def daily_host(self, host: DailyHost | None) -> None:
        self._daily_host = host

    @property
    def reports(self) -> Reports:
        """Class reports for teachers; available once post_init has run."""
        if self._reports is None:
            raise RuntimeError("reports are not ready: post_init has not run")
        return self._reports

    @reports.setter
    def reports(self, reports: Reports | None) -> None:
        self._reports = reports

    @property
    def admins(self) -> AdminCache:
        """Who administers which group, cached for a few minutes."""
        if self._admins is None:
            from bot.handlers.admins import AdminCache  # the handlers layer owns the type

            self._admins = AdminCache()
        return self._admins

    @property
    def classes(self) -> Classes:
        """Classes in private chats; available once post_init has run."""
        if self._classes is None:
            raise RuntimeError("classes are not ready: post_init has not run")
        return self._classes

    @classes.setter
    def classes(self, classes: Classes | None) -> None:
        self._classes = classes

    @property
    def broadcaster(self) -> Broadcaster:
        """Sends pushed questions to classes; available once post_init has run."""
        if self._broadcaster is None:
            raise RuntimeError("the broadcaster is not ready: post_init has not run")
        return self._broadcaster

    @broadcaster.setter
    def broadcaster(self, broadcaster: Broadcaster | None) -> None:
        self._broadcaster = broadcaster

    @property
    def uploads(self) -> BankUploads:
        """Teachers' bank uploads; available once post_init has run."""
        if self._uploads is None:
            raise RuntimeError("uploads are not ready: post_init has not run")
        return self._uploads

    @uploads.setter
    def uploads(self, uploads: BankUploads | None) -> None:
        self._uploads = uploads

    @property
    def disputes(self) -> Disputes:
        """Teachers' decisions on disputes; available once post_init has run."""
        if self._disputes is None:
            raise RuntimeError("disputes are not ready: post_init has not run")
        return self._disputes

    @disputes.setter
    def disputes(self, disputes: Disputes | None) -> None:
        self._disputes = disputes

"""Shared fixtures: a fake Bot API on loopback, settings pointing at it, and a running bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services import AppServices
from tests.fakeapi import TOKEN, FakeBotAPI
from tests.groups import TEACHER, Group
from tests.support import DRILL_BANK, FakeClock, running_bot


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """A started fake Bot API."""
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()
    # Every message the bot sent must have been one Telegram accepts.
    assert server.rejected == []


@pytest.fixture
def settings(api: FakeBotAPI, tmp_path: Path) -> Settings:
    """Settings as the environment would give them, pointing at the fake API and a temp DB."""
    return Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_API_FILE_URL": api.file_url,
            "QUIZBOT_DB": str(tmp_path / "quiz.sqlite3"),
            "QUIZBOT_BANKS": str(DRILL_BANK),
        }
    )


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[AppServices]:
    """A running bot; yields its services so tests can inspect the database."""
    async with running_bot(settings) as app:
        yield app.bot_data


@pytest.fixture
def clock(api: FakeBotAPI, request: pytest.FixtureRequest) -> FakeClock:
    """The bot's clock, starting at the test module's START; the fake API's rate windows
    follow it too."""
    fake = FakeClock(getattr(request.module, "START", datetime(2026, 11, 2, 9, 0, tzinfo=UTC)))
    api.clock = lambda: fake.now().timestamp()
    return fake


@pytest.fixture
async def bot(settings: Settings, clock: FakeClock) -> AsyncIterator[AppServices]:
    """A running bot on the fake clock."""
    async with running_bot(settings, clock=clock) as app:
        yield app.bot_data


@pytest.fixture
def group(api: FakeBotAPI, bot: AppServices, clock: FakeClock) -> Group:
    """The class group (privacy mode on); user 1 (TEACHER) is its admin."""
    g = Group(api, bot, clock)
    api.admins[g.id] = {TEACHER}
    return g

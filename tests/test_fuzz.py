"""Thousands of hostile and odd updates through the real Application: nothing breaks.

Hypothesis makes the updates (tests/fuzz.py) up front, seeded so a run can be repeated:
one example per update, then each update is sent several times through one running bot,
since an Application per example would cost far more than the updates. Afterwards: no
handler raised (nothing was logged at ERROR), every request the bot made was one Telegram
accepts (the fake API checks lengths in UTF-16 units and the HTML markup of every message),
and the database is sound."""

from __future__ import annotations

import json
import logging
import os
import random
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from bot.config import Settings
from tests import fuzz, fuzz_send
from tests.fakeapi import TOKEN, FakeBotAPI
from tests.support import DRILL_BANK, Student, running_bot

CHUNK = 100
FRESH_GROUPS = 1000  # updates
GROUP_SHIFT = 1000


def generate(count: int, *, seed: int) -> list[dict[str, Any]]:
    """`count` generated updates in fuzz.MIX's proportions (the same ones for the same seed)."""
    out: list[dict[str, Any]] = []
    for strategy, share in fuzz.MIX:
        made: list[dict[str, Any]] = []

        @settings(
            max_examples=count * share // 1000,
            database=None,
            phases=[Phase.generate],
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def collect(update: dict[str, Any]) -> None:
            made.append(update)  # noqa: B023 (collect runs before the loop moves on)

        hypothesis.seed(seed)(collect)()
        assert made, strategy
        # Hypothesis stops early once it has tried everything a small strategy can make.
        out += (made * (count * share // 1000 // len(made) + 1))[: count * share // 1000]
    return out


def sent_as(update: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The update, sometimes from another regular (their private chat with it)."""
    kind, body = next(iter(update.items()))
    sender = body.get("from") or body.get("user")
    if sender is None or sender.get("id") not in fuzz.REGULARS or rng.random() < 0.5:
        return update
    other = {**sender, "id": rng.choice(fuzz.REGULARS)}
    body = {**body, ("from" if "from" in body else "user"): other}
    if body.get("chat", {}).get("type") == "private":
        body["chat"] = fuzz.private_chat(other)
    if isinstance(body.get("message"), dict) and body["message"]["chat"]["type"] == "private":
        body["message"] = {**body["message"], "chat": fuzz.private_chat(other)}
    return {kind: body}


class Errors(logging.Handler):
    """Every log record at ERROR or above, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep it."""
        self.records.append(record)


def _settings(api: FakeBotAPI, tmp: Path) -> Settings:
    return Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_API_FILE_URL": api.file_url,
            "QUIZBOT_DB": str(tmp / "quiz.sqlite3"),
            "QUIZBOT_BANKS": str(DRILL_BANK),
            # Thousands of replies at Telegram's 30 a second would take minutes.
            "QUIZBOT_RATE_LIMIT": "off",
            # Thirty regulars send 10,000 updates in seconds: the per-student flood gate
            # would answer nearly all with silence, and nothing behind it would be fuzzed.
            "QUIZBOT_FLOOD": "off",
        }
    )


def _consistent(db: Path) -> None:
    """The database passes SQLite's checks and the invariants the bot relies on."""
    conn = sqlite3.connect(db)
    try:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return conn.execute(sql).fetchall()

        assert rows("PRAGMA integrity_check") == [("ok",)]
        assert rows("PRAGMA foreign_key_check") == []
        assert (
            rows(
                "SELECT id FROM users WHERE streak < 0 OR best_streak < streak"
                " OR correct < 0 OR correct > answered"
            )
            == []
        )
        assert rows("SELECT * FROM topic_stats WHERE correct < 0 OR correct > answered") == []
        assert (
            rows(
                "SELECT user_id FROM rounds WHERE position < 0"
                " OR position > json_array_length(questions) OR correct > answered"
            )
            == []
        )
        assert rows("SELECT id FROM answers WHERE user_id NOT IN (SELECT id FROM users)") == []
        assert rows("SELECT chat_id FROM challenges WHERE status = 'running'"
                    " GROUP BY chat_id HAVING count(*) > 1") == []  # fmt: skip
    finally:
        conn.close()


async def _fuzz(api: FakeBotAPI, tmp: Path, *, distinct: int, passes: int, seed: int) -> None:
    generated = generate(distinct, seed=seed)
    rng = random.Random(seed)
    errors = Errors()
    logging.getLogger().addHandler(errors)
    # Each pass sends every update again, in a new order, so it meets the bot in other
    # states (a round running, a challenge, a kicked bot).
    order = [u for _ in range(passes) for u in rng.sample(generated, len(generated))]
    # Every thousand updates go to groups of their own, so none gets more than Telegram's
    # 20 posts a minute (the rate limiter, which would pace them, is off for speed).
    shifts = range(0, len(order) // FRESH_GROUPS * GROUP_SHIFT + 1, GROUP_SHIFT)
    for chat_id in (*fuzz.GROUPS, *fuzz.SUPERGROUPS):
        for shift in shifts:
            api.admins[chat_id - shift] = set(fuzz.ADMINS)
    resolver = fuzz_send.Resolver(api)
    sent: dict[int, dict[str, Any]] = {}
    sync = Student(api, fuzz.SYNC_USER)
    try:
        async with running_bot(_settings(api, tmp)):
            for start in range(0, len(order), CHUNK):
                shift = start // FRESH_GROUPS * GROUP_SHIFT
                for update in order[start : start + CHUNK]:
                    pushed = resolver.resolve(fuzz_send.regroup(sent_as(update, rng), shift))
                    sent[await api.push(pushed)] = pushed
                # Updates are handled in order: once this is answered, the chunk is done,
                # and the next one can refer to what the bot sent meanwhile.
                help_text = await sync.send(sync.message("/help"), timeout=60)
                assert "/quiz" in help_text.params["text"]
    finally:
        logging.getLogger().removeHandler(errors)
    assert len(sent) == distinct * passes
    for record in errors.records:
        update_id = record.args[0] if isinstance(record.args, tuple) and record.args else None
        update = sent.get(update_id) if isinstance(update_id, int) else None
        shown = json.dumps(update, ensure_ascii=True)[:2000] if update else "(no update)"
        pytest.fail(f"{record.getMessage()}: {record.exc_info!r}\nupdate: {shown}")
    assert api.rejected == [], [(c.method, c.params.get("error")) for c in api.rejected[:5]]
    assert api.flooded == []
    _consistent(tmp / "quiz.sqlite3")
    methods = Counter(c.method for c in api.calls)
    print(f"fuzz: {len(sent)} updates, seed {seed}; the bot made {dict(methods)}")
    print(f"fuzz: stored {_counts(tmp / 'quiz.sqlite3')}")


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("users", "answers", "rounds", "challenges", "challenge_answers",
                          "daily_schedules", "classes", "class_members", "teacher_banks")
        }  # fmt: skip
    finally:
        conn.close()


def _seed(default: int) -> int:
    """FUZZ_SEED from the environment to try other updates, else a fixed one."""
    return int(os.environ.get("FUZZ_SEED") or default)


async def test_ten_thousand_odd_updates_break_nothing(api: FakeBotAPI, tmp_path: Path) -> None:
    await _fuzz(api, tmp_path, distinct=1000, passes=10, seed=_seed(8))


@pytest.mark.slow
async def test_a_hundred_thousand_odd_updates_break_nothing(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    await _fuzz(api, tmp_path, distinct=20_000, passes=5, seed=_seed(2026))

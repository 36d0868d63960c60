"""Per-user flood control on its own, on a clock the test moves."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings
from bot.flood import FloodGate, Verdict


class Ticks:
    """Seconds, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_past_the_limit_one_warning_then_silence_until_a_new_burst() -> None:
    ticks = Ticks()
    gate = FloodGate(limit=3, period=5.0)
    burst = [gate.check(1, at=ticks()) for _ in range(6)]
    assert burst == [Verdict.HANDLE] * 3 + [Verdict.WARN] + [Verdict.DROP] * 2
    # Someone else is not held back by user 1.
    assert gate.check(2, at=ticks()) is Verdict.HANDLE
    ticks.now += 4.9
    assert gate.check(1, at=ticks()) is Verdict.DROP  # still the same burst: no second warning
    ticks.now += 0.1
    assert [gate.check(1, at=ticks()) for _ in range(5)] == [Verdict.HANDLE] * 3 + [
        Verdict.WARN,
        Verdict.DROP,
    ]


def test_a_steady_honest_pace_is_never_limited() -> None:
    ticks = Ticks()
    gate = FloodGate(limit=10, period=10.0)
    verdicts = []
    for _ in range(200):  # an answer a second, for over three minutes
        verdicts.append(gate.check(7, at=ticks()))
        ticks.now += 1.0
    assert set(verdicts) == {Verdict.HANDLE}


def test_idle_users_are_forgotten_so_memory_stays_bounded() -> None:
    ticks = Ticks()
    gate = FloodGate(limit=2, period=1.0)
    for user in range(5000):
        gate.check(user, at=ticks())
        ticks.now += 0.01
    assert gate.tracked() <= 1024 + 100


def test_the_flood_limit_and_api_timeout_come_from_the_environment() -> None:
    default = Settings.from_env({})
    assert (default.flood_limit, default.flood_period, default.api_timeout) == (10, 10.0, 10.0)
    tuned = Settings.from_env({"QUIZBOT_FLOOD": "5/3s", "QUIZBOT_API_TIMEOUT": "20"})
    assert (tuned.flood_limit, tuned.flood_period, tuned.api_timeout) == (5, 3.0, 20.0)
    assert Settings.from_env({"QUIZBOT_FLOOD": "OFF"}).flood_limit == 0
    for name, bad in [
        ("QUIZBOT_FLOOD", "lots"),
        ("QUIZBOT_FLOOD", "0/10"),
        ("QUIZBOT_FLOOD", "5/"),
        ("QUIZBOT_FLOOD", "5/-1"),
        ("QUIZBOT_API_TIMEOUT", "soon"),
        ("QUIZBOT_API_TIMEOUT", "0"),
    ]:
        with pytest.raises(ConfigError, match=name):
            Settings.from_env({name: bad})

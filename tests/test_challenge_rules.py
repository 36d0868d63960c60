"""The rules of a group challenge, without Telegram: requests, points and ranking."""

from __future__ import annotations

import pytest

from bot.challenge.game import MAX_POINTS, Mode, Standing, points, ranked
from bot.challenge.requests import BadSeconds, ChallengeRequest, parse_challenge_request
from bot.tutor.requests import BadCount, UnknownTopic
from quizbank.grading import Outcome
from quizbank.loader import builtin_paths, load_library
from tests.support import DRILL_BANK

LIBRARY = load_library([*builtin_paths(), DRILL_BANK])[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ChallengeRequest()),
        (["5"], ChallengeRequest(size=5)),
        (["drill"], ChallengeRequest(topic="drill")),
        (["5", "drill", "20s"], ChallengeRequest(5, "drill", 20)),
        (["drill", "5"], ChallengeRequest(5, "drill")),
        (["5", "45"], ChallengeRequest(5, None, 45)),
        (["poll"], ChallengeRequest(mode=Mode.POLL)),
        (
            ["POLL", "3", "foreign", "policy", "60s"],
            ChallengeRequest(3, "foreign-policy", 60, Mode.POLL),
        ),
        (["120sec"], ChallengeRequest(seconds=120)),
        (["all", "10s"], ChallengeRequest(seconds=10)),
    ],
)
def test_challenge_requests_are_read_in_any_order(args: list[str], expected: object) -> None:
    assert parse_challenge_request(args, LIBRARY) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["9s"], BadSeconds(9)),
        (["121s"], BadSeconds(121)),
        (["5", "9999999999"], BadSeconds(121)),
        (["0"], BadCount(0)),
        (["31"], BadCount(31)),
        (["astrology"], UnknownTopic("astrology")),
    ],
)
def test_bad_challenge_requests_say_what_is_wrong(args: list[str], expected: object) -> None:
    assert parse_challenge_request(args, LIBRARY) == expected


def test_points_shrink_with_time_and_partial_scores_half() -> None:
    assert points(Outcome.CORRECT, 0, 30) == MAX_POINTS
    assert points(Outcome.CORRECT, 15, 30) == 750
    assert points(Outcome.CORRECT, 30, 30) == 500
    assert points(Outcome.CORRECT, 45, 30) == 500  # never below half for a right answer
    # A typo-correct answer is right: full points.
    assert points(Outcome.TYPO, 15, 30) == points(Outcome.CORRECT, 15, 30)
    assert points(Outcome.PARTIAL, 15, 30) == 375
    for miss in (Outcome.WRONG, Outcome.ALMOST, Outcome.SKIPPED):
        assert points(miss, 0, 30) == 0


def test_ties_on_points_go_to_the_faster_total_time() -> None:
    slow = Standing(1, "Ana", 1800, 20.0, 2)
    fast = Standing(2, "Ben", 1800, 9.5, 2)
    top = Standing(3, "Cat", 1900, 50.0, 2)
    assert [s.name for s in ranked([slow, fast, top])] == ["Cat", "Ben", "Ana"]


def test_final_scores_fit_one_message_however_many_players_and_emoji_names() -> None:
    from datetime import UTC, datetime

    from bot import render_challenge as texts
    from bot.challenge.game import Challenge, Closed, Ended, PlayerResult

    names = ["🦄" * 30 + str(i) for i in range(80)]  # long names, two UTF-16 units a character
    standings = ranked([Standing(i, n, 5000 - i, 1.0, 5) for i, n in enumerate(names)])
    results = tuple(PlayerResult(i, n, Outcome.CORRECT, 900, 1.0) for i, n in enumerate(names))
    game = Challenge(1, -1, "tok", 1, Mode.TEXT, ("drill:leader",), 30, datetime.now(UTC))
    question = LIBRARY.question("drill:leader")
    for reply in (
        texts.finished(Closed(game, question, results, standings, None)),
        texts.ended(Ended(game, standings)),
    ):
        assert texts.units(reply.text) <= texts.MESSAGE_UNITS
        assert "🥇" in reply.text and "more players" in reply.text

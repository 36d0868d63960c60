"""Settings, bank loading, selection, callback data and log redaction."""

from __future__ import annotations

import io
import itertools
import logging
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import callbacks
from bot.config import BOTFATHER_HELP, ConfigError, Settings, load_settings
from bot.logs import RedactingFormatter
from bot.tutor.requests import BadCount, RoundRequest, UnknownTopic, parse_round_request
from bot.tutor.rounds import Round
from bot.tutor.selection import pick_round
from quizbank.lint import lint
from quizbank.loader import builtin_paths, load_bank, load_library
from tests.fakeapi import TOKEN
from tests.support import DRILL_BANK


def test_settings_defaults_and_overrides(tmp_path: Path) -> None:
    default = Settings.from_env({})
    assert default.token is None
    assert default.api_base_url == "https://api.telegram.org/bot{token}"
    assert default.timezone == "Europe/London" and default.db_path == "data/quizbot.sqlite3"
    with pytest.raises(ConfigError, match="@BotFather"):
        default.require_token()
    assert BOTFATHER_HELP.endswith("quizbot play")
    env = tmp_path / ".env"
    env.write_text("# comment\nexport TELEGRAM_BOT_TOKEN='1:abc'\nLOG_LEVEL=debug\n")
    settings = load_settings({"LOG_LEVEL": "WARNING"}, env)
    assert settings.token == "1:abc"
    assert settings.log_level == "WARNING"  # the real environment wins over .env


def test_the_builtin_bank_loads_cleanly_with_enough_questions() -> None:
    library, problems = load_library(builtin_paths())
    assert [p for p in problems if not p.warning] == []
    questions = list(library.questions)
    assert len(questions) >= 30
    assert len({q.topic for q in questions}) >= 10
    assert all(q.source and q.explanation for q in questions)
    assert {q.kind.value for q in questions} == {"text", "choice", "truefalse", "points"}


def test_a_broken_extra_bank_is_skipped_and_the_others_still_load(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("bank: [oops\n")
    library, problems = load_library([*builtin_paths(), broken, DRILL_BANK])
    assert {b.id for b in library.banks} == {"khrushchev", "drill"}
    assert any(str(broken) in str(p) for p in problems)
    assert library.question("drill:leader") is not None  # ids are namespaced per bank


def test_an_oversized_bank_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 1_100_000)
    result = load_bank(big)
    assert result.bank is None and "limit" in result.problems[0].message


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("space", "space"),
        ("Foreign Policy", "foreign-policy"),
        ("foreign", "foreign-policy"),
        ("foreign-policy", "foreign-policy"),
        ("De-Stalinisation", "destalinisation"),
        ("destal", "destalinisation"),
        ("thaw", "culture"),
        ("fall", "fall"),
        ("power struggle", "power-struggle"),
        ("the", None),  # in several names: ambiguous
        ("all", None),  # inside "fall", but not the start of a word
        ("4", None),  # inside "1964"
        ("57", None),
        ("bananas", None),
    ],
)
def test_topic_lookup_matches_whole_names_or_word_starts(text: str, topic: str | None) -> None:
    library, _ = load_library(builtin_paths())
    found = library.find_topic(text)
    assert (found.id if found else None) == topic


def test_quiz_all_means_every_topic() -> None:
    library, _ = load_library(builtin_paths())
    assert parse_round_request(["all"], library) == RoundRequest(10, None)
    assert parse_round_request(["5", "all"], library) == RoundRequest(5, None)
    assert parse_round_request(["3", "4"], library) == UnknownTopic("4")
    assert parse_round_request(["0"], library) == BadCount(0)


def test_a_round_never_repeats_a_question_or_a_topic_back_to_back() -> None:
    library, _ = load_library(builtin_paths())
    questions = list(library.questions)
    for seed in range(20):
        keys = pick_round(questions, 10, random.Random(seed))
        assert len(keys) == len(set(keys)) == 10
        topics = [library.question(k).topic for k in keys]
        assert all(a != b for a, b in itertools.pairwise(topics))
    assert pick_round(questions, 10, random.Random(1)) == pick_round(
        questions, 10, random.Random(1)
    )


def test_callback_data_round_trips_and_rejects_forgeries() -> None:
    for action in (
        callbacks.SelfMark("abc123", 4, 2),
        callbacks.Dispute(123456789),
        callbacks.StartQuiz(),
        callbacks.StartQuiz("foreign-policy"),
        callbacks.ShowTopics(),
        callbacks.Choose("abc123", 12, 3),
        callbacks.ReportCsv(),
        callbacks.ReportCsv(987654321),
        callbacks.Decide(123456789012345678, True),
        callbacks.Decide(7, False),
    ):
        data = callbacks.pack(action)
        assert len(data.encode()) <= 64
        assert callbacks.unpack(data) == action
    for forged in (
        None,
        "",
        "a:ABC123:1:1",
        "a:abc123:1:12",
        "t:",
        "t:" + "x" * 40,
        "q:extra",
        "a:abc123:-1:1",
        "a:abc123:1:1" + "0" * 60,
        "x:12:y",
        "x:-1:a",
        "x:1234567890123456789:a",
        "r:csv:",
        "r:csv:12a",
        "r:csv:-100123",
    ):
        assert callbacks.unpack(forged) is None
    assert callbacks.is_report_csv("r:csv")
    assert not callbacks.is_report_csv("q") and not callbacks.is_report_csv(None)


def test_deep_link_payloads_round_trip_and_reject_forgeries() -> None:
    for size, topic, words in [
        (None, None, []),
        (5, None, ["5"]),
        (None, "space", ["space"]),
        (30, "foreign-policy", ["30", "foreign-policy"]),
    ]:
        assert callbacks.unpack_start(callbacks.pack_start(size, topic)) == words
    for forged in ["", "quiz_", "quiz_5_", "quiz_5_Space", "x" * 70, "quiz__space", "quiz 5"]:
        assert callbacks.unpack_start(forged) is None


def test_the_token_is_masked_even_inside_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(message)s", [TOKEN]))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
        except RuntimeError:
            logger.exception("calling %s", f"https://api.telegram.org/bot{TOKEN}/sendMessage")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "getMe failed" in output and "[token]" in output
    assert TOKEN not in output


def test_options_are_shuffled_per_round_but_stable_within_it() -> None:
    library, _ = load_library(builtin_paths())
    choice = next(q for q in library.questions if q.kind.value == "choice")
    orders = set()
    for token in ("aaaaaa", "bbbbbb", "cccccc", "dddddd", "eeeeee", "ffffff"):
        rnd = Round(1, 1, token, (choice.key,), datetime(2026, 1, 1, tzinfo=UTC))
        order = rnd.option_order(choice)
        assert sorted(order) == list(range(len(choice.choices)))
        assert order == rnd.option_order(choice)  # stable: buttons keep their meaning
        orders.add(order)
    assert len(orders) > 1
    truefalse = next(q for q in library.questions if q.kind.value == "truefalse")
    assert Round(1, 1, "aaaaaa", (), datetime(2026, 1, 1, tzinfo=UTC)).option_order(truefalse) == (
        0,
        1,
    )  # True stays before False


@pytest.mark.parametrize(
    "text",
    [
        "",
        "null",
        "- a\n- b\n",
        "bank: x\ntitle: X\ntopics: {id: t}\nquestions: 3\n",
        "bank: x\ntitle: X\ntopics: [{id: t, name: T}, 7]\nquestions:\n  - 5\n  - [1, 2]\n",
        "bank: x\ntitle: X\ntopics: [{id: t, name: T}]\nquestions:\n  - id: a\n    topic: [t]\n",
        "bank: x\ntitle: X\ntopics: [{id: t, name: T}]\nquestions:\n  - id: b\n"
        "    topic: t\n    type: [x]\n    prompt: {a: 1}\n    answers: {b: 2}\n"
        "    difficulty: [1]\n    source: {x: 1}\n",
        "bank: x\ntitle: X\ntopics: [{id: t, name: T}]\nquestions:\n  - id: c\n    topic: t\n"
        "    prompt: " + "Why? " * 120 + "\n    answers: [yes]\n    explanation: E\n"
        "    source: [s]\n",
    ],
)
def test_malformed_banks_are_reported_with_a_line_never_raised(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_bank(path)
    assert result.bank is None
    assert result.errors and all(p.line >= 1 for p in result.errors)


def test_misspelt_and_repeated_fields_are_reported_not_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(
        "bank: x\ntitle: X\ntitle: Y\ntopics: [{id: t, name: T}]\nquestions:\n"
        "  - id: a\n    topic: t\n    prompt: Who?\n    answers: [X]\n    rejects: [Y]\n"
        "    explanation: E\n    source: [s]\n  - topic: t\n",
        encoding="utf-8",
    )
    messages = [str(p) for p in load_bank(path).problems]
    assert f"{path}:3: error: 'title' is given twice; only the last one would count" in messages
    assert f"{path}:6: [a] error: unknown field 'rejects'; did you mean 'reject'?" in messages
    assert f"{path}:13: error: this question has no 'id'" in messages


def test_a_control_character_is_reported_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_bytes(b"bank: x\ntitle: X\n\x00oops\n")
    [problem] = load_bank(path).problems
    assert problem.line == 3 and "YAML syntax error" in problem.message


def test_a_points_question_needs_marks_and_a_mark_scheme(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(
        "bank: x\ntitle: X\ntopics: [{id: t, name: T}]\nquestions:\n"
        "  - id: p1\n    topic: t\n    type: points\n    prompt: Why? (2 marks)\n"
        "    explanation: E.\n    source: [s]\n    points: [{point: One}]\n"
        "  - id: p2\n    topic: t\n    type: points\n    prompt: Why? (2 marks)\n"
        "    explanation: E.\n    source: [s]\n    marks: 2\n"
        "    points: [{point: One, keywords: [a]}, {point: Two, keywords: [b]}]\n",
        encoding="utf-8",
    )
    messages = [p.message for p in load_bank(path).problems]
    assert "a points question needs 'points': 2 to 8 mark-scheme points" in messages
    assert "a points question needs 'marks': what it is worth, 1 to 20" in messages
    assert len(messages) == 2  # p2 is fine


def test_every_topic_of_the_builtin_bank_has_at_least_ten_questions() -> None:
    library, _ = load_library(builtin_paths())
    [bank] = library.banks
    counts = {t.id: sum(q.topic == t.id for q in bank.questions) for t in bank.topics}
    assert len(bank.questions) >= 250, len(bank.questions)
    assert {t: n for t, n in counts.items() if n < 10} == {}


def test_the_builtin_bank_answers_are_not_confusable() -> None:
    [bank] = load_library(builtin_paths())[0].banks
    assert [str(p) for p in lint(bank)] == []


def test_rate_limit_setting_is_on_unless_switched_off() -> None:
    assert Settings.from_env({}).rate_limit
    assert not Settings.from_env({"QUIZBOT_RATE_LIMIT": "OFF"}).rate_limit
    with pytest.raises(ConfigError, match="QUIZBOT_RATE_LIMIT"):
        Settings.from_env({"QUIZBOT_RATE_LIMIT": "maybe"})


def test_bot_owners_are_read_as_user_ids() -> None:
    assert Settings.from_env({"QUIZBOT_ADMINS": "12, 34 56"}).admins == frozenset({12, 34, 56})
    with pytest.raises(ConfigError, match="QUIZBOT_ADMINS"):
        Settings.from_env({"QUIZBOT_ADMINS": "@teacher"})


def test_hostile_yaml_is_refused_before_it_is_built(tmp_path: Path) -> None:
    from quizbank.loader import parse_bank

    deep = ("questions: " + "[" * 100_000 + "]" * 100_000).encode()  # crashed libyaml
    laughs = b"a: &a [x, x]\nb: &b [*a, *a]\nbank: *b\n"
    for raw, reason in (
        (deep, "nested more than 20 levels deep"),
        (b"bank: {" * 30 + b"x" + b"}" * 30, "nested more than"),
        (laughs, "anchors and aliases"),
        (b"bank: \xff", "not UTF-8"),
        (b"bank: [unclosed", "YAML syntax error"),
    ):
        result = parse_bank("upload.yaml", raw)
        assert result.bank is None and reason in result.problems[0].message

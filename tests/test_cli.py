"""The `quizbot` command as a user runs it: as a subprocess, with real environment variables."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.fakeapi import TOKEN, FakeBotAPI
from tests.support import DRILL_BANK, Student, question_in, right_answer


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "QUIZBOT_"))}
    env.update({"QUIZBOT_DB": str(tmp_path / "db.sqlite3"), "PYTHONUNBUFFERED": "1", **extra})
    return env


def _quizbot(
    tmp_path: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(tmp_path, **env),
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def test_run_without_a_token_explains_botfather_and_play(tmp_path: Path) -> None:
    result = _quizbot(tmp_path, "run")
    assert result.returncode == 2
    assert "@BotFather" in result.stderr and "quizbot play" in result.stderr
    assert "Traceback" not in result.stderr


def test_token_is_read_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("QUIZBOT_TIMEZONE=Mars/Olympus\n")
    result = _quizbot(tmp_path, "run", TELEGRAM_BOT_TOKEN=TOKEN)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "quizbot: QUIZBOT_TIMEZONE 'Mars/Olympus' is not a known time zone (try Europe/London)"
    ]


def test_invalid_settings_give_one_line_naming_the_setting(tmp_path: Path) -> None:
    for name, value in [
        ("QUIZBOT_DB", str(tmp_path)),  # a folder, not a file
        ("LOG_LEVEL", "LOUD"),
        ("TELEGRAM_API_BASE_URL", "ftp://x"),
        ("QUIZBOT_BANKS", "/no/such/bank.yaml"),
        ("TELEGRAM_BOT_TOKEN", "nocolon"),
    ]:
        result = _quizbot(tmp_path, "run", **{"TELEGRAM_BOT_TOKEN": TOKEN, name: value})
        assert result.returncode == 2, name
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and name in lines[0], (name, result.stderr)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_run_waits_for_telegram_serves_a_student_and_stops_cleanly_on_sigterm(
    tmp_path: Path,
) -> None:
    port = _free_port()
    api = FakeBotAPI()
    env = _env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        LOG_LEVEL="DEBUG",
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot{{token}}",
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await asyncio.sleep(1.5)  # Telegram is unreachable for a while: the bot must wait
        assert proc.returncode is None, "the bot gave up while Telegram was unreachable"
        await api.start(port)
        ana = Student(api, 701)
        reply = await ana.send(ana.message("/start"), timeout=20)
        assert "quiz tutor" in reply.params["text"]
        assert {c["command"] for c in api.commands} >= {"quiz", "stats"}
        assert set(api.allowed_updates or []) == {
            "message",
            "callback_query",
            "my_chat_member",
            "poll_answer",
        }
        proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await api.stop()
    log = output.decode()
    assert proc.returncode == 0, log
    assert "quizbot ready as @quizbot_test_bot" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


async def test_play_answers_a_round_from_piped_input(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "play",
        "3",
        "drill",
        env=_env(tmp_path, QUIZBOT_BANKS=str(DRILL_BANK)),
        cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    transcript = ""
    for _ in range(3):
        block = ""
        while "?" not in block.rsplit("Question", 1)[-1]:
            line = await asyncio.wait_for(proc.stdout.readline(), 20)
            assert line, transcript + block
            block += line.decode()
        transcript += block
        proc.stdin.write((right_answer(question_in(block)) + "\n").encode())
        await proc.stdin.drain()
    proc.stdin.close()
    rest, _ = await asyncio.wait_for(proc.communicate(), 20)
    transcript += rest.decode()
    assert proc.returncode == 0
    assert "Round over. Score: 3/3" in transcript
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        verdicts = [row[0] for row in db.execute("SELECT verdict FROM answers")]
    assert verdicts == ["correct"] * 3


def test_play_with_an_unknown_topic_says_so(tmp_path: Path) -> None:
    result = _quizbot(tmp_path, "play", "bananas")
    assert result.returncode == 2
    assert "I don't know a topic called “bananas”" in result.stdout


def test_bank_check_passes_the_builtin_bank(tmp_path: Path) -> None:
    builtin = Path(__file__).parents[1] / "quizbank" / "banks"
    result = _quizbot(tmp_path, "bank", "check", str(builtin))
    assert result.returncode == 0, result.stderr
    assert "khrushchev.yaml: ok" in result.stdout


def test_bank_check_reports_every_error_with_file_line_and_id(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "bank: mine\ntitle: Mine\ntopics:\n  - {id: t1, name: One}\nquestions:\n"
        "  - id: q1\n    topic: t1\n    prompt: Who?\n    answers: [X]\n"
        "    explanation: Because.\n    source: [notes]\n"
        "  - id: q1\n    topic: nowhere\n    prompt: Again?\n    answers: [Y]\n"
        "    explanation: ''\n    source: [notes]\n"
        "  - id: q3\n    topic: t1\n    type: choice\n    prompt: Pick\n"
        "    choices: [A, B]\n    answer: C\n    explanation: E.\n",
        encoding="utf-8",
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text("bank: x\nquestions: [\n", encoding="utf-8")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("bank: caf\xe9\n".encode("latin-1"))
    result = _quizbot(tmp_path, "bank", "check", str(bad), str(broken), str(latin))
    assert result.returncode == 1
    err = result.stderr
    assert f"{bad}:12: [q1] error: duplicate id (first used on line 6)" in err
    assert f"{bad}:12: [q1] error: unknown topic 'nowhere'" in err
    assert f"{bad}:12: [q1] error: the explanation is empty" in err
    assert f"{bad}:18: [q3] error: the answer 'C' is not one of the choices" in err
    assert f"{bad}:18: [q3] error: no source" in err
    assert f"{broken}:3: error: YAML syntax error" in err
    assert f"{latin}:1: error: file is not UTF-8 text" in err
    assert "Traceback" not in err


def test_play_treats_an_unknown_command_as_a_command_not_an_answer(tmp_path: Path) -> None:
    result = _quizbot(
        tmp_path, "play", "2", "drill", stdin="/sikp\n/quit\n", QUIZBOT_BANKS=str(DRILL_BANK)
    )
    assert result.returncode == 0
    assert "I don't know that command" in result.stdout
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM answers").fetchone() == (0,)


async def test_a_rejected_token_gets_one_clear_line_and_is_never_printed(tmp_path: Path) -> None:
    api = FakeBotAPI()
    await api.start()
    wrong = "999:WrongTokenThatMustNotLeak"
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=_env(tmp_path, TELEGRAM_BOT_TOKEN=wrong, TELEGRAM_API_BASE_URL=api.base_url),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        await api.stop()
    log = output.decode()
    assert proc.returncode == 2
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in log and "@BotFather" in log
    assert "Traceback" not in log
    assert wrong not in log and "WrongTokenThatMustNotLeak" not in log


def test_bank_check_warns_of_confusable_answers_and_self_accepted_rejects(tmp_path: Path) -> None:
    bank = tmp_path / "close.yaml"
    bank.write_text(
        "bank: close\ntitle: Close\ntopics: [{id: t, name: T}]\nquestions:\n"
        "  - id: premier\n    topic: t\n    prompt: Premier in 1955?\n"
        "    answers: [Bulganin]\n    explanation: E.\n    source: [s]\n"
        "  - id: country\n    topic: t\n    prompt: Which country?\n"
        "    answers: [Bulgaria]\n    explanation: E.\n    source: [s]\n"
        "  - id: leader\n    topic: t\n    prompt: Who?\n    answers: [Khrushchev]\n"
        "    reject: [Kruschev]\n    explanation: E.\n    source: [s]\n",
        encoding="utf-8",
    )
    result = _quizbot(tmp_path, "bank", "check", str(bank))
    assert result.returncode == 0  # warnings inform; they do not fail the bank
    assert (
        f"{bank}:5: [premier] warning: answer 'Bulganin' is within typo distance of 'Bulgaria'"
        in result.stdout
    )
    assert (
        f"{bank}:17: [leader] warning: reject entry 'Kruschev' would be accepted" in result.stdout
    )


def test_the_documented_example_bank_passes_the_checker(tmp_path: Path) -> None:
    example = Path(__file__).parents[1] / "docs" / "examples" / "my-first-bank.yaml"
    result = _quizbot(tmp_path, "bank", "check", str(example))
    assert result.returncode == 0, result.stderr
    assert "ok, 6 questions in 4 topics" in result.stdout
    assert "warning" not in result.stdout


def test_bank_stats_counts_per_topic_type_and_difficulty(tmp_path: Path) -> None:
    result = _quizbot(tmp_path, "bank", "stats", str(DRILL_BANK))
    assert result.returncode == 0, result.stderr
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "Test drill (drill): 5 questions" in lines
    assert "Drill questions 4" in lines and "Exam practice 1" in lines
    assert "choice 1" in lines and "points 1" in lines and "text 3" in lines
    assert "3 hard 1" in lines

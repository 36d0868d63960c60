"""Benchmark: how many answers a group challenge takes per second, through the whole stack.

Run from the repository root: .venv/bin/python bench/challenge.py [--reps 15] [--players 50]
Not a test and not part of CI: timings depend on the machine.

It starts the fake Bot API (tests/fakeapi.py) on 127.0.0.1 in this process and `quizbot run`
as a subprocess against it (its own database, LOG_LEVEL=WARNING, the real rate limiter on).
Each repetition starts a one-question challenge in a fresh group, then 50 players reply to
the question at once, half of them rightly. The clock runs from the first answer reaching
the fake API to the last one committed in SQLite (read from this process), so it covers
getUpdates, PTB's dispatch, grading and the SQLite transaction (challenge answer plus the
player's own log, card, streaks and topics); the reactions go out in the background. The
starter then ends the challenge. The median over repetitions is reported, with the bot's
CPU per answer.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests/ is not an installed package

from tests.fakeapi import BOT_ID, TOKEN, Call, FakeBotAPI  # noqa: E402
from tests.support import question_in, right_answer, wrong_answer  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def _message(chat_id: int, user_id: int, text: str, reply_to: int | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": user_id * 1000 + abs(chat_id) % 1000,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "supergroup", "title": "bench"},
        "from": {"id": user_id, "is_bot": False, "first_name": f"P{user_id}"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    if reply_to is not None:
        message["reply_to_message"] = {
            "message_id": reply_to,
            "date": int(time.time()),
            "chat": message["chat"],
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Quizbot"},
            "text": "…",
        }
    return {"message": message}


async def _post(api: FakeBotAPI, chat_id: int, cursor: int) -> Call:
    return await api.wait_for(
        lambda c: c.method == "sendMessage" and c.params["chat_id"] == chat_id,
        after=cursor,
        timeout=30,
    )


async def _rep(
    api: FakeBotAPI, pid: int, db: sqlite3.Connection, chat_id: int, players: int
) -> tuple[float, float]:
    """One challenge question answered by `players` at once: (answers/s, bot CPU ms/answer)."""
    cursor = len(api.calls)
    await api.push(_message(chat_id, 1, "/challenge 1 120s"))
    question = await _post(api, chat_id, cursor)
    await asyncio.sleep(0.05)  # let the bot start the question's clock
    q = question_in(question.params["text"])
    message_id = question.result["message_id"]
    cpu = _cpu_seconds(pid)
    start = time.perf_counter()
    for player in range(100, 100 + players):
        typed = right_answer(q) if player % 2 else wrong_answer(q)
        await api.push(_message(chat_id, player, typed, reply_to=message_id))
    # Done when every answer is committed (reactions follow, paced at Telegram's 30/s).
    # The bot is another process: its database is the only thing to watch.
    while _recorded(db, chat_id) < players:  # noqa: ASYNC110
        await asyncio.sleep(0.002)
    elapsed = time.perf_counter() - start
    cpu = _cpu_seconds(pid) - cpu
    cursor = len(api.calls)
    await api.push(_message(chat_id, 1, "/endchallenge"))
    await _post(api, chat_id, cursor)
    return players / elapsed, cpu / players * 1000


def _recorded(db: sqlite3.Connection, chat_id: int) -> int:
    return db.execute(
        "SELECT COUNT(*) FROM challenge_answers WHERE chat_id = ?", (chat_id,)
    ).fetchone()[0]


async def main(reps: int, players: int) -> None:
    """Run the benchmark and print its figures."""
    api = FakeBotAPI()
    await api.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "QUIZBOT_DB": str(Path(tmp) / "bench.sqlite3"),
            "LOG_LEVEL": os.environ.get("BENCH_LOG", "WARNING"),
        }
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=ROOT
        )
        try:
            await api.wait_for(lambda c: c.method == "setMyCommands", timeout=30)
            db = sqlite3.connect(f"file:{env['QUIZBOT_DB']}?mode=ro", uri=True)
            await _rep(api, bot.pid, db, -1009999, players)  # warm-up
            results = [await _rep(api, bot.pid, db, -1001000 - i, players) for i in range(reps)]
            db.close()
        finally:
            bot.terminate()
            await bot.wait()
    await api.stop()
    rates = [r for r, _ in results]
    cpu = [c for _, c in results]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{reps} repetitions of {players} players answering one question at once")
    print(
        f"answers per second: median {statistics.median(rates):,.0f} "
        f"(min {min(rates):,.0f}, max {max(rates):,.0f})"
    )
    print(f"bot CPU per answer: median {statistics.median(cpu):.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--players", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.reps, args.players))

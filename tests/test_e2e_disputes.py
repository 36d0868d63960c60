"""A teacher decides "I was right" disputes through the fake Bot API: accept, reject, refuse."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from storage.repository import Repository
from tests.fakeapi import TOKEN, FakeBotAPI
from tests.support import DRILL_BANK, Student, eventually, running_bot, seen

OWNER = 4000  # in QUIZBOT_ADMINS: decides the built-in banks' disputes
_files = itertools.count(1)

BANK = """\
bank: ms-reed
title: Ms Reed's revision
topics:
  - id: reed-police
    name: Soviet security
questions:
  - id: kgb
    topic: reed-police
    prompt: Which organisation became the Soviet secret police in 1954?
    answers: ["KGB"]
    explanation: The KGB took over state security in March 1954.
    source: [class notes]
"""
PROMPT = "Which organisation became the Soviet secret police in 1954?"


@pytest.fixture
def settings(api: FakeBotAPI, tmp_path: Path) -> Settings:
    """The drill bank is built in, and OWNER runs the bot."""
    return Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_API_FILE_URL": api.file_url,
            "QUIZBOT_DB": str(tmp_path / "quiz.sqlite3"),
            "QUIZBOT_BANKS": str(DRILL_BANK),
            "QUIZBOT_ADMINS": str(OWNER),
        }
    )


async def _upload(api: FakeBotAPI, teacher: Student) -> None:
    file_id = f"disputes{next(_files)}"
    api.files[file_id] = BANK.encode()
    document = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_name": "reed.yaml",
        "file_size": len(BANK),
    }
    reply = await teacher.send(teacher.message(None, document=document))
    assert "Loaded" in reply.params["text"]


async def _miss(student: Student, typed: str, *, dispute: bool) -> None:
    """Answer Ms Reed's question as typed (marked wrong), and say "I was right" if asked."""
    assert PROMPT in await student.say("/quiz 1 reed-police")
    assert "❌ Not quite" in await student.say(typed)
    if dispute:
        [(_, data)] = [b for b in student.buttons() if "I was right" in b[0]]
        toast = await student.tap_data(data, expect_message=False)
        assert "Marked as right" in toast.params["text"]


def _decision(teacher: Student, label: str) -> str:
    return next(data for text, data in teacher.buttons() if text == label)


async def test_accepting_a_dispute_regrades_every_answer_typed_that_way_and_keeps_it(
    api: FakeBotAPI, settings: Settings
) -> None:
    reed = Student(api, 4100, "Ms Reed")
    ana, ben, cara, dan = (Student(api, 4101 + n, name) for n, name in enumerate("ABCD"))
    async with running_bot(settings) as app:
        await _upload(api, reed)
        await _miss(ana, "Committee for State Security", dispute=True)
        await _miss(ben, "committee for state  security", dispute=False)  # never disputed
        await _miss(cara, "Committee for state security", dispute=True)
        await _miss(dan, "the NKVD", dispute=True)
        assert "accuracy 0%" in await ben.say("/stats")

        # Only a bank's teacher sees its disputes.
        assert "Disputes are for teachers" in await ana.say("/disputes")
        listing = await reed.say("/disputes")
        assert "Open disputes on ms-reed: 2" in listing
        assert f"1. “{PROMPT}”\nExpected: KGB\n" in listing
        assert "Typed: “Committee for State Security” · 2 students" in listing
        assert "Typed: “the NKVD” · 1 student" in listing
        assert [label for label, _ in reed.buttons()] == [
            "✅ Accept 1",
            "❌ Reject 1",
            "✅ Accept 2",
            "❌ Reject 2",
        ]
        accept, reject = _decision(reed, "✅ Accept 1"), _decision(reed, "❌ Reject 2")
        # A student with a forged or stale button decides nothing.
        refused = await ana.tap_data(accept, expect_message=False)
        assert "Only the bank's teacher" in refused.params["text"]

        api.blocked.add(cara.id)  # Cara has blocked the bot since: no one else is held up
        cursor = len(api.calls)
        done = seen(await reed.tap_data(accept))
        assert "Accepted “Committee for State Security”" in done
        assert "3 answers given so far now count as right" in done
        told = await api.wait_for(lambda c: c.params.get("chat_id") == ana.id, after=cursor)
        assert "Your teacher accepted your answer “Committee for State Security”" in seen(told)
        repo = Repository(app.bot_data.db)

        async def cara_marked_unreachable() -> bool:
            return await repo.is_active(cara.id) is False

        await eventually(cara_marked_unreachable)

        # Everyone who typed it is right now: Ben too, though he never disputed.
        ben_stats = await ben.say("/stats")
        assert "accuracy 100%" in ben_stats and "Answer streak: 1" in ben_stats
        ana_stats = await ana.say("/stats")
        assert "accuracy 100%" in ana_stats and "marked right" not in ana_stats
        assert [a.verdict for a in await repo.answers(ben.id)] == ["correct"]
        assert [d.typed for d in await repo.disputes(status="accepted")] == [
            "Committee for State Security",
            "Committee for state security",
        ]

        # A second press (or an old copy of the list) changes nothing more.
        again = await reed.tap_data(accept, expect_message=False)
        assert "Already decided" in again.params["text"]

        # Rejecting: the mark stands, and the student's provisional credit is taken back.
        assert "accuracy 100%" in await dan.say("/stats")
        cursor = len(api.calls)
        assert "Rejected “the NKVD”" in seen(await reed.tap_data(reject))
        told = await api.wait_for(lambda c: c.params.get("chat_id") == dan.id, after=cursor)
        assert "kept the mark. The expected answer is KGB" in seen(told)
        dan_stats = await dan.say("/stats")
        assert "accuracy 0%" in dan_stats and "marked right" not in dan_stats
        assert "No open disputes on your banks (ms-reed)" in await reed.say("/disputes")

        # From now on the accepted answer is simply right, even after the file is sent again.
        await _upload(api, reed)
        eve = Student(api, 4110, "Eve")
        assert PROMPT in await eve.say("/quiz 1 reed-police")
        assert "✅ Correct" in await eve.say("committee for state security")
    # The overlay is kept in the database: after a restart it still marks it right.
    async with running_bot(settings):
        fay = Student(api, 4111, "Fay")
        assert PROMPT in await fay.say("/quiz 1 reed-police")
        assert "✅ Correct" in await fay.say("Committee for State Security")
    # On the bot's computer, `quizbot disputes` lists them by what became of them.
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "disputes",
        "--status",
        "rejected",
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "QUIZBOT_DB": settings.db_path},
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0
    assert "1 rejected dispute" in out.decode() and f"'the NKVD'  user {dan.id}" in out.decode()


async def test_owners_decide_the_built_in_banks_and_teachers_only_their_own(
    api: FakeBotAPI, settings: Settings
) -> None:
    reed, owner = Student(api, 4200, "Ms Reed"), Student(api, OWNER, "Owner")
    ana = Student(api, 4201, "Ana")
    async with running_bot(settings) as app:
        await _upload(api, reed)
        await ana.reach("leader")
        assert "❌ Not quite" in await ana.say("Krushchov the great")
        [data] = [d for label, d in ana.buttons() if "I was right" in label]
        await ana.tap_data(data, expect_message=False)
        # Ms Reed decides ms-reed's disputes only; the drill bank is the owner's.
        assert "No open disputes on your banks (ms-reed)" in await reed.say("/disputes")
        listing = await owner.say("/disputes")
        assert "Open disputes on drill, khrushchev: 1" in listing
        assert "Typed: “Krushchov the great” · 1 student" in listing
        accept = _decision(owner, "✅ Accept 1")
        await reed.say("/stats")  # a message of her own to tap from
        refused = await reed.tap_data(accept, expect_message=False)
        assert "someone else's bank" in refused.params["text"]
        assert "Accepted “Krushchov the great”" in seen(await owner.tap_data(accept))
        assert "Krushchov the great" in app.bot_data.tutor.library.question("drill:leader").answers
        await owner.reach("leader")
        assert "✅ Correct" in await owner.say("Krushchov the great")

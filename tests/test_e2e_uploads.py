"""A teacher sends a bank file: checked like `quizbot bank check`, then used, and kept."""

from __future__ import annotations

import itertools
from html import unescape
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.services import AppServices
from tests.fakeapi import FakeBotAPI
from tests.support import Student, running_bot

_files = itertools.count(1)
EXAMPLE = Path(__file__).parents[1] / "docs" / "examples" / "my-first-bank.yaml"

GOOD = """\
bank: ms-reed
title: Ms Reed's revision
topics:
  - id: reed-thaw
    name: The Thaw in culture
questions:
  - id: zhivago
    topic: reed-thaw
    prompt: Whose novel Doctor Zhivago was banned in the USSR?
    answers: ["Pasternak", "Boris Pasternak"]
    explanation: Pasternak's novel was published abroad in 1957.
    source: [class notes]
  - id: ivan
    topic: reed-thaw
    type: choice
    prompt: Which magazine published One Day in the Life of Ivan Denisovich?
    choices: [Novy Mir, Pravda, Izvestia]
    answer: Novy Mir
    explanation: Novy Mir printed Solzhenitsyn's story in 1962.
    source: [class notes]
"""

BROKEN = """\
bank: ms-reed
title: Broken
topics:
  - id: reed-thaw
    name: The Thaw
questions:
  - id: no-answer
    topic: reed-thaw
    prompt: Who wrote it?
    explanation: x
    source: [notes]
  - id: bad-topic
    topic: nowhere
    prompt: What?
    answers: [x]
    explanation: x
    source: [notes]
"""


async def _send_file(
    api: FakeBotAPI, teacher: Student, content: bytes, name: str = "bank.yaml", **doc: Any
) -> str:
    file_id = f"f{next(_files)}"
    api.files[file_id] = content
    document = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_name": name,
        "file_size": len(content),
        **doc,
    }
    return (await teacher.send(teacher.message(None, document=document))).params["text"]


async def test_a_valid_bank_is_loaded_asked_by_topic_and_kept_after_a_restart(
    api: FakeBotAPI, settings: Settings
) -> None:
    teacher = Student(api, 3001, "Ms Reed")
    async with running_bot(settings):
        reply = await _send_file(api, teacher, GOOD.encode())
        assert "✅ Loaded <b>Ms Reed&#x27;s revision</b>: 2 questions" in reply
        assert "The Thaw in culture (2)" in reply
        text = await teacher.say("/quiz 2 reed-thaw")
        assert "on The Thaw in culture" in text and "Doctor Zhivago" in text
        assert "✅ Correct" in await teacher.say("pasternak")
    async with running_bot(settings) as app:
        # Kept in the database, checked again at start-up, and still only asked by topic.
        assert app.bot_data.tutor.library.question("ms-reed:zhivago") is not None
        assert all(q.bank != "ms-reed" for q in app.bot_data.tutor.library.pool())
        text = await teacher.say("/quiz 1 reed-thaw")
        assert "Question 1/1 · The Thaw in culture" in text


async def test_a_broken_bank_gets_every_error_with_its_line_and_question(
    api: FakeBotAPI, services: AppServices
) -> None:
    teacher = Student(api, 3002, "Mr Khan")
    reply = await _send_file(api, teacher, BROKEN.encode())
    assert "That bank wasn't loaded" in reply
    assert "line 7 [no-answer]:" in reply
    assert "line 12 [bad-topic]:" in reply and "nowhere" in reply
    assert services.tutor.library.question("ms-reed:no-answer") is None


async def test_hostile_and_odd_files_are_refused_and_the_bot_carries_on(
    api: FakeBotAPI, services: AppServices
) -> None:
    teacher = Student(api, 3003, "Dr Lee")
    deep = ("questions: " + "[" * 200_000 + "]" * 200_000).encode()
    assert "nested more than 20 levels deep" in await _send_file(api, teacher, deep)
    laughs = b'a: &a ["x","x","x"]\nb: &b [*a,*a,*a]\nc: [*b,*b,*b]\n'
    assert "anchors and aliases" in await _send_file(api, teacher, laughs)
    assert "not UTF-8" in await _send_file(api, teacher, b"bank: \xff\xfe\n")
    assert "too big" in await _send_file(api, teacher, b"x", file_size=5_000_000)
    assert "send a bank as a <b>.yaml</b> file" in await _send_file(
        api, teacher, b"hello", name="notes.pdf"
    )
    # Someone else's bank id (here, the built-in bank's) can't be taken over.
    stolen = GOOD.replace("bank: ms-reed", "bank: khrushchev").encode()
    assert "already exists" in await _send_file(api, teacher, stolen)
    assert "Hi, Dr Lee!" in await teacher.say("/start")


async def test_an_upload_cannot_change_other_banks_topics_or_how_they_are_marked(
    api: FakeBotAPI, services: AppServices
) -> None:
    teacher = Student(api, 3004, "Ms Ode")
    borrowed = GOOD.replace("reed-thaw", "drill").encode()
    refused = unescape(await _send_file(api, teacher, borrowed))
    assert "topic id 'drill' is already used by another bank" in refused
    # A misspelling as an uploaded answer must not become a "known term" that makes
    # everyone else's near-miss wrong.
    sneaky = GOOD.replace('["Pasternak", "Boris Pasternak"]', '["Khruschov"]').encode()
    assert "✅ Loaded" in await _send_file(api, teacher, sneaky)
    student = Student(api, 3005, "Ana")
    await student.reach("leader")
    assert "✅" in await student.say("Khruschov")
    # Uploaded topics are not offered in everyone's topic menu.
    assert "The Thaw in culture" not in await student.say("/topics")


def _line(text: str, wanted: str) -> int:
    """The line of `text` that is exactly `wanted`, counted from 1 as editors do."""
    return text.splitlines().index(wanted) + 1


async def test_every_clashing_id_is_reported_at_once_on_its_own_line(
    api: FakeBotAPI, services: AppServices
) -> None:
    teacher = Student(api, 3007, "Ms Ode")
    two = GOOD.replace(
        "topics:\n",
        "topics:\n  - id: agriculture\n    name: Farming\n"
        "  - id: destalinisation\n    name: De-Stalinisation\n",
    )
    refused = unescape(await _send_file(api, teacher, two.encode()))
    agriculture, destalinisation = (
        _line(two, f"  - id: {t}") for t in ("agriculture", "destalinisation")
    )
    assert agriculture > 1 and destalinisation > agriculture
    assert f"line {agriculture}: topic id 'agriculture' is already used" in refused
    assert f"line {destalinisation}: topic id 'destalinisation' is already used" in refused
    assert "line 1:" not in refused
    assert services.tutor.library.question("ms-reed:zhivago") is None
    # Someone else's bank id comes in the same reply as the topics, not one upload later.
    stolen = "# Ms Ode's copy\n" + two.replace("bank: ms-reed", "bank: khrushchev")
    refused = unescape(await _send_file(api, teacher, stolen.encode()))
    assert f"line {_line(stolen, 'bank: khrushchev')}: a bank called 'khrushchev'" in refused
    assert f"line {agriculture + 1}: topic id 'agriculture'" in refused
    assert f"line {destalinisation + 1}: topic id 'destalinisation'" in refused


async def test_the_documented_example_bank_uploads_unchanged(
    api: FakeBotAPI, services: AppServices
) -> None:
    # docs/quizbank.md says to copy the example; test_cli.py checks `quizbot bank check`
    # passes it, and this that the bot takes it as it is, without a warning.
    teacher = Student(api, 3008, "Mr Page")
    reply = unescape(await _send_file(api, teacher, EXAMPLE.read_bytes(), EXAMPLE.name))
    assert "✅ Loaded <b>Year 12 revision – Khrushchev</b>: 6 questions" in reply
    assert "⚠️" not in reply
    text = await teacher.say("/quiz 1 y12-agriculture")
    assert "Kazakhstan and Siberia" in text
    assert "✅" in await teacher.say("virgin lands")


async def test_long_lists_are_cut_to_fit_one_message(
    api: FakeBotAPI, services: AppServices
) -> None:
    teacher = Student(api, 3006, "Mr Many")
    topics = "".join(f"  - id: t{i}\n    name: {'Topic ' * 8}{i}\n" for i in range(300))
    questions = "".join(
        f"  - id: q{i}\n    topic: t{i}\n    prompt: Question {i}?\n    answers: [a{i}]\n"
        f"    explanation: x\n    source: [n]\n"
        for i in range(300)
    )
    bank = f"bank: many\ntitle: Many\ntopics:\n{topics}questions:\n{questions}".encode()
    reply = await _send_file(api, teacher, bank)
    assert "✅ Loaded" in reply and "and 285 more" in reply


async def test_a_teacher_may_keep_twenty_banks_and_replace_any_of_them(
    api: FakeBotAPI, services: AppServices
) -> None:
    teacher = Student(api, 3010, "Ms Reed")

    def bank(n: int, title: str = "Revision") -> bytes:
        text = GOOD.replace("ms-reed", f"reed-{n}").replace("reed-thaw", f"reed-thaw-{n}")
        return text.replace("Ms Reed's revision", f"{title} {n}").encode()

    for n in range(20):
        assert "✅ Loaded" in await _send_file(api, teacher, bank(n))
    refused = unescape(await _send_file(api, teacher, bank(20)))
    assert "That bank wasn't loaded" in refused
    assert "you already have 20 banks, the most one teacher can keep" in refused
    assert services.tutor.library.question("reed-20:zhivago") is None
    # Sending one of the twenty again replaces it: it isn't counted twice.
    assert "✅ Loaded <b>Second draft 7</b>" in await _send_file(
        api, teacher, bank(7, "Second draft")
    )
    # The limit is each teacher's own.
    other = Student(api, 3011, "Mr Khan")
    assert "✅ Loaded" in await _send_file(api, other, bank(20))

"""A teacher replaces their bank while a student's round still holds its old questions."""

from __future__ import annotations

from html import unescape

from bot.services import AppServices
from tests.fakeapi import FakeBotAPI
from tests.support import Student

_QUESTION = """\
  - id: {id}
    topic: reed-thaw
    prompt: {prompt}
    answers: ["{answer}"]
    explanation: From the class notes.
    source: [class notes]
"""
_QUESTIONS = {
    "zhivago": ("Whose novel Doctor Zhivago was banned in the USSR?", "Pasternak"),
    "ivan": ("Who wrote One Day in the Life of Ivan Denisovich?", "Solzhenitsyn"),
    "thaw": ("Whose 1954 novel gave the Thaw its name?", "Ehrenburg"),
}


def _bank(*ids: str) -> bytes:
    head = "bank: ms-reed\ntitle: Ms Reed\ntopics:\n  - id: reed-thaw\n    name: The Thaw\n"
    body = "".join(
        _QUESTION.format(id=i, prompt=_QUESTIONS[i][0], answer=_QUESTIONS[i][1]) for i in ids
    )
    return f"{head}questions:\n{body}".encode()


async def _upload(api: FakeBotAPI, teacher: Student, content: bytes, file_id: str) -> str:
    api.files[file_id] = content
    document = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_name": "bank.yaml",
        "file_size": len(content),
    }
    return (await teacher.send(teacher.message(None, document=document))).params["text"]


async def test_an_answer_whose_next_question_was_removed_ends_the_round(
    api: FakeBotAPI, services: AppServices
) -> None:
    teacher, ana = Student(api, 3101, "Ms Reed"), Student(api, 3102)
    assert "Loaded" in await _upload(api, teacher, _bank(*_QUESTIONS), "f1")
    first = unescape(await ana.say("/quiz 3 reed-thaw"))
    asked = next(i for i, (prompt, _) in _QUESTIONS.items() if prompt in first)
    # The teacher keeps only the question Ana is on: the rest of her round is gone.
    assert "Loaded" in await _upload(api, teacher, _bank(asked), "f2")
    reply = await ana.say(_QUESTIONS[asked][1])
    assert "✅ Correct" in reply
    assert "Round over" in reply
    assert await services.tutor.current(ana.id) is None

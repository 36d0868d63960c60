"""/report <class> in the teacher's private chat: the class's private answers, to them alone."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta

from bot.services import AppServices
from tests.fakeapi import Call, FakeBotAPI, Upload
from tests.support import FakeClock, Student

START = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)  # the bot's clock; London is on UTC


async def _new_class(teacher: Student, name: str) -> str:
    reply = await teacher.say(f"/newclass {name}")
    match = re.search(r"\?start=(join_[A-Za-z0-9_-]+)", reply)
    assert match is not None
    return match.group(1)


async def _answer(student: Student, question_id: str, typed: str) -> None:
    await student.reach(question_id)
    await student.say(typed)


def _rows(document: Call) -> list[list[str]]:
    upload = document.params["document"]
    assert isinstance(upload, Upload)
    return list(csv.reader(upload.decode("utf-8-sig").splitlines()))


async def test_a_teacher_sees_their_class_report_and_csv_in_private(
    api: FakeBotAPI, bot: AppServices, clock: FakeClock
) -> None:
    reed, khan = Student(api, 5000, "Ms Reed"), Student(api, 5009, "Mr Khan")
    ana, ben, carl = (
        Student(api, 5001, "Ana"),
        Student(api, 5002, "Ben"),
        Student(api, 5003, "Carl"),
    )
    payload = await _new_class(reed, "12B History")
    await _answer(ana, "leader", "Stalin")  # before she joined: not the class's business
    clock.moment = START + timedelta(hours=1)
    for student in (ana, ben, carl, reed):
        student.clock = clock.moment
    await ana.say(f"/start {payload}")
    await ben.say(f"/start {payload}")
    await _answer(ana, "speech-year", "1956")
    await _answer(ana, "leader", "1066")
    await _answer(ben, "leader", "Beria")
    await _answer(ben, "speech-year", "1999")
    await _answer(carl, "leader", "Lenin")  # not in the class

    shown = await reed.say("/report 12B")
    assert "Class report · 12B History" in shown
    assert "2 students · 4 answers · 25% right" in shown
    assert "1. Drill questions: 25% right (1 of 4)" in shown
    assert "“Which leader gave the Secret Speech?”\n    ✗ 2 of 2 wrong (100%)" in shown
    assert "2 students took part" in shown and "Mon 2 Nov (today): 2 students, 4 answers" in shown
    assert [label for label, _ in reed.buttons()] == ["📄 CSV per student"]
    [(_, csv_data)] = reed.buttons()

    # Ambiguous or unknown names get the teacher's own classes to pick from.
    await _new_class(reed, "12C")
    listing = await reed.say("/report 12")
    assert "Which class?\n/report 12B History\n/report 12C" in listing
    assert "Which class?" in await reed.say("/report Year 9")
    # A student, or another teacher, sees no one's data.
    refused = await ana.say("/report 12B History")
    assert "You have no classes here yet" in refused and "Ben" not in refused
    await khan.say("/classes")
    stale = await khan.tap_data(csv_data, expect_message=False)
    assert stale.params["text"] == "That button is no longer valid."
    assert api.sent_to(khan.id, "sendDocument") == []

    cursor = len(api.calls)
    await reed.tap_data(csv_data, expect_message=False)
    document = await api.wait_for(lambda c: c.method == "sendDocument", after=cursor)
    assert document.params["chat_id"] == reed.id
    assert document.params["document"].filename == "report-12B-History-2026-11-02.csv"
    header, *rows = _rows(document)
    assert header[:4] == ["first name", "answers", "right", "accuracy %"]
    assert [row[:4] for row in rows] == [["Ana", "2", "1", "50"], ["Ben", "2", "0", "0"]]


async def test_a_class_named_in_cyrillic_keeps_its_name_on_the_csv(
    api: FakeBotAPI, bot: AppServices
) -> None:
    teacher, pupil = Student(api, 5100, "Ольга"), Student(api, 5101, "Иван")
    await pupil.say(f"/start {await _new_class(teacher, 'Физика 9А')}")
    await _answer(pupil, "leader", "Khrushchev")
    await teacher.say("/report Физика")
    [(_, csv_data)] = teacher.buttons()
    cursor = len(api.calls)
    await teacher.tap_data(csv_data, expect_message=False)
    document = await api.wait_for(lambda c: c.method == "sendDocument", after=cursor)
    # Sent as the teacher would save it, not percent-encoded by the HTTP client.
    assert document.params["document"].filename.startswith("report-Физика-9А-")

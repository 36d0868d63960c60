"""Class report messages and the CSV, without Telegram: length, escaping, spreadsheet safety."""

from __future__ import annotations

import csv
from datetime import date, timedelta

from bot import render_report as texts
from bot.render import html_to_plain
from bot.render_challenge import MESSAGE_UNITS, units
from bot.reports.assembly import (
    ClassReport,
    ClassTable,
    Day,
    OnStreak,
    QuestionLine,
    StudentLine,
    Tally,
    TopicLine,
)
from tests.fakeapi_checks import check_message
from tests.test_challenge_rules import LIBRARY

TODAY = date(2026, 11, 4)


def _report(**changes: object) -> ClassReport:
    fields: dict[str, object] = {
        "students": 3,
        "total": Tally(12, 6),
        "weakest": (TopicLine("drill", Tally(9, 5)),),
        "missed": (QuestionLine("drill:leader", Tally(3, 0)), QuestionLine("gone:q", Tally(2, 1))),
        "days": tuple(Day(date(2026, 10, 29) + timedelta(days=n), n, 2 * n) for n in range(7)),
        "active": 3,
        "streaks": (OnStreak("<Ana>", 4),),
        "zone": "Europe/London",
    }
    fields.update(changes)
    return ClassReport(**fields)  # type: ignore[arg-type]


def test_the_report_escapes_names_and_titles_and_shows_removed_questions_by_key() -> None:
    reply = texts.report(_report(), LIBRARY, title="9 <A> & B")
    check_message({"text": reply.text, "parse_mode": "HTML"})
    shown = html_to_plain(reply.text)
    assert shown.startswith("📊 Class report · 9 <A> & B\n3 students · 12 answers · 50% right")
    assert "1. Drill questions: 56% right (5 of 9)" in shown
    assert "1. “Which leader gave the Secret Speech?”\n    ✗ 3 of 3 wrong (100%)" in shown
    assert "2. gone:q\n    ✗ 1 of 2 wrong (50%)" in shown
    assert "Thu 29 Oct: –\nFri 30 Oct: 1 student, 2 answers\n" in shown
    assert "Wed 4 Nov (today): 6 students, 12 answers" in shown
    assert "<Ana> – 4 days" in shown
    assert reply.buttons[0][0].data == "r:csv"


def test_a_class_of_long_names_on_streaks_still_fits_one_message() -> None:
    many = tuple(OnStreak("🦄" * 30 + str(n), 100 - n) for n in range(400))
    reply = texts.report(_report(streaks=many), LIBRARY, title="T" * 128)
    assert units(reply.text) <= MESSAGE_UNITS
    assert "and 380 more" in html_to_plain(reply.text)
    check_message({"text": reply.text, "parse_mode": "HTML"})


def test_nothing_weak_or_missed_yet_is_said_plainly() -> None:
    shown = html_to_plain(
        texts.report(_report(weakest=(), missed=(), streaks=()), LIBRARY, title=None).text
    )
    assert "No topic with 3 or more answers has been missed yet." in shown
    assert "None missed yet." in shown and "streak" not in shown


def test_the_csv_keeps_names_as_text_and_leaves_untried_topics_blank() -> None:
    table = ClassTable(
        TODAY,
        ("drill", "exam"),
        (
            StudentLine(1, '=HYPERLINK("x")', Tally(4, 3), TODAY, 2, {"drill": Tally(4, 3)}),
            StudentLine(2, 'Zoë, "Z"', Tally(1, 0), None, 0, {"exam": Tally(1, 0)}),
        ),
    )
    data = texts.csv_file(table, LIBRARY)
    assert data.startswith("\ufeff".encode())  # so Excel reads it as UTF-8
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows == [
        [
            "first name",
            "answers",
            "right",
            "accuracy %",
            "last answered",
            "daily streak",
            "Drill questions %",
            "Exam practice %",
        ],
        ['\'=HYPERLINK("x")', "4", "3", "75", "2026-11-04", "2", "75", ""],
        ['Zoë, "Z"', "1", "0", "0", "", "0", "", "0"],
    ]


def test_the_csv_name_comes_from_the_title_or_the_group_id() -> None:
    assert texts.csv_name("12B History!", -100123, TODAY) == "report-12B-History-2026-11-04.csv"
    assert texts.csv_name("История 9", -100123, TODAY) == "report-История-9-2026-11-04.csv"
    assert texts.csv_name("🦄🦄", -100123, TODAY) == "report-100123-2026-11-04.csv"
    assert texts.csv_name(None, -4242, TODAY) == "report-4242-2026-11-04.csv"
    assert texts.csv_name("../../etc/passwd", -1, TODAY) == "report-etc-passwd-2026-11-04.csv"

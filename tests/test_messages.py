"""Every message quizbot renders is one Telegram accepts: valid HTML, within the limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import render_menus, render_practice
from bot.tutor.rounds import Round, SelfCheck, Summary, Turn
from quizbank.grading import Outcome, Verdict
from quizbank.loader import TOPIC_NAME_MAX
from quizbank.model import Bank, Kind, Library, MarkPoint, Question, Topic
from quizbank.questions import ANSWER_MAX, EXPLANATION_MAX, PROMPT_MAX
from tests.fakeapi import BadRequest, check_message


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>bold", "unclosed tag"),
        ("<script>x</script>", "unsupported start tag"),
        ("1 < 2", "unescaped"),
        ("Tom & Jerry", "unescaped"),
        ("&nbsp;", "unsupported entity"),
        ("x" * 4097, "too long"),
        ("   ", "empty"),
        ("<b> </b>", "empty"),
        ("<span>x</span>", "must have class"),
        ('<span class="tg-spoiler">x</span><tg-emoji>y</tg-emoji>', "must have emoji-id"),
        ("<pre><b>x</b></pre>", "inside"),
        ("half an emoji \ud83e", "UTF-8"),
    ],
)
def test_the_fake_api_refuses_what_telegram_refuses(text: str, error: str) -> None:
    with pytest.raises(BadRequest, match=error):
        check_message({"text": text, "parse_mode": "HTML"})


def test_the_fake_api_refuses_over_long_callback_data() -> None:
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "é" * 33}]]}
    with pytest.raises(BadRequest, match="BUTTON_DATA_INVALID"):
        check_message({"text": "hi", "reply_markup": markup})


def _worst_question(kind: Kind, n: int) -> Question:
    # Markup characters everywhere, every field at its limit.
    nasty = "<b>&amp;</i> \u200f"
    return Question(
        bank="b",
        id=f"q{n}",
        topic="t" * 32,
        kind=kind,
        prompt=(nasty * PROMPT_MAX)[: PROMPT_MAX if kind is Kind.TEXT else 300],
        answers=((nasty * 50)[:ANSWER_MAX],) if kind is Kind.TEXT else ("<&>" * 33,),
        explanation=(nasty * 50)[:EXPLANATION_MAX],
        source=("s",),
        choices=() if kind is Kind.TEXT else ("<&>" * 33, "&" * 100, "<" * 100, ">" * 100),
    )


def test_the_largest_possible_turn_renders_as_a_valid_message() -> None:
    topic = Topic("t" * 32, "<&>" * (TOPIC_NAME_MAX // 3))
    text_q, choice_q = _worst_question(Kind.TEXT, 1), _worst_question(Kind.CHOICE, 2)
    library = Library((Bank("b", "<Bank & co>", (topic,), (text_q, choice_q)),))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rnd = Round(1, 1, "abcdef", (text_q.key, choice_q.key), start, position=1, answered=1)
    verdict = Verdict(Outcome.WRONG, text_q.canonical)
    turn = Turn(text_q, "x" * 200, verdict, rnd, choice_q)
    summary = Summary(0, 2, 2, timedelta(hours=30), 99999, 99999)
    last = Turn(choice_q, "b", verdict, rnd, None, summary, chosen=choice_q.choices[1])
    scheme = Question(
        bank="b",
        id="p",
        topic="t" * 32,
        kind=Kind.POINTS,
        prompt="<&>" * 166,
        answers=(),
        explanation="<&>" * 66,
        source=("s",),
        marks=20,
        points=tuple(MarkPoint("<&>" * 66, ("k",)) for _ in range(8)),
    )
    replies = [
        render_practice.self_check(SelfCheck(scheme, rnd, "x" * 1000, (True,) * 8)),
        render_practice.question(library, rnd, scheme),
        render_practice.turn(library, turn),
        render_practice.turn(library, last),
        render_practice.started(library, rnd, choice_q, rnd),
        render_menus.welcome("<Ana & Ben>" * 20, library, (rnd, choice_q)),
        render_practice.in_progress(library, rnd, text_q),
        render_menus.topics(library),
        render_menus.bad_quiz_args("<" * 500),
        render_menus.help_text(),
    ]
    for reply in replies:
        check_message(
            {
                "text": reply.text,
                "parse_mode": "HTML",
                "reply_markup": {
                    "inline_keyboard": [
                        [{"text": b.label, "callback_data": b.data} for b in row if b.data]
                        for row in reply.buttons
                    ]
                },
            }
        )


def test_an_answer_is_shown_without_the_banks_optional_word_brackets() -> None:
    # "(as a) patriotic duty" in a bank means "as a" may be left out; a student should read
    # the words, not the bank's markup.
    q = Question(
        bank="b",
        id="duty",
        topic="t",
        kind=Kind.TEXT,
        prompt="Why were young people urged to go east?",
        answers=("(as a) patriotic duty",),
        explanation="e",
        source=("s",),
    )
    library = Library((Bank("b", "B", (Topic("t", "T"),), (q,)),))
    rnd = Round(1, 1, "abcdef", (q.key, q.key), datetime(2026, 1, 1, tzinfo=UTC), position=1)
    reply = render_practice.turn(library, Turn(q, "x", Verdict(Outcome.WRONG, q.canonical), rnd, q))
    assert "The answer is <b>as a patriotic duty</b>" in reply.text
    assert "(as a)" not in reply.text

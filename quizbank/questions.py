"""One question of a bank file: its fields checked, every problem reported, as a Question.

quizbank/loader.py reads the bank around it (its id, title and topics) and calls
`read_question` for each entry of its `questions` list.
"""

from __future__ import annotations

import re
from typing import Any

from quizbank.model import OPTION_LETTERS, Kind, MarkPoint, Question
from quizbank.normalise import normalise
from quizbank.yamlfile import check_keys

SHORT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")  # a bank's id, or a question's
# Bounds that keep any rendered message far below Telegram's 4,096 characters.
PROMPT_MAX = 500
ANSWER_MAX = 100
# Telegram quiz polls cap these lengths; keeping every question inside them lets any
# choice or true/false question be sent as a native poll later.
POLL_PROMPT_MAX = 300
POLL_OPTION_MAX = 100
EXPLANATION_MAX = 200
_QUESTION_KEYS = {
    "points",
    "marks",
    "parts",
    "typo",
    "short_year",
    "id",
    "topic",
    "type",
    "difficulty",
    "prompt",
    "answers",
    "answer",
    "choices",
    "reject",
    "explanation",
    "source",
}


def _strings(value: Any) -> list[str] | None:
    """A list of non-empty strings from a scalar or a list, or None if it is malformed."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list):
        return None
    out = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            return None
        text = str(item).strip()
        if text:
            out.append(text)
    return out


def read_question(
    bank_id: str,
    raw: Any,
    line: int,
    topic_ids: set[str],
    seen: dict[str, int],
    err: Any,
    short_years: bool = False,
) -> Question | None:
    """One question of a bank file as a Question; None, with `err` told why, if it is broken."""
    if not isinstance(raw, dict):
        err(line, "each question must be a mapping with id, topic, prompt, …")
        return None
    qid = raw.get("id")
    if qid is None:
        err(line, "this question has no 'id'")
        return None
    if not isinstance(qid, str) or not SHORT_ID.match(qid):
        err(line, f"question id {qid!r} must be lowercase letters, digits and '-', ≤ 40")
        return None
    check_keys(raw, _QUESTION_KEYS, line, err, qid)
    ok = True

    def bad(message: str) -> None:
        nonlocal ok
        ok = False
        err(line, message, qid)

    if qid in seen:
        bad(f"duplicate id (first used on line {seen[qid]})")
    else:
        seen[qid] = line
    topic = raw.get("topic")
    if not isinstance(topic, str) or topic not in topic_ids:
        bad(f"unknown topic {topic!r}; add it under 'topics' or use one listed there")
    try:
        kind = Kind(raw.get("type", "text"))
    except ValueError:
        bad(f"unknown type {raw.get('type')!r}; use text, choice, truefalse or points")
        return None
    prompt = raw.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        bad("the prompt is empty" if not prompt else "the prompt must be text")
        prompt = ""
    elif len(prompt.strip()) > PROMPT_MAX:
        bad(f"the prompt is {len(prompt.strip())} characters; keep it ≤ {PROMPT_MAX}")
    explanation = raw.get("explanation")
    if not isinstance(explanation, str) or not explanation.strip():
        bad("the explanation is empty")
        explanation = ""
    elif len(explanation.strip()) > EXPLANATION_MAX:
        size = len(explanation.strip())
        bad(f"the explanation is {size} characters; keep it ≤ {EXPLANATION_MAX}")
    source = _strings(raw.get("source"))
    if not source:
        bad("no source: say where the facts come from (your notes, a textbook page…)")
    difficulty = raw.get("difficulty", 1)
    if difficulty not in (1, 2, 3) or isinstance(difficulty, bool):
        bad(f"difficulty must be 1, 2 or 3, not {difficulty!r}")
        difficulty = 1
    reject = _strings(raw.get("reject", []))
    if reject is None:
        bad("'reject' must be a list of strings")
        reject = []

    choices: list[str] = []
    points: tuple[MarkPoint, ...] = ()
    marks = 0
    answers: list[str] | None
    if kind is Kind.TEXT:
        answers = _strings(raw.get("answers", raw.get("answer")))
        if not answers:
            bad("no answers: give at least one accepted answer")
    elif kind is Kind.CHOICE:
        choices = _strings(raw.get("choices")) or []
        answers = _strings(raw.get("answer"))
        if not 2 <= len(choices) <= len(OPTION_LETTERS):
            bad(f"a choice question needs 2 to {len(OPTION_LETTERS)} choices")
        if len({c.casefold() for c in choices}) != len(choices):
            bad("two choices are the same")
        if not answers or len(answers) != 1:
            bad("a choice question needs exactly one 'answer'")
        elif answers[0] not in choices:
            bad(f"the answer {answers[0]!r} is not one of the choices")
        for choice in choices:
            if len(choice) > POLL_OPTION_MAX:
                bad(f"choice {choice[:20]!r}… is longer than {POLL_OPTION_MAX} characters")
    elif kind is Kind.POINTS:
        answers = []
        points = _mark_scheme(raw.get("points"), bad)
        marks = raw.get("marks")
        if isinstance(marks, bool) or not isinstance(marks, int) or not 1 <= marks <= 20:
            bad("a points question needs 'marks': what it is worth, 1 to 20")
            marks = 0
    else:
        value = raw.get("answer")
        if not isinstance(value, bool):
            bad("a truefalse question needs 'answer: true' or 'answer: false'")
            value = True
        choices = ["True", "False"]
        answers = ["True" if value else "False"]
    if kind in (Kind.CHOICE, Kind.TRUEFALSE) and len(prompt) > POLL_PROMPT_MAX:
        bad(f"the prompt is {len(prompt)} characters; quiz polls allow {POLL_PROMPT_MAX}")
    for entry in (*(answers or []), *reject):
        if len(entry) > ANSWER_MAX:
            bad(f"answer {entry[:20]!r}… is longer than {ANSWER_MAX} characters")
    accepted = {normalise(a) for a in answers or []}
    for entry in reject:
        if normalise(entry) in accepted:
            bad(f"reject entry {entry!r} is also an accepted answer")
    parts = _parts(raw.get("parts"), kind, bad)
    typo = raw.get("typo")
    if typo is not None and (isinstance(typo, bool) or typo not in (0, 1, 2, 3)):
        bad(f"typo must be 0 (exact spelling), 1, 2 or 3 edits per word, not {typo!r}")
        typo = None
    short_year = raw.get("short_year", short_years)
    if not isinstance(short_year, bool):
        bad("short_year must be true or false")
        short_year = False
    if not ok:
        return None
    return Question(
        bank=bank_id,
        id=qid,
        topic=topic,
        kind=kind,
        prompt=prompt.strip(),
        answers=tuple(answers or ()),
        explanation=explanation.strip(),
        source=tuple(source or ()),
        difficulty=difficulty,
        choices=tuple(choices),
        reject=tuple(reject),
        parts=parts,
        typo=typo,
        short_year=short_year,
        points=points,
        marks=marks,
        line=line,
    )


def _mark_scheme(raw: Any, bad: Any) -> tuple[MarkPoint, ...]:
    """`points: [{point: ..., keywords: [...]}, ...]`: 2 to 8 points, each with keywords."""
    if not isinstance(raw, list) or not 2 <= len(raw) <= 8:
        bad("a points question needs 'points': 2 to 8 mark-scheme points")
        return ()
    scheme = []
    for item in raw:
        text = item.get("point") if isinstance(item, dict) else None
        keywords = _strings(item.get("keywords")) if isinstance(item, dict) else None
        if not isinstance(text, str) or not text.strip() or not keywords:
            bad("each mark-scheme point needs 'point' (its text) and 'keywords'")
            return ()
        if len(text) > ANSWER_MAX * 2:
            bad(f"keep each mark-scheme point ≤ {ANSWER_MAX * 2} characters")
        scheme.append(MarkPoint(text.strip(), tuple(keywords)))
    return tuple(scheme)


def _parts(raw: Any, kind: Kind, bad: Any) -> tuple[tuple[str, ...], ...]:
    """`parts: [Brezhnev, [Kosygin, Alexei Kosygin]]`: each part, with its alternatives."""
    if raw is None:
        return ()
    if kind is not Kind.TEXT or not isinstance(raw, list) or len(raw) < 2:
        bad("'parts' needs a text question and a list of at least two parts")
        return ()
    parts = []
    for item in raw:
        alternatives = _strings(item)
        if not alternatives:
            bad("each part must be a word or phrase, or a list of alternatives")
            return ()
        parts.append(tuple(alternatives))
    return tuple(parts)

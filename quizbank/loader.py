"""Load YAML bank files into the model, reporting every problem with file, line and question id."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from quizbank.model import (
    OPTION_LETTERS,
    TOPIC_ID_PATTERN,
    Bank,
    Kind,
    Library,
    MarkPoint,
    Question,
    Topic,
)
from quizbank.normalise import normalise
from quizbank.yamlfile import DUPES, LINE, Problem, line_of, parse, read

BUILTIN_DIR = Path(__file__).parent / "banks"
MAX_QUESTIONS = 2_000
# Bounds that keep any rendered message far below Telegram's 4,096 characters.
PROMPT_MAX = 500
ANSWER_MAX = 100
TOPIC_NAME_MAX = 64
TITLE_MAX = 100
# Telegram quiz polls cap these lengths; keeping every question inside them lets any
# choice or true/false question be sent as a native poll later.
POLL_PROMPT_MAX = 300
POLL_OPTION_MAX = 100
EXPLANATION_MAX = 200
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_TOPIC_ID = re.compile(rf"^{TOPIC_ID_PATTERN}$")
_BANK_KEYS = {"bank", "title", "topics", "questions", "short_years"}
_TOPIC_KEYS = {"id", "name"}
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


@dataclass(frozen=True, slots=True)
class LoadResult:
    """A bank (None when it has errors) and everything found wrong with it."""

    bank: Bank | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Only the problems that stop the bank from loading."""
        return tuple(p for p in self.problems if not p.warning)


def builtin_paths() -> list[Path]:
    """The bank files shipped with quizbot."""
    return sorted(BUILTIN_DIR.glob("*.yaml"))


def expand_paths(entries: Iterable[str | Path]) -> list[Path]:
    """Turn files and folders into a sorted list of .yaml/.yml files."""
    paths: list[Path] = []
    for entry in entries:
        path = Path(entry)
        if path.is_dir():
            paths.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            paths.append(path)
    return paths


def load_bank(path: str | Path) -> LoadResult:
    """Read and validate one bank file; never raises for bad content."""
    data, problem = read(path)
    if problem is not None:
        return LoadResult(None, (problem,))
    return _build(str(path), data)


def parse_bank(name: str, raw: bytes, *, shared: bool = True) -> LoadResult:
    """Validate a bank sent as bytes (a teacher's upload), exactly as `load_bank` does."""
    data, problem = parse(name, raw)
    if problem is not None:
        return LoadResult(None, (problem,))
    result = _build(name, data)
    if result.bank is None or shared:
        return result
    return LoadResult(replace(result.bank, shared=False), result.problems)


def _check_keys(
    item: dict[Any, Any], allowed: set[str], line: int, err: Any, qid: str = ""
) -> None:
    """Report misspelt and repeated keys, which YAML itself would silently accept."""
    for key, key_line in item.get(DUPES, {}).items():
        err(key_line, f"'{key}' is given twice; only the last one would count", qid)
    for key in item:
        if key in (LINE, DUPES) or key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; use {', '.join(sorted(allowed))}"
        err(line, f"unknown field '{key}'{hint}", qid)


def _build(path: str, data: Any) -> LoadResult:
    problems: list[Problem] = []

    def err(line: int, message: str, qid: str = "", *, warning: bool = False) -> None:
        problems.append(Problem(path, line, message, qid, warning))

    if not isinstance(data, dict):
        err(1, "a bank must be a mapping with 'bank', 'title', 'topics' and 'questions'")
        return LoadResult(None, tuple(problems))
    _check_keys(data, _BANK_KEYS, data[LINE], err)
    bank_id = data.get("bank")
    if not isinstance(bank_id, str) or not _ID.match(bank_id):
        err(data[LINE], "'bank' must be a short lowercase id such as 'khrushchev'")
        bank_id = "?"
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        err(data[LINE], "'title' is missing" if title is None else "'title' must be text")
        title = bank_id
    elif len(title.strip()) > TITLE_MAX:
        err(data[LINE], f"keep the 'title' ≤ {TITLE_MAX} characters")

    short_years = data.get("short_years", False)
    if not isinstance(short_years, bool):
        err(data[LINE], "'short_years' must be true or false")
        short_years = False
    topics = _topics(data.get("topics"), data[LINE], err)
    topic_ids = {t.id for t in topics}
    questions: list[Question] = []
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        err(data[LINE], "'questions' must be a non-empty list")
        raw_questions = []
    if len(raw_questions) > MAX_QUESTIONS:
        err(data[LINE], f"{len(raw_questions):,} questions; a bank may hold {MAX_QUESTIONS:,}")
        raw_questions = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_questions):
        line = line_of(raw_questions, index, data[LINE])
        try:
            question = _question(bank_id, raw, line, topic_ids, seen, err, short_years)
        except (TypeError, ValueError, AttributeError) as exc:
            # A safety net for shapes the checks below did not foresee: report, never crash.
            err(line, f"could not read this question ({exc})")
            continue
        if question is not None:
            questions.append(question)
    if any(not p.warning for p in problems):
        return LoadResult(None, tuple(problems))
    bank = Bank(bank_id, title.strip(), tuple(topics), tuple(questions), path)
    return LoadResult(bank, tuple(problems))


def _topics(raw: Any, line: int, err: Any) -> list[Topic]:
    if not isinstance(raw, list) or not raw:
        err(line, "'topics' must be a non-empty list of {id, name}")
        return []
    topics: list[Topic] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            err(line_of(raw, index, line), "each topic needs an 'id' and a 'name'")
            continue
        _check_keys(item, _TOPIC_KEYS, item[LINE], err)
        tid, name = item.get("id"), item.get("name")
        if not isinstance(tid, str) or not _TOPIC_ID.match(tid):
            err(item[LINE], f"topic id {tid!r} must be lowercase letters, digits and '-', ≤ 32")
            continue
        if not isinstance(name, str) or not name.strip():
            err(item[LINE], f"topic {tid!r} has no name")
            continue
        if len(name.strip()) > TOPIC_NAME_MAX:
            err(item[LINE], f"topic {tid!r}: keep the name ≤ {TOPIC_NAME_MAX} characters")
            continue
        if any(t.id == tid for t in topics):
            err(item[LINE], f"topic {tid!r} is listed twice")
            continue
        topics.append(Topic(tid, name.strip()))
    return topics


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


def _question(
    bank_id: str,
    raw: Any,
    line: int,
    topic_ids: set[str],
    seen: dict[str, int],
    err: Any,
    short_years: bool = False,
) -> Question | None:
    if not isinstance(raw, dict):
        err(line, "each question must be a mapping with id, topic, prompt, …")
        return None
    qid = raw.get("id")
    if qid is None:
        err(line, "this question has no 'id'")
        return None
    if not isinstance(qid, str) or not _ID.match(qid):
        err(line, f"question id {qid!r} must be lowercase letters, digits and '-', ≤ 40")
        return None
    _check_keys(raw, _QUESTION_KEYS, line, err, qid)
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


def load_library(
    paths: Sequence[str | Path],
) -> tuple[Library, list[Problem]]:
    """Load every bank; a broken bank is reported and skipped, never fatal to the others."""
    banks: list[Bank] = []
    problems: list[Problem] = []
    for path in paths:
        result = load_bank(path)
        problems.extend(result.problems)
        if result.bank is None:
            continue
        if any(b.id == result.bank.id for b in banks):
            message = f"bank id {result.bank.id!r} is already loaded; skipped this file"
            problems.append(Problem(str(path), 1, message))
            continue
        banks.append(result.bank)
    return Library(tuple(banks)), problems


def load_banks(extra: Sequence[str | Path]) -> tuple[Library, list[Problem]]:
    """The built-in banks plus `extra` files and folders; broken banks are reported, skipped."""
    return load_library([*builtin_paths(), *expand_paths(extra)])

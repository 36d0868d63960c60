"""Load YAML bank files into the model, reporting every problem with file, line and question id.

A bank's own fields and topics are checked here; each question, in quizbank/questions.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from quizbank.model import TOPIC_ID_PATTERN, Bank, Library, Question, Topic
from quizbank.questions import SHORT_ID, read_question
from quizbank.yamlfile import LINE, Problem, check_keys, line_of, parse, read

BUILTIN_DIR = Path(__file__).parent / "banks"
MAX_QUESTIONS = 2_000
# Bounds that keep any rendered message far below Telegram's 4,096 characters.
TOPIC_NAME_MAX = 64
TITLE_MAX = 100
_TOPIC_ID = re.compile(rf"^{TOPIC_ID_PATTERN}$")
_BANK_KEYS = {"bank", "title", "topics", "questions", "short_years"}
_TOPIC_KEYS = {"id", "name"}


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


def _build(path: str, data: Any) -> LoadResult:
    problems: list[Problem] = []

    def err(line: int, message: str, qid: str = "", *, warning: bool = False) -> None:
        problems.append(Problem(path, line, message, qid, warning))

    if not isinstance(data, dict):
        err(1, "a bank must be a mapping with 'bank', 'title', 'topics' and 'questions'")
        return LoadResult(None, tuple(problems))
    check_keys(data, _BANK_KEYS, data[LINE], err)
    bank_id = data.get("bank")
    if not isinstance(bank_id, str) or not SHORT_ID.match(bank_id):
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
            question = read_question(bank_id, raw, line, topic_ids, seen, err, short_years)
        except (TypeError, ValueError, AttributeError) as exc:
            # A safety net for shapes the checks below did not foresee: report, never crash.
            err(line, f"could not read this question ({exc})")
            continue
        if question is not None:
            questions.append(question)
    if any(not p.warning for p in problems):
        return LoadResult(None, tuple(problems))
    bank = Bank(bank_id, title.strip(), tuple(topics), tuple(questions), path, data[LINE])
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
        check_keys(item, _TOPIC_KEYS, item[LINE], err)
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
        topics.append(Topic(tid, name.strip(), item[LINE]))
    return topics


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

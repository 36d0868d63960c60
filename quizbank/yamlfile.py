"""Read a YAML file safely, remembering the line of every mapping and list item.

Never raises for bad content: a file that cannot be read, is too big, is not UTF-8 or is
not valid YAML becomes one `Problem` with the line where it went wrong.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20  # a bank is four or five levels deep; anything far deeper is hostile
LINE = "__line__"  # key added to every mapping: the line it starts on
DUPES = "__duplicate_keys__"  # key added where a mapping repeats a key: {key: line}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth a look) in a bank file."""

    path: str
    line: int
    message: str
    question: str = ""
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        qid = f" [{self.question}]" if self.question else ""
        level = "warning" if self.warning else "error"
        return f"{where}:{qid} {level}: {self.message}"


# libyaml's parser is four times faster where PyYAML was built with it; both are safe.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """A safe loader that remembers the line each mapping and list item starts on."""


class _Seq(list):  # type: ignore[type-arg]
    """A YAML list that knows the line of each item."""

    lines: list[int]


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    # YAML keeps the last of two equal keys without a word; remember them to report.
    keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
    dupes = {
        k: key.start_mark.line + 1
        for k, key in ((k.value, k) for k, _ in node.value)
        if keys.count(k) > 1
    }
    if dupes:
        mapping[DUPES] = dupes
    return mapping


def _sequence_with_lines(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    items = _Seq(loader.construct_sequence(node, deep=True))
    items.lines = [child.start_mark.line + 1 for child in node.value]
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence_with_lines)


def _shape_problem(name: str, text: str) -> Problem | None:
    """Refuse hostile structure before building anything from it.

    libyaml builds nested nodes recursively, and a few hundred thousand brackets overflow
    its C stack and kill the process; its event parser keeps its own stack, so walking the
    events first is safe. Anchors and aliases (the "billion laughs") have no use in a bank.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            line = event.start_mark.line + 1
            return Problem(name, line, "anchors and aliases (& and *) are not allowed in a bank")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1
                return Problem(name, line, f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def line_of(items: Any, index: int, default: int) -> int:
    lines = getattr(items, "lines", None)
    return lines[index] if lines and index < len(lines) else default


def read(path: str | Path) -> tuple[Any, Problem | None]:
    """The parsed content of a YAML file, or None and the problem that stopped it."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, Problem(name, 0, f"cannot read file: {exc.strerror or exc}")
    return parse(name, raw)


def parse(name: str, raw: bytes) -> tuple[Any, Problem | None]:
    """The parsed content of YAML bytes (an upload, say), or None and what stopped it."""
    if len(raw) > MAX_FILE_BYTES:
        return None, Problem(
            name, 0, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, Problem(name, raw[: exc.start].count(b"\n") + 1, "file is not UTF-8 text")
    try:
        shape = _shape_problem(name, text)
        if shape is not None:
            return None, shape
        return yaml.load(text, Loader=_LineLoader), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            line = mark.line + 1
        else:  # a reader error (a control character) knows only its offset
            line = text[: getattr(exc, "position", 0)].count("\n") + 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, Problem(name, line, f"YAML syntax error: {reason}")


def check_keys(item: dict[Any, Any], allowed: set[str], line: int, err: Any, qid: str = "") -> None:
    """Report misspelt and repeated keys, which YAML itself would silently accept."""
    for key, key_line in item.get(DUPES, {}).items():
        err(key_line, f"'{key}' is given twice; only the last one would count", qid)
    for key in item:
        if key in (LINE, DUPES) or key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; use {', '.join(sorted(allowed))}"
        err(line, f"unknown field '{key}'{hint}", qid)

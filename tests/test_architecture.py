"""The layering the project relies on: the domain never imports telegram or storage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DOMAIN = [
    *sorted((ROOT / "quizbank").glob("*.py")),
    *sorted((ROOT / "bot" / "tutor").glob("*.py")),
    *sorted((ROOT / "bot" / "challenge").glob("*.py")),
    *sorted((ROOT / "bot" / "daily").glob("*.py")),
    *sorted((ROOT / "bot" / "classes").glob("*.py")),
    *sorted((ROOT / "bot" / "reports").glob("*.py")),
    *sorted((ROOT / "bot" / "disputes").glob("*.py")),
    *sorted((ROOT / "bot" / "privacy").glob("*.py")),
    ROOT / "bot" / "render.py",
    ROOT / "bot" / "render_practice.py",
    ROOT / "bot" / "render_progress.py",
    ROOT / "bot" / "render_menus.py",
    ROOT / "bot" / "render_challenge.py",
    ROOT / "bot" / "render_daily.py",
    ROOT / "bot" / "render_classes.py",
    ROOT / "bot" / "render_report.py",
    ROOT / "bot" / "render_disputes.py",
    ROOT / "bot" / "render_privacy.py",
    ROOT / "bot" / "timers.py",
    ROOT / "bot" / "callbacks.py",
    ROOT / "bot" / "flood.py",
]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_modules_import_neither_telegram_nor_storage(path: Path) -> None:
    assert not _imports(path) & {"telegram", "storage", "aiosqlite"}

"""Replies: message text (Telegram HTML) and neutral buttons, and fitting them to Telegram.

No telegram imports: the handlers convert `Reply` into API objects, and `quizbot play`
prints the same replies as plain text. What each feature says lives in the render_*.py
modules beside this one (render_practice, render_progress, render_menus, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape

from bot import callbacks

_TAG = re.compile(r"</?[a-z]+>")


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: callback `data`, or a `url` to open."""

    label: str
    data: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to send: HTML text plus rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    # Open the reply box on the message, so a group answers it even in privacy mode.
    force_reply: bool = False


def quote(text: str, limit: int = 40) -> str:
    """Echo a bit of user input safely: short, escaped, on one line."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return escape(text)


START_BUTTONS = (
    (Button("▶️ Start a quiz", callbacks.pack(callbacks.StartQuiz())),),
    (Button("📚 Choose a topic", callbacks.pack(callbacks.ShowTopics())),),
)


MESSAGE_UNITS = 4096  # Telegram's limit, in UTF-16 units of visible text


def fit_message(text: str) -> str:
    """The text, cut at a line if it would be too long to send (a last line of defence:
    each reply is built to fit, but a list of names or topics can always grow)."""
    if _units(text) <= MESSAGE_UNITS:
        return text
    kept: list[str] = []
    for line in text.split("\n"):
        if _units("\n".join([*kept, line, "…"])) > MESSAGE_UNITS:
            break
        kept.append(line)
    return "\n".join([*kept, "…"])


def _units(html: str) -> int:
    return len(html_to_plain(html).encode("utf-16-le")) // 2


def html_to_plain(text: str) -> str:
    """Strip our HTML for the terminal."""
    return unescape(_TAG.sub("", text))

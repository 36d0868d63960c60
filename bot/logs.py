"""Logging set-up that can never print the bot token."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO


class RedactingFormatter(logging.Formatter):
    """Replaces secrets anywhere in the formatted record, tracebacks included."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        # A bot token's id half is public (it is the bot's user id); its secret half alone
        # is enough to abuse it, so that is masked wherever it appears too.
        secrets = tuple(secrets)
        halves = [s.partition(":")[2] for s in secrets if ":" in s]
        self._secrets = tuple(s for s in [*secrets, *halves] if len(s) >= 8)

    def format(self, record: logging.LogRecord) -> str:
        """Format the record, then mask every secret in the result."""
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "[token]")
        return text


def setup_logging(level: str, *, secrets: Iterable[str] = (), stream: TextIO | None = None) -> None:
    """Log to stderr (or `stream`) at `level`, with secrets masked and httpx's per-request
    lines quietened."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token; the
    # formatter masks it anyway, but one line per API call is noise on the hot path.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


class WithoutTraceback(logging.Filter):
    """Keeps a record's message but drops its traceback for the given exception types.

    For failures that quizbot explains itself in one line, where a traceback would only
    bury the explanation.
    """

    def __init__(self, *types: type[BaseException]) -> None:
        super().__init__()
        self._types = types

    def filter(self, record: logging.LogRecord) -> bool:
        """Strip the traceback of a matching exception; always keep the record."""
        if record.exc_info and isinstance(record.exc_info[1], self._types):
            record.exc_info = None
            record.exc_text = None
        return True

"""`quizbot play`: the same tutor in a terminal, with no Telegram and no token."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from typing import TextIO

from bot import render
from bot.config import Settings
from bot.tutor.clock import Clock, SystemClock
from bot.tutor.rounds import MAX_ROUND, MIN_ROUND, Retry, Turn, Unreadable
from bot.tutor.service import Tutor
from storage.db import connect
from storage.repository import Repository

# Telegram ids are positive, so the terminal player can never collide with a real student.
TERMINAL_USER = -1


def _plain(reply: render.Reply) -> str:
    """A reply as terminal text, with option buttons shown as lettered lines."""
    lines = [render.html_to_plain(reply.text)]
    options = [b.label for row in reply.buttons for b in row if b.data.startswith("a:")]
    lines.extend(f"   {label}" for label in options)
    return "\n".join(lines)


def _lines(stream: TextIO) -> Iterator[str]:
    for line in stream:
        yield line.rstrip("\n")


async def play(
    settings: Settings,
    *,
    size: int,
    topic: str | None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    clock: Clock | None = None,
    rng: random.Random | None = None,
) -> int:
    """Play rounds on stdin/stdout until the round ends, /quit, or end of input."""
    from bot.app import load_banks  # late import: keeps `quizbot bank check` free of PTB

    clock = clock or SystemClock()

    def say(reply: render.Reply | str) -> None:
        text = reply if isinstance(reply, str) else _plain(reply)
        print(text, end="\n\n", file=stdout, flush=True)

    library = load_banks(settings)
    if topic is not None:
        found = library.find_topic(topic)
        if found is None:
            say(render.html_to_plain(render.bad_quiz_args(topic).text))
            return 2
        topic = found.id
    if not MIN_ROUND <= size <= MAX_ROUND:
        say(render.html_to_plain(render.bad_count(size).text))
        return 2
    conn = await connect(settings.db_path)
    try:
        tutor = Tutor(repo=Repository(conn), library=library, rng=rng or random.Random())
        rnd = await tutor.current(TERMINAL_USER)
        if rnd is not None and topic is None:
            question = tutor.question(rnd)
            say("Carrying on with your saved round. (/stop ends it)")
            if question is not None:
                say(render.question(library, rnd, question))
        else:
            started = await tutor.start_round(
                TERMINAL_USER,
                TERMINAL_USER,
                at=clock.now(),
                first_name="you",
                size=size,
                topic=topic,
            )
            assert started is not None
            say("quizbot: type your answer and press Enter. /skip, /stop, /stats, /quit.")
            say(render.started(library, started.round, started.question, started.replaced))
        for line in _lines(stdin):
            text = line.strip()
            now = clock.now()
            if not text:
                continue
            if text in ("/quit", "/exit"):
                say("Bye! Your round is saved; run quizbot play again to carry on.")
                return 0
            if text == "/stats":
                say(render.stats(library, await tutor.stats(TERMINAL_USER)))
                continue
            if text == "/help":
                say(render.help_text())
                continue
            if text == "/stop":
                summary = await tutor.stop(TERMINAL_USER, at=now)
                if summary is not None:
                    say(render.summary(summary))
                return 0
            result: Turn | Retry | Unreadable | None
            if text == "/skip":
                result = await tutor.skip(TERMINAL_USER, at=now)
            else:
                result = await tutor.answer(TERMINAL_USER, text, at=now)
            match result:
                case None:
                    say("The round is over.")
                    return 0
                case Turn():
                    say(render.turn(library, result))
                    if result.summary is not None:
                        return 0
                case Retry():
                    say(render.retry())
                case Unreadable(question=q, reason="pick_option"):
                    say(render.pick_option(q))
                case Unreadable():
                    say(render.too_long())
        say("(end of input: your round is saved; run quizbot play again to carry on)")
        return 0
    finally:
        await conn.close()

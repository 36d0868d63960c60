"""`quizbot play`: the same tutor in a terminal, with no Telegram and no token."""

from __future__ import annotations

import random
import sys
from typing import TextIO

from bot import callbacks, render, render_menus, render_practice, render_progress
from bot.config import Settings
from bot.tutor.clock import Clock, SystemClock
from bot.tutor.requests import RoundRequest, UnknownTopic, parse_round_request
from bot.tutor.service import Tutor
from quizbank.loader import load_banks
from quizbank.model import Library
from storage.db import connect
from storage.repository import Repository

# Telegram ids are positive, so the terminal player can never collide with a real student.
TERMINAL_USER = -1
GREETING = (
    "quizbot in your terminal. Type an answer and press Enter (A–D for options).\n"
    "Commands: /skip, /stop, /quiz [n] [topic], /topics, /stats, /help, /quit"
)


def plain(reply: render.Reply) -> str:
    """A reply as terminal text, with option buttons shown as lettered lines."""
    lines = [render.html_to_plain(reply.text)]
    lines.extend(
        f"   {b.label}"
        for row in reply.buttons
        for b in row
        if isinstance(callbacks.unpack(b.data), callbacks.Choose)
    )
    return "\n".join(lines)


def _topics(library: Library) -> str:
    lines = ["Topics (start one with /quiz <id>):"]
    lines.extend(f"  {t.id:<16} {t.name}" for t in library.topics)
    return "\n".join(lines)


class _Terminal:
    """One terminal session: reads commands and answers, prints the tutor's replies."""

    def __init__(self, tutor: Tutor, clock: Clock, stdout: TextIO) -> None:
        self.tutor = tutor
        self.clock = clock
        self.stdout = stdout

    def say(self, reply: render.Reply | str) -> None:
        text = reply if isinstance(reply, str) else plain(reply)
        print(text, end="\n\n", file=self.stdout, flush=True)

    async def start(self, args: list[str]) -> bool:
        """Start a round from `/quiz` arguments; False if they were not understood."""
        library = self.tutor.library
        request = parse_round_request(args, library)
        if not isinstance(request, RoundRequest):
            self.say(render_menus.round_request_error(request))
            if isinstance(request, UnknownTopic):
                self.say(_topics(library))
            return False
        started = await self.tutor.start_round(
            TERMINAL_USER,
            TERMINAL_USER,
            at=self.clock.now(),
            size=request.size,
            topic=request.topic,
        )
        assert started is not None  # the topic was found, so it has questions
        self.say(
            render_practice.started(library, started.round, started.question, started.replaced)
        )
        return True

    async def handle(self, text: str) -> bool:
        """Act on one line; False when the player wants to quit."""
        tutor, library, now = self.tutor, self.tutor.library, self.clock.now()
        command, *args = text.split()
        match command.lower():
            case "/quit" | "/exit":
                self.say("Bye! Any round in progress is saved: run quizbot play to carry on.")
                return False
            case "/quiz":
                await self.start(args)
            case "/topics":
                self.say(_topics(library))
            case "/stats":
                self.say(
                    render_progress.stats(library, await tutor.overview(TERMINAL_USER, at=now))
                )
            case "/help" | "/start":
                self.say(GREETING)
            case "/stop":
                summary = await tutor.stop(TERMINAL_USER, at=now)
                self.say(
                    render_practice.no_round_to("stop")
                    if summary is None
                    else render_practice.summary(summary)
                )
            case "/skip":
                result = await tutor.skip(TERMINAL_USER, at=now)
                self.say(
                    render_practice.no_round_to("skip")
                    if result is None
                    else render_practice.answer_result(library, result)
                )
            case _ if command.startswith("/"):
                self.say(render_menus.unknown_command())
            case _:
                result = await tutor.answer(TERMINAL_USER, text, at=now)
                self.say(render_practice.answer_result(library, result))
        return True


async def play(
    settings: Settings,
    *,
    args: list[str],
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    clock: Clock | None = None,
    rng: random.Random | None = None,
) -> int:
    """Play in the terminal until /quit or end of input; exit status 2 for bad arguments."""
    library, problems = load_banks(settings.bank_paths)
    for problem in problems:
        print(f"bank problem: {problem}", file=sys.stderr)
    conn = await connect(settings.db_path)
    try:
        tutor = Tutor(
            store=Repository(conn),
            library=library,
            rng=rng or random.Random(),
            zone=settings.timezone,
        )
        terminal = _Terminal(tutor, clock or SystemClock(), stdout)
        terminal.say(GREETING)
        current = await tutor.current_question(TERMINAL_USER)
        if current is not None and not args:
            terminal.say("Carrying on with your saved round (/stop ends it).")
            terminal.say(render_practice.question(library, *current))
        elif not await terminal.start(args):
            return 2
        for line in stdin:
            if line.strip() and not await terminal.handle(line.strip()):
                break
        return 0
    finally:
        await conn.close()

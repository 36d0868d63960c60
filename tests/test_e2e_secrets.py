"""The bot token never shows: not in DEBUG logs (httpx's request URLs included), not in
tracebacks, not in anything sent to a chat."""

from __future__ import annotations

import dataclasses
import io
import logging
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.logs import RedactingFormatter, setup_logging
from tests.fakeapi import TOKEN, FakeBotAPI
from tests.groups import Group, text_of
from tests.support import FakeClock, Student, question_in, right_answer, running_bot

SECRET = TOKEN.partition(":")[2]


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Everything logged, at DEBUG everywhere, through the bot's own logging set-up."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    chatty = ("httpx", "httpcore", "aiohttp", "telegram", "telegram.ext")
    levels = {name: logging.getLogger(name).level for name in chatty}
    stream = io.StringIO()
    setup_logging("DEBUG", secrets=[TOKEN], stream=stream)
    for name in chatty:
        # setup_logging quietens httpx; here it logs every request URL, token and all.
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


@pytest.mark.parametrize("client", ["aiohttp", "httpx"])
async def test_a_whole_session_at_debug_never_shows_the_token(
    api: FakeBotAPI, settings: Settings, clock: FakeClock, debug_log: io.StringIO, client: str
) -> None:
    settings = dataclasses.replace(settings, http_client=client)
    async with running_bot(settings, clock=clock) as app:
        ana = Student(api, 1301)
        await ana.say("/start")
        text = await ana.say("/quiz drill")
        text = await ana.answer(text)
        # Faults with exceptions: Telegram refuses a reply (a logged traceback), a reply's
        # connection drops, and a poll for updates fails.
        api.faults.refuse("sendMessage", 400, "Bad Request: can't parse entities", chat_id=ana.id)
        notice = await ana.send(ana.message("/stats"))  # the error handler's apology
        assert "went wrong" in notice.params["text"]
        api.faults.reset("sendMessage", applied=False, chat_id=ana.id)
        await api.push(ana.message("/stats"))
        api.faults.server_error("getUpdates", 502)
        text = await ana.answer(await ana.say("/quiz drill"), right=False)
        # A group challenge, to its end.
        group = Group(api, app.bot_data, clock)
        first = await group.command(1, "/challenge 1 drill")
        clock.advance(seconds=1)
        await group.answer(2, right_answer(question_in(text_of(first))))
        assert "Final results" in text_of(await group.time_up())
    output = debug_log.getvalue()
    # The log really is at DEBUG, with the API's URL, httpx's request lines (each URL with
    # the token in it) and the tracebacks.
    assert "Set Bot API URL: http://127.0.0.1" in output and "/bot[token]" in output
    if client == "httpx":
        assert "HTTP Request: POST" in output and "/bot[token]/sendMessage" in output
    assert "Traceback" in output and "Can't parse entities" in output
    assert TOKEN not in output and SECRET not in output
    sent = [repr(call.params) + repr(call.result) for call in api.calls + api.refused]
    assert not [s for s in sent if TOKEN in s or SECRET in s]


def test_the_secret_half_of_the_token_is_masked_on_its_own_too() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(message)s", [TOKEN]))
    logger = logging.getLogger("test.secret-half")
    logger.addHandler(handler)
    try:
        logger.warning("token=%s id=%s", SECRET, TOKEN.partition(":")[0])
    finally:
        logger.removeHandler(handler)
    # The id half is the bot's public user id; the secret half is what must not show.
    assert stream.getvalue() == f"token=[token] id={TOKEN.partition(':')[0]}\n"

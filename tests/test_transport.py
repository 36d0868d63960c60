"""The HTTP client under PTB: aiohttp by default, httpx on request; PTB's errors either way."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.config import ConfigError, Settings
from bot.transport import AiohttpRequest
from tests.fakeapi import TOKEN, FakeBotAPI
from tests.support import Student, question_in, right_answer, running_bot


@pytest.mark.parametrize("client", ["aiohttp", "httpx"])
async def test_a_student_plays_the_same_over_either_client(
    api: FakeBotAPI, settings: Settings, client: str
) -> None:
    chosen = dataclasses.replace(settings, http_client=client)
    async with running_bot(chosen):
        ana = Student(api, 601)
        text = await ana.say("/quiz drill")
        assert "Question 1/4" in text
        text = await ana.say(right_answer(question_in(text)))
        assert "✅ Correct" in text
        assert "Question 2/4" in text


def test_an_unknown_client_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match="QUIZBOT_HTTP 'curl' must be aiohttp or httpx"):
        Settings.from_env({"QUIZBOT_HTTP": "curl"})


@pytest.fixture
async def silent_server() -> AsyncIterator[tuple[str, list[asyncio.StreamWriter]]]:
    """A server that reads requests and never answers; its connections, to cut at will."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)  # the request has arrived
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/bot", held
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_a_reply_that_never_comes_is_ptbs_timed_out(
    silent_server: tuple[str, list[asyncio.StreamWriter]],
) -> None:
    url, _ = silent_server
    bot = Bot(TOKEN, base_url=url, request=AiohttpRequest(read_timeout=0.2))
    await bot.request.initialize()
    try:
        with pytest.raises(TimedOut):
            await bot.send_message(1, "hello")
    finally:
        await bot.request.shutdown()


async def test_a_dropped_connection_is_ptbs_network_error(
    silent_server: tuple[str, list[asyncio.StreamWriter]],
) -> None:
    url, held = silent_server
    bot = Bot(TOKEN, base_url=url, request=AiohttpRequest(read_timeout=5))
    await bot.request.initialize()
    try:
        sending = asyncio.create_task(bot.send_message(1, "hello"))
        for _ in range(500):  # until the request has reached the server
            if held:
                break
            await asyncio.sleep(0.01)
        held[0].close()  # the server hangs up before answering
        with pytest.raises(NetworkError) as caught:
            await sending
        assert not isinstance(caught.value, TimedOut)
    finally:
        await bot.request.shutdown()

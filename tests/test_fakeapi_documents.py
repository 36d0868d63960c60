"""The fake Bot API takes documents as Telegram does, and refuses users who never started it."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden

from tests.fakeapi import TOKEN, FakeBotAPI, Upload

GROUP = -1001234567890
USER = 555


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    """A real PTB Bot talking to the `api` fixture."""
    bot = Bot(TOKEN, base_url=api.base_url)
    await bot.initialize()
    yield bot
    await bot.shutdown()


async def test_an_uploaded_document_comes_back_as_a_message_ptb_parses(
    api: FakeBotAPI, bot: Bot
) -> None:
    data = "name,answers\r\nZoë,3\r\n".encode()
    message = await bot.send_document(
        USER,
        io.BytesIO(data),
        filename="report.csv",
        caption="<b>Your</b> report",
        parse_mode="HTML",
    )

    document = message.document
    assert document is not None
    assert document.file_name == "report.csv"
    assert document.mime_type == "text/csv"
    assert document.file_size == len(data)
    assert document.file_id and document.file_unique_id
    assert message.caption == "Your report"
    [call] = api.sent_to(USER, "sendDocument")
    upload = call.params["document"]
    assert isinstance(upload, Upload) and bytes(upload) == data
    assert upload.filename == "report.csv"


async def test_a_sent_document_can_be_sent_again_by_file_id_and_fetched(
    api: FakeBotAPI, bot: Bot
) -> None:
    first = await bot.send_document(USER, b"a,b\r\n", filename="first.csv")
    assert first.document is not None
    again = await bot.send_document(USER + 1, first.document.file_id)
    file = await bot.get_file(first.document.file_id)

    assert again.document == first.document
    assert file.file_size == 5
    assert len(api.sent_to(USER, "sendDocument")) == 1
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(USER, "no-such-file")
    api.rejected.clear()  # provoked on purpose


async def test_a_document_counts_towards_the_group_limit(api: FakeBotAPI, bot: Bot) -> None:
    await bot.send_document(GROUP, InputFile(b"x", filename="x.txt"))

    assert len(api.group_posts(GROUP)) == 1


async def test_an_empty_file_is_rejected(api: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)file must be non-empty"):
        await bot.send_document(USER, b"", filename="empty.csv")

    [refused] = api.rejected
    api.rejected.clear()  # provoked on purpose
    assert refused.method == "sendDocument"


async def test_a_bot_cannot_write_first_to_a_user_who_never_started_it(
    api: FakeBotAPI, bot: Bot
) -> None:
    api.not_started.add(USER)

    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_document(USER, b"a", filename="a.csv")
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "hello?")

    assert [c.method for c in api.refused] == ["sendDocument", "sendMessage"]
    assert api.sent_to(USER) == []
    # Groups and other users are unaffected.
    await bot.send_message(GROUP, "still here")
    await bot.send_message(USER + 1, "hi")

"""A teacher sends a bank file in a private chat: a thin adapter to the upload checks."""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError

from bot import render_banks as texts
from bot.classes.banks import Uploaded
from bot.handlers.common import Context, send
from bot.services import AppServices
from quizbank.model import Library
from quizbank.yamlfile import MAX_FILE_BYTES


async def bank_file(update: Update, context: Context) -> None:
    """A document: check it as a bank, and if it passes, start using it."""
    message, user = update.message, update.effective_user
    assert message is not None and message.document is not None and user is not None
    doc = message.document
    name = doc.file_name or "bank.yaml"
    if not name.lower().endswith((".yaml", ".yml")):
        await send(context, message.chat_id, texts.not_a_bank())
        return
    if doc.file_size is not None and doc.file_size > MAX_FILE_BYTES:
        await send(context, message.chat_id, texts.too_big())
        return
    try:
        file = await context.bot.get_file(doc.file_id)
        raw = bytes(await file.download_as_bytearray())
    except TelegramError:
        await send(context, message.chat_id, texts.download_failed())
        return
    services = context.bot_data
    result = await services.uploads.upload(
        user.id, name, raw, library=services.tutor.library, at=services.clock.now()
    )
    if isinstance(result, Uploaded):
        use_library(services, result.library)
        await send(context, message.chat_id, texts.uploaded(result))
    else:
        await send(context, message.chat_id, texts.rejected(result))


def use_library(services: AppServices, library: Library) -> None:
    """Every service asks from `library`, with the answers teachers accepted, from now on."""
    library = services.disputes.apply(library)
    services.tutor.use_library(library)
    services.challenges.use_library(library)
    services.dailies.use_library(library)
    services.classes.use_library(library)
    services.reports.library = library

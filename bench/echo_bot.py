"""A bare python-telegram-bot echo bot: the baseline that bench/turns.py compares quizbot with.

One MessageHandler, one send_message per message, long polling, no rate limiter: the least
work a PTB bot can do for a message. It is configured like quizbot (`bot/app.py`): the same
ApplicationBuilder defaults (connection pools, timeouts, sequential updates) and Defaults
(HTML parse mode, no link previews), so the difference between the two is quizbot's own work.

Run by bench/turns.py, not by hand. Settings come from the environment:
TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL, ECHO_ALLOWED_UPDATES (comma-separated),
ECHO_HTTP (httpx, PTB's default; or aiohttp, quizbot's client), LOG_LEVEL (default WARNING).
SIGTERM stops it cleanly, as it does quizbot.
"""

from __future__ import annotations

import html
import logging
import os
import sys

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the message's text back to its chat."""
    message = update.effective_message
    assert message is not None and message.text is not None
    await context.bot.send_message(message.chat_id, html.escape(message.text))


def main() -> int:
    """Long-poll the Bot API until SIGTERM or SIGINT."""
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "WARNING"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    allowed = [u for u in os.environ.get("ECHO_ALLOWED_UPDATES", "message").split(",") if u]
    builder = ApplicationBuilder()
    if os.environ.get("ECHO_HTTP", "httpx") == "aiohttp":
        from bot.transport import AiohttpRequest

        builder = builder.request(AiohttpRequest(connection_pool_size=256))
        builder = builder.get_updates_request(AiohttpRequest(connection_pool_size=1))
    app = (
        builder.token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=allowed, bootstrap_retries=-1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the python-telegram-bot Application: the one place everything is wired together."""

from __future__ import annotations

import logging
import os
import random
from functools import partial
from typing import Any

from telegram import BotCommandScopeAllGroupChats, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.challenge.service import Challenges
from bot.classes.banks import BankUploads, with_uploads
from bot.classes.service import Classes
from bot.config import Settings
from bot.daily.service import Dailies
from bot.disputes.service import Disputes
from bot.handlers import ALLOWED_UPDATES, COMMANDS, GROUP_MENU, register
from bot.handlers.broadcast import Broadcaster
from bot.handlers.daily_live import DailyHost
from bot.handlers.live import ChallengeHost
from bot.handlers.moves import leave_group, move_group
from bot.handlers.uploads import use_library
from bot.logs import WithoutTraceback
from bot.ratelimit import QuizRateLimiter
from bot.reports.service import Reports
from bot.services import AppServices
from bot.timers import Timers
from bot.transport import AiohttpRequest
from bot.tutor.clock import Clock, SystemClock
from bot.tutor.service import Tutor
from quizbank.loader import load_banks
from storage.banks import BankRepository
from storage.challenges import ChallengeRepository
from storage.classes import ClassRepository
from storage.daily import DailyRepository
from storage.db import connect
from storage.disputes import DisputeRepository
from storage.reports import ReportRepository
from storage.repository import Repository
from storage.transactions import Transactions

log = logging.getLogger(__name__)
QuizApp = Application[Any, Any, Any, Any, AppServices, Any]


# PTB 22 is moving durations such as RetryAfter.retry_after to timedelta; opt in now, so
# reading one never raises a deprecation warning mid-broadcast.
os.environ.setdefault("PTB_TIMEDELTA", "true")


def build_application(
    settings: Settings, *, clock: Clock | None = None, rng: random.Random | None = None
) -> QuizApp:
    """A ready-to-run Application; the database opens in post_init, not here."""
    builder = ApplicationBuilder()
    if settings.rate_limit:
        builder = builder.rate_limiter(QuizRateLimiter(max_retries=2))
    if settings.http_client == "aiohttp":
        # The pool sizes are PTB's own defaults: 256 for calls, 1 for the long poll.
        builder = builder.request(AiohttpRequest(connection_pool_size=256)).get_updates_request(
            AiohttpRequest(connection_pool_size=1)
        )
    app: QuizApp = (
        builder.token(settings.require_token())
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(ContextTypes(bot_data=AppServices))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    services = app.bot_data
    services.settings = settings
    services.clock = clock or SystemClock()
    services.rng = rng or random.Random()
    register(app)
    return app


async def _post_init(app: QuizApp) -> None:
    """Open and migrate the database, load the banks, register the command menu."""
    services = app.bot_data
    services.db = await connect(services.settings.db_path)
    library, problems = load_banks(services.settings.bank_paths)
    for problem in problems:
        log.warning("bank problem: %s", problem)  # a broken extra bank never stops the bot
    transactions = Transactions(services.db)
    banks = BankRepository(transactions)
    # Teachers' uploads are checked again: a bank the checker now refuses is skipped.
    library, upload_problems = with_uploads(library, await banks.files())
    for problem in upload_problems:
        log.warning("uploaded bank problem: %s", problem)
    services.uploads = BankUploads(store=banks)
    # Answers teachers accepted in disputes: an overlay on the banks, in every service.
    services.disputes = Disputes(
        store=DisputeRepository(transactions),
        admins=services.settings.admins,
        on_library=partial(use_library, services),
        on_rescored=lambda users: services.tutor.rescored(users),
    )
    library = await services.disputes.load(library)
    zone = services.settings.timezone
    services.tutor = Tutor(
        store=Repository(services.db, transactions=transactions),
        library=library,
        rng=services.rng,
        zone=zone,
    )
    services.challenges = Challenges(
        store=ChallengeRepository(transactions), library=library, rng=services.rng, zone=zone
    )
    services.timers = Timers(services.clock)
    move, gone = partial(move_group, services), partial(leave_group, services)
    services.host = ChallengeHost(
        app.bot, services.challenges, services.timers, services.clock, on_moved=move, on_gone=gone
    )
    services.dailies = Dailies(
        store=DailyRepository(transactions), library=library, rng=services.rng, zone=zone
    )

    services.classes = Classes(
        store=ClassRepository(transactions), library=library, rng=services.rng
    )
    services.broadcaster = Broadcaster(app.bot, services.tutor, services.classes, services.clock)
    services.daily_host = DailyHost(
        app.bot,
        services.dailies,
        services.timers,
        services.clock,
        classes=services.classes,
        broadcaster=services.broadcaster,
        on_moved=move,
        on_gone=gone,
    )
    services.reports = Reports(
        store=ReportRepository(transactions),
        classes=ClassRepository(transactions),
        library=library,
        zone=zone,
    )
    services.timers.start()
    # A push a restart interrupted goes on to the students still waiting for it.
    services.timers.at("pushes", services.clock.now(), services.broadcaster.resume)
    # Running challenges resume: each question closes on time even across a restart.
    await services.host.restore()
    # Schedules are armed again; a question missed while the bot was down goes out now.
    await services.daily_host.restore()
    try:
        await app.bot.set_my_commands(list(COMMANDS))
        await app.bot.set_my_commands(list(GROUP_MENU), scope=BotCommandScopeAllGroupChats())
    except TelegramError as exc:
        # The menu is a convenience; the bot works without it, so never fail start-up on it.
        log.warning("could not register the command menu: %s", exc)
    log.info("quizbot ready as @%s", app.bot.username)


async def _post_shutdown(app: QuizApp) -> None:
    """Close the database."""
    services = app.bot_data
    await services.timers.stop()
    services.host = None
    services.challenges = None
    services.daily_host = None
    services.dailies = None
    services.reports = None
    services.disputes = None
    if services.db is not None:
        await services.db.close()
        services.db = None
    services.tutor = None


def run(settings: Settings) -> int:
    """Long-poll Telegram until SIGINT/SIGTERM; retries while Telegram is unreachable.

    Returns the process exit status. Failures are reported through logging, whose
    formatter masks the token: PTB's own InvalidToken message contains it.
    """
    app = build_application(settings)
    # PTB logs a rejected token with a traceback before raising it; we explain it below.
    logging.getLogger("telegram.ext").addFilter(WithoutTraceback(InvalidToken))
    log.info("connecting to the Bot API (retrying until it answers)")
    try:
        app.run_polling(allowed_updates=list(ALLOWED_UPDATES), bootstrap_retries=-1)
    except InvalidToken:
        log.error(
            "Telegram rejected TELEGRAM_BOT_TOKEN. Check it with @BotFather "
            "(/mybots → your bot → API Token), then start quizbot again."
        )
        return 2
    except Exception:
        log.exception("quizbot stopped after an unexpected error")
        return 1
    return 0

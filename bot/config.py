"""Settings from the environment (and an optional .env file), validated once at start-up."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API = "https://api.telegram.org/bot{token}"
DEFAULT_FILE_API = "https://api.telegram.org/file/bot{token}"
DEFAULT_DB = "data/quizbot.sqlite3"
BOTFATHER_HELP = (
    "TELEGRAM_BOT_TOKEN is not set. To get one: open Telegram, talk to @BotFather, send "
    "/newbot, pick a name, and copy the token it gives you into a .env file as "
    "TELEGRAM_BOT_TOKEN=... (or export it). To try the quiz without Telegram, run: quizbot play"
)


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, read once from the environment."""

    token: str | None = None
    api_base_url: str = DEFAULT_API
    api_file_url: str = DEFAULT_FILE_API
    db_path: str = DEFAULT_DB
    bank_paths: tuple[str, ...] = ()
    timezone: str = "Europe/London"
    log_level: str = "INFO"
    # Off only for benchmarks against a fake API: Telegram itself enforces its limits.
    rate_limit: bool = True
    admins: frozenset[int] = frozenset()  # bot owners, allowed every teacher command
    http_client: str = "aiohttp"  # or "httpx", python-telegram-bot's own (bot/transport.py)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from a mapping such as os.environ; raises ConfigError on bad values."""

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        token = get("TELEGRAM_BOT_TOKEN")
        if token is not None and (":" not in token or any(c.isspace() for c in token)):
            raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a bot token (id:secret)")
        base = get("TELEGRAM_API_BASE_URL") or DEFAULT_API
        files = get("TELEGRAM_API_FILE_URL") or DEFAULT_FILE_API
        for name, url in (("TELEGRAM_API_BASE_URL", base), ("TELEGRAM_API_FILE_URL", files)):
            if not url.startswith(("http://", "https://")):
                raise ConfigError(f"{name} must start with http:// or https://")
        zone = get("QUIZBOT_TIMEZONE") or "Europe/London"
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"QUIZBOT_TIMEZONE {zone!r} is not a known time zone (try Europe/London)"
            ) from None
        level = (get("LOG_LEVEL") or "INFO").upper()
        if level not in logging.getLevelNamesMapping():
            raise ConfigError(f"LOG_LEVEL {level!r} is not one of DEBUG, INFO, WARNING, ERROR")
        limit = (get("QUIZBOT_RATE_LIMIT") or "on").lower()
        if limit not in ("on", "off"):
            raise ConfigError(f"QUIZBOT_RATE_LIMIT {limit!r} must be on or off")
        owners = (get("QUIZBOT_ADMINS") or "").replace(",", " ").split()
        if not all(o.isdigit() for o in owners):
            raise ConfigError("QUIZBOT_ADMINS must be Telegram user ids, e.g. 12345,67890")
        http_client = (get("QUIZBOT_HTTP") or "aiohttp").lower()
        if http_client not in ("aiohttp", "httpx"):
            raise ConfigError(f"QUIZBOT_HTTP {http_client!r} must be aiohttp or httpx")
        banks = tuple(p for p in (get("QUIZBOT_BANKS") or "").replace(",", ":").split(":") if p)
        for path in banks:
            if not Path(path).exists():
                raise ConfigError(f"QUIZBOT_BANKS: {path!r} does not exist")
        return cls(
            token=token,
            api_base_url=base,
            api_file_url=files,
            db_path=get("QUIZBOT_DB") or DEFAULT_DB,
            bank_paths=banks,
            timezone=zone,
            log_level=level,
            rate_limit=limit == "on",
            admins=frozenset(int(o) for o in owners),
            http_client=http_client,
        )

    def require_token(self) -> str:
        """The bot token, or a ConfigError explaining how to get one."""
        if not self.token:
            raise ConfigError(BOTFATHER_HELP)
        return self.token


def read_dotenv(path: str | Path = ".env") -> dict[str, str]:
    """KEY=VALUE pairs from a .env file (comments and blank lines ignored); {} if absent."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {}
    values = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def load_settings(environ: Mapping[str, str], dotenv: str | Path = ".env") -> Settings:
    """Settings from the environment, falling back to a .env file for unset names."""
    return Settings.from_env({**read_dotenv(dotenv), **environ})

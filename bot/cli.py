"""The `quizbot` command: run | play | bank check | bank stats | disputes. Wiring only."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
from collections.abc import Sequence

from bot.config import ConfigError, load_settings
from bot.logs import setup_logging
from storage.db import StorageError, check_path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizbot", description="A Telegram quiz tutor.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the Telegram bot (long polling)")
    play = sub.add_parser("play", help="play a quiz in this terminal, no Telegram needed")
    play.add_argument(
        "round", nargs="*", metavar="ARG", help="like /quiz: a count and/or a topic, e.g. 5 space"
    )
    disputes = sub.add_parser("disputes", help='list "I was right" disputes, by question')
    disputes.add_argument(
        "--status",
        choices=("open", "accepted", "rejected"),
        default="open",
        help="which disputes: open (the default; teachers decide them with /disputes), "
        "accepted or rejected",
    )
    bank = sub.add_parser("bank", help="quiz bank tools")
    bank_sub = bank.add_subparsers(dest="bank_command", required=True)
    check = bank_sub.add_parser("check", help="validate bank files")
    check.add_argument("files", nargs="+", help="YAML bank files or folders")
    stats = bank_sub.add_parser("stats", help="questions per topic, type and difficulty")
    stats.add_argument("files", nargs="*", help="bank files or folders (default: built-in)")
    return parser


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _bank_check(files: Sequence[str]) -> int:
    from quizbank.lint import lint
    from quizbank.loader import expand_paths, load_bank

    paths = expand_paths(files)
    if not paths:
        print("no bank files found", file=sys.stderr)
        return 1
    failed = False
    for path in paths:
        result = load_bank(path)
        for problem in result.problems:
            print(problem, file=sys.stderr if not problem.warning else sys.stdout)
        if result.bank is None:
            failed = True
            print(f"{path}: FAILED ({_plural(len(result.errors), 'error')})")
        else:
            for warning in lint(result.bank):
                print(warning)
            questions, topics = len(result.bank.questions), len(result.bank.topics)
            print(f"{path}: ok, {_plural(questions, 'question')} in {_plural(topics, 'topic')}")
    return 1 if failed else 0


def _bank_stats(files: Sequence[str]) -> int:
    from quizbank.loader import builtin_paths, expand_paths, load_bank
    from quizbank.report import bank_stats

    failed = False
    for path in expand_paths(files) if files else builtin_paths():
        result = load_bank(path)
        if result.bank is None:
            print(f"{path}: has errors; run quizbot bank check {path}", file=sys.stderr)
            failed = True
        else:
            print(bank_stats(result.bank), end="\n\n")
    return 1 if failed else 0


async def _list_disputes(db_path: str, status: str) -> int:
    from storage.db import connect
    from storage.repository import Repository

    conn = await connect(db_path)
    try:
        disputes = await Repository(conn).disputes(status=status)
    finally:
        await conn.close()
    print(f"{_plural(len(disputes), f'{status} dispute')}")
    for (bank, question_id), group in itertools.groupby(
        disputes, key=lambda d: (d.bank, d.question_id)
    ):
        items = list(group)
        print(f"\n{bank}:{question_id} ({len(items)})")
        for d in items:
            when = d.created_at.strftime("%Y-%m-%d %H:%M UTC")
            print(f"  {d.typed!r}  user {d.user_id}  {when}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for the `quizbot` console script."""
    args = _parser().parse_args(argv)
    if args.command == "bank":
        if args.bank_command == "stats":
            return _bank_stats(args.files)
        return _bank_check(args.files)
    try:
        settings = load_settings(os.environ)
        if args.command == "run":
            settings.require_token()
        check_path(settings.db_path)
    except (ConfigError, StorageError) as exc:
        print(f"quizbot: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, secrets=[settings.token or ""])
    if args.command == "disputes":
        return asyncio.run(_list_disputes(settings.db_path, args.status))
    if args.command == "play":
        from bot.play import play

        return asyncio.run(play(settings, args=args.round))
    from bot.app import run

    return run(settings)


if __name__ == "__main__":
    sys.exit(main())

"""Banks teachers upload: checked exactly as `quizbot bank check` checks a file, then kept.

An uploaded bank is not shared: its questions come up when its topic is asked for by
name (`/quiz my-topic`, `/challenge my-topic`, `/daily 08:30 topic:my-topic`), never in
everyone's mixed rounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from quizbank.loader import LoadResult, parse_bank
from quizbank.model import Bank, Library
from quizbank.yamlfile import MAX_FILE_BYTES, Problem

MAX_UPLOAD_QUESTIONS = 500  # a teacher's bank; the built-in one has about 250
# Banks one teacher may keep: each is checked at every start-up and held in memory.
MAX_BANKS_PER_TEACHER = 20


class BankStore(Protocol):
    """Where uploaded banks are kept; each method is one transaction."""

    async def owner(self, bank: str) -> int | None:
        """Who uploaded the bank with this id, if anyone."""
        ...

    async def save(
        self,
        bank: str,
        owner_id: int,
        filename: str,
        content: bytes,
        questions: int,
        *,
        now: datetime,
        limit: int,
    ) -> bool:
        """Store (or replace, for its owner) an uploaded bank; False, storing nothing, if it
        is a new bank and its owner already has `limit`."""
        ...


@dataclass(frozen=True, slots=True)
class Uploaded:
    """A bank that passed every check and is now in use."""

    bank: Bank
    library: Library  # the library with it
    warnings: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class Rejected:
    """A bank that did not pass: every problem, with its line and question."""

    problems: tuple[Problem, ...]


def check_upload(
    filename: str, parsed: LoadResult, owner_id: int, library: Library, owner: int | None
) -> Rejected | Bank:
    """The uploaded bank if it may be used, or everything wrong with it. `owner` is who
    uploaded a bank with the same id before, if anyone."""
    if parsed.errors or parsed.bank is None:
        return Rejected(parsed.errors)
    bank = parsed.bank
    if len(bank.questions) > MAX_UPLOAD_QUESTIONS:
        count = len(bank.questions)
        message = f"{count:,} questions; an uploaded bank may hold {MAX_UPLOAD_QUESTIONS}"
        return Rejected((Problem(filename, 1, message),))
    taken = owner not in (None, owner_id) or (
        any(b.id == bank.id for b in library.banks) and owner != owner_id
    )
    problems: list[Problem] = []  # every clash at once, so one reply shows all to fix
    if taken:
        message = f"a bank called {bank.id!r} already exists: give yours another `bank:` id"
        problems.append(Problem(filename, bank.line, message))
    # Topics are how an uploaded bank's questions are asked for: sharing an id with another
    # bank would slip them into that bank's rounds for everyone. The bank this upload
    # replaces is not "another" bank, unless its id is someone else's.
    others = {t.id for b in library.banks if taken or b.id != bank.id for t in b.topics}
    for topic in bank.topics:
        if topic.id in others:
            message = (
                f"topic id {topic.id!r} is already used by another bank: give your topics "
                "ids of their own (e.g. add your initials)"
            )
            problems.append(Problem(filename, topic.line, message))
    return Rejected(tuple(problems)) if problems else bank


class BankUploads:
    """Accepts teachers' banks and keeps them across restarts."""

    def __init__(self, *, store: BankStore) -> None:
        self._store = store

    async def upload(
        self, owner_id: int, filename: str, raw: bytes, *, library: Library, at: datetime
    ) -> Uploaded | Rejected:
        """Check a bank file and, if it passes, store it and put it in the library."""
        if len(raw) > MAX_FILE_BYTES:
            return Rejected((Problem(filename, 0, f"the file is over {MAX_FILE_BYTES:,} bytes"),))
        parsed = parse_bank(filename, raw, shared=False)
        owner = await self._store.owner(parsed.bank.id) if parsed.bank else None
        checked = check_upload(filename, parsed, owner_id, library, owner)
        if isinstance(checked, Rejected):
            return checked
        saved = await self._store.save(
            checked.id,
            owner_id,
            filename[:100],
            raw,
            len(checked.questions),
            now=at,
            limit=MAX_BANKS_PER_TEACHER,
        )
        if not saved:
            message = (
                f"you already have {MAX_BANKS_PER_TEACHER} banks, the most one teacher can "
                "keep. To change one, send it again with the same `bank:` id: it replaces "
                "the old one"
            )
            return Rejected((Problem(filename, 0, message),))
        banks = (*(b for b in library.banks if b.id != checked.id), checked)
        warnings = tuple(p for p in parsed.problems if p.warning)
        return Uploaded(checked, Library(banks), warnings)


def without_banks(library: Library, banks: AbstractSet[str]) -> Library:
    """The library without these (uploaded) banks: their owner's data was deleted."""
    return Library(tuple(b for b in library.banks if b.id not in banks))


def with_uploads(
    library: Library, files: Sequence[tuple[str, bytes]]
) -> tuple[Library, list[Problem]]:
    """The library plus every stored upload that still passes (checked again at start-up)."""
    banks = list(library.banks)
    problems: list[Problem] = []
    for filename, raw in files:
        result = parse_bank(filename, raw, shared=False)
        if result.bank is None or any(b.id == result.bank.id for b in banks):
            problems.extend(result.errors or (Problem(filename, 1, "bank id already loaded"),))
            continue
        banks.append(result.bank)
    return Library(tuple(banks)), problems

"""A bounded map that keeps the most recently used entries: the rounds the tutor caches."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """Up to `capacity` entries; reading or writing one makes it the newest, the oldest go.

    Only for values kept elsewhere too (every round is in SQLite): a dropped entry is read
    back when it is needed again, so memory stays flat however many students there are.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The entry for `key`, now the newest; None if it is not (or no longer) here."""
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def pop(self, key: K, default: V | None = None) -> V | None:
        """Forget `key`; its entry, or `default`."""
        return self._entries.pop(key, default)

    def __len__(self) -> int:
        return len(self._entries)

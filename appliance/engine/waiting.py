"""The callers waiting in one queue, kept in answer order: priority class (returning callers,
then VIPs, then everybody else), then entry time, then arrival sequence. Bisect on a sorted
list: a position lookup is O(log n) and an insert or removal a short memmove."""

from __future__ import annotations

import bisect
from collections.abc import Iterator

# Priority classes: lower is served first.
RETURNING = -1  # an agent's position failed mid-call: back to the head of the queue
VIP = 0
NORMAL = 1

WaitKey = tuple[int, float, int]


class WaitingList:
    __slots__ = ("_calls", "_keys")

    def __init__(self) -> None:
        self._keys: list[WaitKey] = []
        self._calls: dict[WaitKey, str] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: WaitKey, call_id: str) -> int:
        """Insert; returns the 1-based position the caller got."""
        index = bisect.bisect_left(self._keys, key)
        self._keys.insert(index, key)
        self._calls[key] = call_id
        return index + 1

    def remove(self, key: WaitKey) -> int:
        """Take the caller out; returns the 1-based place they had (0 if not waiting here)."""
        index = bisect.bisect_left(self._keys, key)
        if index < len(self._keys) and self._keys[index] == key:
            del self._keys[index]
            del self._calls[key]
            return index + 1
        return 0

    def position(self, key: WaitKey) -> int:
        """1-based place in line; 0 if not waiting here."""
        index = bisect.bisect_left(self._keys, key)
        if index < len(self._keys) and self._keys[index] == key:
            return index + 1
        return 0

    def head_key(self) -> WaitKey | None:
        return self._keys[0] if self._keys else None

    def in_order(self) -> Iterator[tuple[WaitKey, str]]:
        """Callers in answer order (a copy of the order: safe to remove while iterating)."""
        calls = self._calls
        for key in list(self._keys):
            call_id = calls.get(key)
            if call_id is not None:
                yield key, call_id

    def snapshot(self) -> tuple[list[WaitKey], dict[WaitKey, str]]:
        """The live order and the call of each key, for a loop that does not add or remove
        callers while it runs (routing)."""
        return self._keys, self._calls

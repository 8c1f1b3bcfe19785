"""The engine's timers: a heap of deadlines in virtual time with lazy cancellation, so
cancelling is O(1) and nothing is ever scanned."""

from __future__ import annotations

import heapq
from collections.abc import Hashable


class RunawayTimers(RuntimeError):
    """More timers fired at one instant than any setup can make: some timer sets itself again
    for the same instant. Raised by a strict engine (tests); a production engine logs and drops
    them, so the box keeps answering calls."""


class TimerQueue:
    """Deadlines keyed by an integer handle. A cancelled handle stays in the heap until it
    reaches the top and is dropped there."""

    __slots__ = ("_heap", "_live", "_next_handle")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, str, Hashable]] = []
        self._live: set[int] = set()
        self._next_handle = 1

    def schedule(self, due_s: float, kind: str, subject: Hashable) -> int:
        handle = self._next_handle
        self._next_handle += 1
        self._live.add(handle)
        heapq.heappush(self._heap, (due_s, handle, kind, subject))
        return handle

    def live_count(self) -> int:
        return len(self._live)

    def cancel(self, handle: int) -> None:
        self._live.discard(handle)

    def earliest_s(self) -> float:
        """The earliest deadline in the heap, cancelled ones included (a cheap lower bound
        for "is anything due?"); infinity when empty."""
        heap = self._heap
        return heap[0][0] if heap else float("inf")

    def next_due(self) -> float | None:
        heap = self._heap
        while heap and heap[0][1] not in self._live:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def pop_due(self, now_s: float) -> tuple[float, int, str, Hashable] | None:
        """The earliest live timer due at or before `now_s`, removed; None if there is none."""
        heap = self._heap
        while heap:
            entry = heap[0]
            if entry[1] not in self._live:
                heapq.heappop(heap)
                continue
            if entry[0] > now_s:
                return None
            heapq.heappop(heap)
            self._live.discard(entry[1])
            return entry
        return None

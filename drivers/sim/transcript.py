"""What happened on the simulated devices, in order, with simulated times — for tests and for
reading a demo run back. Bounded, so a demo running for days does not grow."""

from __future__ import annotations

from collections import deque

from drivers.roles import Clock


class Transcript:
    def __init__(self, clock: Clock, *, max_lines: int = 5000) -> None:
        self._clock = clock
        self._lines: deque[str] = deque(maxlen=max_lines)

    def add(self, text: str) -> None:
        self._lines.append(f"{self._clock():.1f} {text}")

    @property
    def lines(self) -> list[str]:
        return list(self._lines)

    def texts(self) -> list[str]:
        """The lines without their times, for comparing whole transcripts in tests."""
        return [line.split(" ", 1)[1] for line in self._lines]

    def __len__(self) -> int:
        return len(self._lines)

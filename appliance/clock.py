"""The shell's clock: real time in production, real time × speed in demo mode. Everything the
shell stamps (commands, ticks) and every driver it builds reads this one clock."""

from __future__ import annotations

import time


class ShellClock:
    def __init__(self, speed: float = 1.0, *, start_s: float | None = None) -> None:
        if speed <= 0:
            raise ValueError(f"clock speed must be positive, not {speed}")
        self.speed = speed
        self._start_s = time.time() if start_s is None else start_s
        self._origin = time.monotonic()

    def now(self) -> float:
        """Seconds since the Unix epoch on this clock (monotonic underneath: no jumps)."""
        return self._start_s + (time.monotonic() - self._origin) * self.speed

    def wall_s(self, clock_s: float) -> float:
        """How many real seconds `clock_s` seconds of this clock take."""
        return clock_s / self.speed

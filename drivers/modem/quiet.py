"""The watch on a modem line that has gone quiet: many analog lines never signal that the caller
hung up, so a call with no sign of its caller — no voice, no key, no signal from the modem —
for `quiet_s` is taken to be over, rather than held off-hook and offered to agents."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from drivers.modem import audio
from drivers.modem.audio import SampleFormat

# A sample this far from silence is a voice or line noise a caller makes (about -40 dBFS); a
# line whose far end is gone carries the modem's silence code or near it.
VOICE_LEVEL = 320


def has_voice(data: bytes, fmt: SampleFormat) -> bool:
    """True when modem audio holds more than silence."""
    samples = audio.decode(data, fmt)
    return bool(samples) and max(max(samples), -min(samples)) > VOICE_LEVEL


class QuietLineWatch:
    """Calls `on_quiet` once when `caller_seen()` has not been called for `quiet_s` since
    `start()`. A `quiet_s` of 0 turns the watch off. Runs on the event loop's timers."""

    def __init__(self, quiet_s: float, on_quiet: Callable[[], None]) -> None:
        self.quiet_s = quiet_s
        self._on_quiet = on_quiet
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._last_seen = 0.0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.stop()
        if self.quiet_s <= 0:
            return
        self._loop = loop
        self._last_seen = loop.time()
        self._timer = loop.call_later(self.quiet_s, self._check)

    def caller_seen(self) -> None:
        if self._loop is not None:
            self._last_seen = self._loop.time()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._loop = None

    def _check(self) -> None:
        assert self._loop is not None
        quiet_for_s = self._loop.time() - self._last_seen
        if quiet_for_s < self.quiet_s:
            self._timer = self._loop.call_later(self.quiet_s - quiet_for_s, self._check)
            return
        self._timer = None
        self._loop = None
        self._on_quiet()

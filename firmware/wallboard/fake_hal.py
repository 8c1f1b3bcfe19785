"""The firmware's HAL under CPython: serial over a pty's master side (or in memory: `incoming`,
`outgoing`), SPI and pins recorded.

Time is the real monotonic clock plus an offset a test can move forward (`advance_s`), or a
wholly virtual clock (`clock_ms`) for tests that step time themselves.
"""

import contextlib
import os
import threading
import time
from collections.abc import Callable

from .hal import Hal


class FakeHal(Hal):
    def __init__(
        self, serial_fd: int | None = None, clock_ms: Callable[[], float] | None = None
    ) -> None:
        self.serial_fd = serial_fd
        self._clock_ms = clock_ms
        self._offset_ms = 0
        self.incoming = bytearray()
        self.outgoing = bytearray()
        self.spi_frames: list[bytes] = []
        self.pin_levels: dict[int, int] = {}
        self.resets: list[Exception] = []
        # Tests corrupt the wire here: each takes the bytes and returns what gets through.
        self.tamper_in: Callable[[bytes], bytes] | None = None
        self.tamper_out: Callable[[bytes], bytes] | None = None
        self.lock = threading.Lock()

    def advance_s(self, seconds: float) -> None:
        self._offset_ms += int(seconds * 1000)

    def ticks_ms(self) -> int:
        if self._clock_ms is not None:
            return int(self._clock_ms())
        return int(time.monotonic() * 1000) + self._offset_ms

    def ticks_diff(self, later: int, earlier: int) -> int:
        return later - earlier

    def sleep_ms(self, ms: int) -> None:
        time.sleep(ms / 1000)

    def serial_read(self) -> bytes:
        if self.serial_fd is None:
            data = bytes(self.incoming)
            self.incoming.clear()
            return data
        try:
            data = os.read(self.serial_fd, 4096)
        except (BlockingIOError, OSError):
            # EIO: nobody has the other side open (the Pi is not connected).
            return b""
        if self.tamper_in is not None:
            data = self.tamper_in(data)
        return data

    def serial_write(self, data: bytes) -> None:
        if self.serial_fd is None:
            self.outgoing.extend(data)
            return
        if self.tamper_out is not None:
            data = self.tamper_out(data)
        # As on USB: writing with no host listening loses the bytes.
        with contextlib.suppress(OSError):
            os.write(self.serial_fd, data)

    def spi_write(self, data: bytes) -> None:
        self.spi_frames.append(bytes(data))

    def pin_write(self, pin: int, level: int) -> None:
        self.pin_levels[pin] = level

    def release(self) -> None:
        pass

    def reset(self, error: Exception) -> None:
        self.resets.append(error)

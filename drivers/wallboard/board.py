"""The LED wallboard on a microcontroller board (firmware/wallboard), over USB serial.

Implements `Display`. A board unplugged or not answering is reported as `DeviceFaulted`; the
driver reconnects with capped back-off and reports `DeviceRestored` once the board answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time

from drivers.roles import (
    Clock,
    DeviceStatusSink,
    DriverError,
    WallboardFigures,
)
from drivers.wallboard.health import DeviceHealth
from drivers.wallboard.link import HostLink, wire_fields

log = logging.getLogger(__name__)


class WallboardLost(DriverError):
    """The board is unplugged, its port cannot be opened, or it stopped answering."""


class LedBoard:
    def __init__(
        self,
        device: str,
        *,
        baud: int = 115200,
        no_data_after_s: int = 10,
        name: str = "wallboard",
        retransmit_s: float = 0.25,
        fault_after_s: float = 3.0,
        first_retry_s: float = 0.5,
        max_retry_s: float = 30.0,
        clock: Clock = time.time,
    ) -> None:
        self.device = device
        self.baud = baud
        self.name = name
        self.health = DeviceHealth(
            kind="wallboard",
            device=device,
            name=name,
            clock=clock,
            first_retry_s=first_retry_s,
            max_retry_s=max_retry_s,
        )
        self.connected = self.health.up  # set while the board answers
        self.link = HostLink(
            no_data_after_s=no_data_after_s, retransmit_s=retransmit_s, fault_after_s=fault_after_s
        )
        self._wake = asyncio.Event()

    async def show(self, figures: WallboardFigures) -> None:
        self.link.set_fields(wire_fields(figures))
        self._wake.set()

    async def flush(self, timeout_s: float = 1.0) -> bool:
        """Waits until the board has acknowledged the latest figures (e.g. "closed" before the
        daemon stops); False if it did not within `timeout_s`."""
        try:
            async with asyncio.timeout(timeout_s):
                while not self.link.idle:
                    await asyncio.sleep(0.01)
        except TimeoutError:
            return False
        return True

    async def run(self, report: DeviceStatusSink) -> None:
        await self.health.keep_connected(lambda: self._session(report), WallboardLost, report)

    async def _session(self, report: DeviceStatusSink) -> None:
        import termios

        import serial

        if not os.path.exists(self.device):
            raise WallboardLost(f"no wallboard at {self.device}: is its USB cable plugged in?")
        try:
            port = serial.Serial(
                self.device, self.baud, timeout=0, write_timeout=1.0, exclusive=True
            )
        except (serial.SerialException, OSError, ValueError, termios.error) as error:
            raise WallboardLost(f"cannot open the wallboard port {self.device}: {error}") from error
        loop = asyncio.get_running_loop()
        lost: list[str] = []
        fd = port.fileno()

        def readable() -> None:
            try:
                data = port.read(4096)
            except (serial.SerialException, OSError) as error:
                lost.append(str(error))
                loop.remove_reader(fd)
            else:
                self.link.received(data, loop.time())
            self._wake.set()

        try:
            port.reset_input_buffer()
            self.link.start(loop.time())
            loop.add_reader(fd, readable)
            while True:
                if lost:
                    raise WallboardLost(f"the wallboard on {self.device} went away ({lost[0]})")
                now_s = loop.time()
                frame = self.link.poll(now_s)
                if frame:
                    try:
                        port.write(frame)
                    except (serial.SerialException, OSError) as error:
                        raise WallboardLost(
                            f"cannot write to the wallboard on {self.device}: {error}"
                        ) from error
                problem = self.link.problem(now_s)
                if problem is not None:
                    raise WallboardLost(f"wallboard on {self.device}: {problem}")
                if self.link.ready:
                    self.health.answered(report)
                self._wake.clear()
                delay_s = max(0.0, self.link.next_wakeup(now_s) - now_s)
                # asyncio.timeout, not wait_for: wait_for can swallow a cancellation (3.11).
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay_s):
                        await self._wake.wait()
        finally:
            with contextlib.suppress(ValueError, OSError):
                loop.remove_reader(fd)
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()

"""Whether a serial display answers: one DeviceFaulted when it is lost, one DeviceRestored when
it answers again, and reconnects paced with capped back-off in between."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from drivers.roles import Clock, DeviceFaulted, DeviceRestored, DeviceStatusSink

log = logging.getLogger(__name__)


class DeviceHealth:
    def __init__(
        self,
        *,
        kind: str,  # "wallboard", "sign": how the log names it
        device: str,
        name: str,
        clock: Clock,
        first_retry_s: float,
        max_retry_s: float,
    ) -> None:
        self.kind = kind
        self.device = device
        self.name = name
        self.first_retry_s = first_retry_s
        self.max_retry_s = max_retry_s
        self._clock = clock
        self.up = asyncio.Event()
        self.faulted = False

    def answered(self, report: DeviceStatusSink) -> None:
        """The device answers (again); a session calls this whenever it sees that."""
        if self.up.is_set():
            return
        self.up.set()
        if self.faulted:
            self.faulted = False
            log.info("%s %s answers again", self.kind, self.device)
            report(DeviceRestored(self._clock(), self.name))

    async def keep_connected(
        self,
        session: Callable[[], Awaitable[None]],
        lost: type[Exception],
        report: DeviceStatusSink,
    ) -> None:
        """Runs `session` until cancelled, starting it again after each `lost` error."""
        retry_s = self.first_retry_s
        while True:
            try:
                await session()
            except lost as error:
                if self.up.is_set():
                    retry_s = self.first_retry_s  # it worked until now: retry soon
                self.up.clear()
                if not self.faulted:
                    log.warning("%s %s: %s", self.kind, self.device, error)
                    self.faulted = True
                    report(DeviceFaulted(self._clock(), self.name, str(error)))
            await asyncio.sleep(retry_s)
            retry_s = min(retry_s * 2, self.max_retry_s)

"""The serial port of one voice modem: opening it with pyserial, reading what it sends through
the stream parser, and AT commands with their answers. Knows nothing of calls; what is not an
answer to a command (rings, caller ID, DLE events, audio) goes to the line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from typing import Any

from drivers.modem.protocol import (
    FINAL_RESULTS,
    InfoLine,
    ModemStreamParser,
    ResultCode,
    ResultLine,
    StreamItem,
)
from drivers.roles import DriverError

wire_log = logging.getLogger("drivers.modem.wire")


class ModemError(DriverError):
    """The modem failed in a way a depot owner can act on."""


class ModemNotAnswering(ModemError):
    """A command got no answer in time: the modem is hung (a reset may bring it back)."""


class ModemPort:
    """One open (or closed) modem port. `fault` completes with the error that ended it."""

    def __init__(
        self,
        line: str,
        device: str,
        on_item: Callable[[StreamItem], None],
        *,
        command_timeout_s: float,
        power_cycle_hint: bool,
    ) -> None:
        self.line = line
        self.device = device
        self._on_item = on_item
        self.command_timeout_s = command_timeout_s
        self._power_cycle_hint = power_cycle_hint
        self.parser = ModemStreamParser()
        self.fault: asyncio.Future[None] | None = None
        self._serial: Any = None
        self._fd = -1
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()
        self._response: asyncio.Future[ResultLine] | None = None
        self._response_lines: list[str] = []
        self._sent_command = ""

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    @property
    def busy(self) -> bool:
        """A command or stream ending is under way."""
        return self._lock.locked()

    # -----------------------------------------------------------------------------------------
    # open and close

    def open(self) -> None:
        import serial

        try:
            self._serial = serial.Serial(
                self.device, baudrate=115200, timeout=0, write_timeout=2.0, exclusive=True
            )
        except (serial.SerialException, OSError, ValueError) as e:
            raise ModemError(
                f"cannot open the voice modem of line {self.line} at {self.device} ({e}); "
                "check that it is plugged in and that the udev rule names it"
            ) from e
        self._loop = asyncio.get_running_loop()
        self._fd = self._serial.fileno()
        self.parser = ModemStreamParser()
        self.fault = self._loop.create_future()
        self._loop.add_reader(self._fd, self._on_readable)

    def close(self) -> None:
        if self._fd >= 0 and self._loop is not None:
            self._loop.remove_reader(self._fd)
        self._fd = -1
        if self._serial is not None:
            with contextlib.suppress(Exception):
                self._serial.close()
        self._serial = None
        if self.fault is not None and self.fault.done() and not self.fault.cancelled():
            self.fault.exception()  # seen: the line reports it
        if self._response is not None and not self._response.done():
            self._response.set_exception(ModemError(f"the modem of line {self.line} went away"))

    def hang_up_and_close(self, streaming: bool) -> None:
        """Stopping with a call up: end any stream and go on-hook without waiting for answers,
        so the line is never left off-hook behind us."""
        if self._serial is not None:
            with contextlib.suppress(Exception):
                if streaming or self.parser.audio_mode:
                    self._serial.write(b"\x10\x18\x10\x03\x10!")
                self._serial.write(b"\rATH\r")
                self._serial.flush()
        self.close()

    # -----------------------------------------------------------------------------------------
    # faults

    def lost(self, error: OSError | None) -> ModemError:
        detail = f" ({error.strerror})" if error is not None and error.strerror else ""
        return ModemError(
            f"the voice modem of line {self.line} ({self.device}) was unplugged or its USB "
            f"port failed{detail}; the line comes back by itself when the modem returns"
        )

    def not_answering(self) -> ModemNotAnswering:
        return ModemNotAnswering(
            f"the voice modem of line {self.line} ({self.device}) stopped answering; unplug "
            "it and plug it back in"
            + ("" if self._power_cycle_hint else " (or set power_cycle_command to do it)")
        )

    def fail(self, error: BaseException) -> None:
        """End this port's life with `error`: the line's serve loop raises it."""
        if self._loop is not None and self._fd >= 0:
            self._loop.remove_reader(self._fd)
        if self.fault is not None and not self.fault.done():
            self.fault.set_exception(error)
        if (
            isinstance(error, ModemError)
            and self._response is not None
            and not self._response.done()
        ):
            self._response.set_exception(error)

    # -----------------------------------------------------------------------------------------
    # bytes

    def write(self, data: bytes) -> None:
        if self._serial is None:
            raise ModemError(f"the voice modem of line {self.line} is not connected")
        import serial

        try:
            self._serial.write(data)
        except serial.SerialTimeoutException as e:
            raise self.not_answering() from e
        except (serial.SerialException, OSError) as e:
            error = self.lost(e if isinstance(e, OSError) else None)
            self.fail(error)
            raise error from e

    def _on_readable(self) -> None:
        try:
            data = os.read(self._fd, 4096)
        except OSError as e:
            self.fail(self.lost(e))
            return
        if not data:
            self.fail(self.lost(None))
            return
        wire_log.debug("%s < %r", self.line, data)
        for item in self.parser.feed(data):
            if not self._answers_command(item):
                self._on_item(item)

    def _answers_command(self, item: StreamItem) -> bool:
        pending = self._response is not None and not self._response.done()
        if isinstance(item, ResultLine) and item.code is not ResultCode.RING:
            if pending and item.code in FINAL_RESULTS:
                assert self._response is not None
                self._response.set_result(item)
            else:
                wire_log.debug("%s: unsolicited %s", self.line, item.text)
            return True
        if isinstance(item, InfoLine):
            if pending and item.text.upper() != self._sent_command.upper():  # not our echo
                self._response_lines.append(item.text)
            return True
        return False

    # -----------------------------------------------------------------------------------------
    # commands

    async def command(
        self, command: str, timeout_s: float | None = None, *, expect_stream: bool = False
    ) -> tuple[ResultLine, list[str]]:
        """Send an AT command; its final result and the lines before it."""
        wire_log.debug("%s > %s", self.line, command)
        result, lines = await self._exchange(
            command.encode("ascii") + b"\r", command, timeout_s or self.command_timeout_s
        )
        if expect_stream and result.code is not ResultCode.CONNECT:
            self.parser.audio_after_connect = False
        return result, lines

    async def expect(self, command: str, timeout_s: float | None = None) -> ResultLine:
        """A command that must be answered OK (VCON counts: some modems answer VLS=1 so)."""
        result, _ = await self.command(command, timeout_s)
        if result.code not in (ResultCode.OK, ResultCode.VCON):
            raise ModemError(
                f"the voice modem of line {self.line} refused {command} ({result.text})"
            )
        return result

    async def end_stream(self, ending: bytes, timeout_s: float = 3.0) -> None:
        """End AT+VTX/VRX/VTR with DLE codes and wait for the modem's OK."""
        try:
            await self._exchange(ending, "", timeout_s)
        finally:
            self.parser.audio_mode = False

    async def _exchange(
        self, data: bytes, echo: str, timeout_s: float
    ) -> tuple[ResultLine, list[str]]:
        async with self._lock:
            assert self._loop is not None
            self._response = self._loop.create_future()
            self._response_lines = []
            self._sent_command = echo
            try:
                self.write(data)
                result = await asyncio.wait_for(asyncio.shield(self._response), timeout_s)
            except TimeoutError:
                raise self.not_answering() from None
            finally:
                self._response = None
            return result, list(self._response_lines)

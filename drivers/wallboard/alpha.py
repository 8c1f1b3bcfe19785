"""A commercial LED sign speaking the Alpha Sign Communications Protocol, as a `Display`.

The layout is one TEXT file that calls STRING files; live figures go into the STRING files, so
an update never redraws the layout. The sign is asked to read a STRING file back now and then:
a sign that does not answer is reported as `DeviceFaulted` and set up afresh when it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from typing import Any

from drivers.roles import (
    AlertLevel,
    Clock,
    DeviceStatusSink,
    DriverError,
    WallboardFigures,
)
from drivers.wallboard import alpha_frames as af
from drivers.wallboard.health import DeviceHealth

log = logging.getLogger(__name__)
wire_log = logging.getLogger(__name__ + ".wire")

SERIAL_FORMATS = tuple(f"{b}{p}{s}" for b in "78" for p in "NEO" for s in "12")
TEXT_LABEL = "A"
TICKER_LABEL = "t"
# STRING file label → what it shows. Labels are lower-case letters (digits are counters).
FIGURE_STRINGS = (
    ("a", "WAIT"),
    ("b", "LONG"),
    ("c", "IDLE"),
    ("d", "TALK"),
    ("e", "PAUSE"),
    ("f", "SL"),
    ("g", "ANS"),
    ("h", "ABAN"),
)
FIGURE_STRING_BYTES = 12
TICKER_STRING_BYTES = 100
_LEVEL_COLOURS = {AlertLevel.NORMAL: af.GREEN, AlertLevel.WARNING: af.AMBER,
                  AlertLevel.ALARM: af.RED}  # fmt: skip


class SignLost(DriverError):
    """The sign's port cannot be opened or written, or the sign does not answer."""


def layout() -> bytes:
    """The TEXT file: two held pages of labels and STRING calls, then the ticker scrolling."""
    pages = []
    for half in (FIGURE_STRINGS[:4], FIGURE_STRINGS[4:]):
        content = b" ".join(
            af.AMBER + name.encode("ascii") + b" " + af.call_string(label) for label, name in half
        )
        pages.append(af.text_page(content, mode=af.MODE_HOLD))
    pages.append(af.text_page(af.AMBER + af.call_string(TICKER_LABEL), mode=af.MODE_ROTATE))
    return b"".join(pages)


def memory_files() -> list[af.TextFile | af.StringFile]:
    files: list[af.TextFile | af.StringFile] = [af.TextFile(TEXT_LABEL, 0x100)]
    files += [af.StringFile(label, FIGURE_STRING_BYTES) for label, _ in FIGURE_STRINGS]
    files.append(af.StringFile(TICKER_LABEL, TICKER_STRING_BYTES))
    return files


def _minutes(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{round(rate * 100)}%"


def strings_for(figures: WallboardFigures) -> dict[str, bytes]:
    """STRING file contents: a colour code by the field's alert level, then the value."""
    values = (
        ("a", "calls_waiting", str(figures.calls_waiting)),
        ("b", "longest_wait_s", _minutes(figures.longest_wait_s)),
        ("c", "agents_ready", str(figures.agents_ready)),
        ("d", "agents_on_call", str(figures.agents_on_call)),
        ("e", "agents_paused", str(figures.agents_paused)),
        ("f", "service_level", _percent(figures.service_level)),
        ("g", "answered_today", str(figures.answered_today)),
        ("h", "abandoned_today", str(figures.abandoned_today)),
    )
    strings = {
        label: _LEVEL_COLOURS[figures.level(name)] + text.encode("ascii")
        for label, name, text in values
    }
    ticker = "CLOSED" if figures.closed else figures.ticker
    if figures.faults:
        ticker = ("FAULT: " + ", ".join(figures.faults) + "  " + ticker).strip()
    # Signs have ASCII fonts only: other characters become "?".
    strings[TICKER_LABEL] = ticker.encode("ascii", errors="replace")[:TICKER_STRING_BYTES]
    return strings


def serial_settings(serial_format: str) -> dict[str, Any]:
    """pyserial keyword arguments for "8N1", "7E1", "7E2" … ."""
    if serial_format not in SERIAL_FORMATS:
        raise ValueError(f"serial_format {serial_format!r}: expected one of {SERIAL_FORMATS}")
    import serial

    bits = {"7": serial.SEVENBITS, "8": serial.EIGHTBITS}[serial_format[0]]
    parity = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}
    stop = {"1": serial.STOPBITS_ONE, "2": serial.STOPBITS_TWO}[serial_format[2]]
    return {"bytesize": bits, "parity": parity[serial_format[1]], "stopbits": stop}


class AlphaSign:
    def __init__(
        self,
        device: str,
        *,
        baud: int = 9600,
        serial_format: str = "7E1",
        address: str = "00",
        type_code: str = "Z",
        name: str = "sign",
        check_every_s: float = 10.0,
        answer_timeout_s: float = 2.0,
        first_retry_s: float = 1.0,
        max_retry_s: float = 60.0,
        clock: Clock = time.time,
    ) -> None:
        serial_settings(serial_format)  # a bad format fails here, at start-up
        self.device = device
        self.baud = baud
        self.serial_format = serial_format
        self.address = address.encode("ascii")
        self.type_code = type_code.encode("ascii")
        self.name = name
        self.check_every_s = check_every_s
        self.answer_timeout_s = answer_timeout_s
        self.health = DeviceHealth(
            kind="sign",
            device=device,
            name=name,
            clock=clock,
            first_retry_s=first_retry_s,
            max_retry_s=max_retry_s,
        )
        self.ready = self.health.up  # set while the sign answers
        self._desired: dict[str, bytes] = strings_for(WallboardFigures())
        self._wake = asyncio.Event()
        self.packets_sent = 0
        self._on_sign: dict[str, bytes] = {}

    async def show(self, figures: WallboardFigures) -> None:
        self._desired = strings_for(figures)
        self._wake.set()

    async def flush(self, timeout_s: float = 1.0) -> bool:
        """Waits until the sign holds the latest figures; False if not within `timeout_s`."""
        try:
            async with asyncio.timeout(timeout_s):
                while self._on_sign != self._desired:
                    await asyncio.sleep(0.01)
        except TimeoutError:
            return False
        return True

    async def run(self, report: DeviceStatusSink) -> None:
        await self.health.keep_connected(lambda: self._session(report), SignLost, report)

    def _packet(self, *commands: bytes) -> bytes:
        return af.packet(list(commands), type_code=self.type_code, address=self.address)

    async def _session(self, report: DeviceStatusSink) -> None:
        import termios

        import serial

        if not os.path.exists(self.device):
            raise SignLost(f"no serial port at {self.device}: is the sign's adapter plugged in?")
        try:
            port = serial.Serial(
                self.device,
                self.baud,
                timeout=0.1,
                write_timeout=5.0,
                exclusive=True,
                **serial_settings(self.serial_format),
            )
        except (serial.SerialException, OSError, termios.error) as error:
            # termios.error: the port refused the serial settings.
            raise SignLost(f"cannot open the sign's port {self.device}: {error}") from error
        try:
            await asyncio.to_thread(port.reset_input_buffer)
            await self._send(port, self._packet(af.configure_memory(memory_files())))
            await self._send(port, self._packet(af.write_text(TEXT_LABEL, layout())))
            on_sign = self._on_sign = {}
            next_check_s = 0.0
            while True:
                for label, data in list(self._desired.items()):
                    if on_sign.get(label) != data:
                        await self._send(port, self._packet(af.write_string(label, data)))
                        on_sign[label] = data
                loop_time = asyncio.get_running_loop().time()
                if loop_time >= next_check_s:
                    await self._check_answers(port, on_sign)
                    next_check_s = loop_time + self.check_every_s
                    self.health.answered(report)
                self._wake.clear()
                wait_s = max(0.0, next_check_s - asyncio.get_running_loop().time())
                # asyncio.timeout, not wait_for: wait_for can swallow a cancellation (3.11).
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait_s):
                        await self._wake.wait()
        finally:
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()

    async def _send(self, port: Any, data: bytes) -> None:
        import serial

        wire_log.debug("pi → sign %r", data)
        try:
            await asyncio.to_thread(port.write, data)
        except (serial.SerialException, OSError) as error:
            raise SignLost(f"cannot write to the sign on {self.device}: {error}") from error
        self.packets_sent += 1

    async def _check_answers(self, port: Any, on_sign: dict[str, bytes]) -> None:
        """Reads the first STRING file back; it must hold what was last written."""
        import serial

        label = FIGURE_STRINGS[0][0]
        await self._send(port, self._packet(af.read_string(label)))
        deadline_s = time.monotonic() + self.answer_timeout_s
        reply = bytearray()
        try:
            while time.monotonic() < deadline_s and not reply.endswith(bytes([af.EOT])):
                reply += await asyncio.to_thread(port.read, 256)
        except (serial.SerialException, OSError) as error:
            raise SignLost(f"cannot read from the sign on {self.device}: {error}") from error
        wire_log.debug("sign → pi %r", bytes(reply))
        if not reply.endswith(bytes([af.EOT])):
            raise SignLost(f"the sign on {self.device} does not answer")
        try:
            answer = af.parse_packet(bytes(reply))
        except af.AlphaFrameError as error:
            raise SignLost(f"the sign on {self.device} answered garbage: {error}") from error
        stored = [c.data[1:] for c in answer.commands if c.code == af.WRITE_STRING]
        if stored != [on_sign.get(label)]:
            # It lost its memory (power cut): set it up again.
            raise SignLost(f"the sign on {self.device} lost its layout (power cut?)")

"""Asks a serial device what it is: a short AT exchange for voice modems (ATI, AT+FCLASS=?,
AT+VSM=?) and the wallboard link's hello frame for the board. An admin tool's own little I/O:
it leaves the modem in data mode as it found it and never takes a port the daemon holds."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import serial

log = logging.getLogger(__name__)
wire_log = logging.getLogger(__name__ + ".wire")

REPLY_TIMEOUT_S = 1.5
_FINAL = ("OK", "ERROR", "NO CARRIER")


class DeviceBusy(Exception):
    """Another program (normally the depotline daemon) has the port open."""


class NoAnswer(Exception):
    """The device opened but said nothing sensible in time."""


@dataclass(frozen=True, slots=True)
class ModemIdentity:
    identity: tuple[str, ...]  # ATI lines
    details: tuple[str, ...]  # ATI3 lines (model and firmware on most modems)
    voice: bool  # AT+FCLASS=? lists class 8
    sample_formats: tuple[str, ...] = field(default=())  # AT+VSM=? lines

    def summary(self) -> str:
        who = "; ".join((*self.details, *self.identity)) or "no identity text"
        if not self.voice:
            return f"{who}; NOT a voice modem (no class 8 in AT+FCLASS=?)"
        ids = ",".join(entry.split(",")[0] for entry in self.sample_formats)
        return f"{who}; voice formats {ids or 'not listed'}"


@dataclass(frozen=True, slots=True)
class BoardIdentity:
    protocol_version: int
    width: int
    height: int


def _open(path: str, baud: int) -> serial.Serial:
    import serial  # imported here: the package imports on any PC

    try:
        return serial.Serial(path, baud, timeout=0.1, exclusive=True)
    except serial.SerialException as error:
        text = str(error)
        if "lock" in text.lower() or "busy" in text.lower() or "Resource temporarily" in text:
            raise DeviceBusy(f"{path} is in use by another program") from error
        raise NoAnswer(f"{path} cannot be opened: {text}") from error


def _command(port: serial.Serial, command: str, timeout_s: float = REPLY_TIMEOUT_S) -> list[str]:
    """Sends one AT command; returns the reply lines up to and including the final result."""
    port.reset_input_buffer()
    wire_log.debug("> %s", command)
    port.write(command.encode("ascii") + b"\r")
    deadline = time.monotonic() + timeout_s
    buffer = b""
    lines: list[str] = []
    while time.monotonic() < deadline:
        buffer += port.read(256)
        *complete, buffer = buffer.replace(b"\r", b"\n").split(b"\n")
        for raw in complete:
            line = raw.decode("ascii", errors="replace").strip()
            if not line or line.upper() == command.upper():  # blank, or the echo
                continue
            wire_log.debug("< %s", line)
            lines.append(line)
            if line in _FINAL:
                return lines
    raise NoAnswer(f"no answer to {command} within {timeout_s:g} s")


def _body(reply: list[str]) -> tuple[str, ...]:
    return tuple(line for line in reply if line not in _FINAL)


def identify_modem(path: str, baud: int = 115200) -> ModemIdentity:
    port = _open(path, baud)
    try:
        if _command(port, "AT")[-1] != "OK":
            raise NoAnswer(f"{path} does not answer AT with OK")
        _command(port, "ATE0")
        identity = _body(_command(port, "ATI"))
        details = _body(_command(port, "ATI3"))
        classes = _command(port, "AT+FCLASS=?")
        voice = classes[-1] == "OK" and any(
            "8" in re.split(r"[\s,()-]+", line) for line in _body(classes)
        )
        formats: tuple[str, ...] = ()
        if voice:
            # AT+VSM=? answers only in voice class on some modems; go back to data mode after
            _command(port, "AT+FCLASS=8")
            vsm = _command(port, "AT+VSM=?")
            formats = _body(vsm) if vsm[-1] == "OK" else ()
            _command(port, "AT+FCLASS=0")
        return ModemIdentity(identity, details, voice, formats)
    finally:
        port.close()


def identify_board(path: str, baud: int = 115200) -> BoardIdentity:
    """Sends the link's hello frame and waits for the board's hello reply."""
    from firmware.wallboard import protocol  # the wire format the board speaks

    port = _open(path, baud)
    try:
        port.write(protocol.encode_frame(0, protocol.hello_request(10)))
        reader = protocol.FrameReader()
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while time.monotonic() < deadline:
            for _seq, payload in reader.feed(port.read(64)):
                if len(payload) >= 4 and payload[0] == protocol.MSG_HELLO:
                    return BoardIdentity(payload[1], payload[2], payload[3])
        raise NoAnswer(f"no hello frame from {path} within {REPLY_TIMEOUT_S:g} s")
    finally:
        port.close()

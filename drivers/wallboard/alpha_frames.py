"""Alpha Sign Communications Protocol packets (pure): write TEXT, write STRING, memory
configuration, read STRING, and parsing the sign's replies.

Packet: five NUL, SOH, type code, address, then per command STX, command code, data, ETX and a
checksum (four ASCII hex digits of the byte sum from STX to ETX inclusive), then EOT.
"""

from __future__ import annotations

from dataclasses import dataclass

SYNC = b"\x00" * 5
SOH = 0x01
STX = 0x02
ETX = 0x03
EOT = 0x04
ESC = 0x1B
CALL_STRING = 0x10  # inside a TEXT file: show STRING file <label> here
COLOUR = 0x1C

WRITE_TEXT = b"A"
WRITE_SPECIAL = b"E"
WRITE_STRING = b"G"
READ_STRING = b"H"

POSITION_FILL = b"0"
MODE_HOLD = b"b"
MODE_ROTATE = b"a"

RED = b"\x1c1"
GREEN = b"\x1c2"
AMBER = b"\x1c3"

MAX_STRING_BYTES = 125


class AlphaFrameError(ValueError):
    """Bytes from the sign that are not a well-formed reply."""


def checksum(command_and_data: bytes) -> bytes:
    """Sum of STX, the command code, the data and ETX, modulo 65536, as four hex digits."""
    total = (STX + sum(command_and_data) + ETX) & 0xFFFF
    return b"%04X" % total


def packet(commands: list[bytes], *, type_code: bytes = b"Z", address: bytes = b"00") -> bytes:
    """One transmission with one or more commands (each: command code + data)."""
    out = bytearray(SYNC)
    out.append(SOH)
    out += type_code + address
    for command in commands:
        out.append(STX)
        out += command
        out.append(ETX)
        out += checksum(command)
    out.append(EOT)
    return bytes(out)


def write_text(label: str, body: bytes) -> bytes:
    """`body` holds its own ESC + position + mode fields (one per page)."""
    return WRITE_TEXT + label.encode("ascii") + body


def text_page(content: bytes, *, mode: bytes = MODE_HOLD, position: bytes = POSITION_FILL) -> bytes:
    return bytes([ESC]) + position + mode + content


def call_string(label: str) -> bytes:
    return bytes([CALL_STRING]) + label.encode("ascii")


def write_string(label: str, data: bytes) -> bytes:
    if len(data) > MAX_STRING_BYTES:
        raise ValueError(f"a STRING file holds at most {MAX_STRING_BYTES} bytes")
    return WRITE_STRING + label.encode("ascii") + data


def read_string(label: str) -> bytes:
    return READ_STRING + label.encode("ascii")


@dataclass(frozen=True, slots=True)
class TextFile:
    label: str
    size: int


@dataclass(frozen=True, slots=True)
class StringFile:
    label: str
    size: int


def configure_memory(files: list[TextFile | StringFile]) -> bytes:
    """Special function `$`: allocate the files (this clears the sign's memory).

    TEXT: label, "A", "U" (unlocked), size, start "FF" = always shown (stop ignored).
    STRING: label, "B", "L" (STRING files must be locked), size, "0000".
    """
    data = bytearray(WRITE_SPECIAL + b"$")
    for file in files:
        if isinstance(file, TextFile):
            data += file.label.encode("ascii") + b"AU" + b"%04X" % file.size + b"FFFF"
        else:
            data += file.label.encode("ascii") + b"BL" + b"%04X" % file.size + b"0000"
    return bytes(data)


@dataclass(frozen=True, slots=True)
class Command:
    code: bytes  # one byte: A, G, H, E …
    data: bytes


@dataclass(frozen=True, slots=True)
class Packet:
    type_code: bytes
    address: bytes
    commands: tuple[Command, ...]


def parse_packet(raw: bytes) -> Packet:
    """Parses one packet (leading NULs allowed, up to and including EOT); checks checksums."""
    start = raw.find(bytes([SOH]))
    if start < 0 or not raw.endswith(bytes([EOT])):
        raise AlphaFrameError("no SOH … EOT packet")
    body = raw[start + 1 : -1]
    if len(body) < 3:
        raise AlphaFrameError("packet header too short")
    type_code, address, rest = body[:1], body[1:3], body[3:]
    commands = []
    while rest:
        if rest[0] != STX:
            raise AlphaFrameError(f"expected STX, got 0x{rest[0]:02X}")
        end = rest.find(bytes([ETX]), 1)
        if end < 0:
            # Without a checksum a single command may run to EOT.
            command, rest = rest[1:], b""
        else:
            command = rest[1:end]
            given = rest[end + 1 : end + 5]
            if given != checksum(command):
                raise AlphaFrameError(f"checksum {given!r} != {checksum(command)!r}")
            rest = rest[end + 5 :]
        if not command:
            raise AlphaFrameError("empty command")
        commands.append(Command(command[:1], command[1:]))
    return Packet(type_code, address, tuple(commands))

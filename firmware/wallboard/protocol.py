"""The Pi ↔ wallboard link, shared by the firmware and `drivers.wallboard`: framing, CRC, messages.

Modelled on Klipper's MCU protocol: `<len><0x10|seq><payload><crc16 hi><crc16 lo><0x7E>`.
MicroPython-compatible: no dataclasses, no typing, annotations are never evaluated there.
"""

PROTOCOL_VERSION = 1

SYNC = 0x7E
SEQ_BIT = 0x10
SEQ_MASK = 0x0F
HEADER_BYTES = 2  # len, seq
TRAILER_BYTES = 3  # crc hi, crc lo, sync
MIN_FRAME = HEADER_BYTES + TRAILER_BYTES
MAX_FRAME = 128
MAX_PAYLOAD = MAX_FRAME - MIN_FRAME

# Message ids: the first payload byte. An empty payload is an ack.
MSG_HELLO = 0x01  # Pi → board: [version, no_data_after_s]; board → Pi: [version, width, height]
MSG_FIGURES = 0x02  # Pi → board: changed fields only
MSG_HEARTBEAT = 0x03  # Pi → board: "still here, nothing changed"
MSG_REPL = 0x04  # Pi → board: stop the firmware and go back to the REPL (before flashing)

# Figure fields. Each entry on the wire: [field id][alert level][value as VLQ];
# the ticker's value is the length of the UTF-8 text that follows it.
F_WAITING = 1
F_LONGEST_WAIT_S = 2
F_READY = 3
F_ON_CALL = 4
F_WRAP_UP = 5
F_PAUSED = 6
F_ANSWERED = 7
F_ABANDONED = 8
F_SERVICE_LEVEL = 9  # per mille, -1 = nothing to divide
F_ANSWER_RATE = 10  # per mille, -1 = nothing to divide
F_ASA_S = 11  # -1 = none yet
F_AHT_S = 12  # -1 = none yet
F_FAULTS = 13
F_CLOSED = 14
F_TICKER = 15
FIELD_COUNT = 16

LEVEL_NORMAL = 0
LEVEL_WARNING = 1
LEVEL_ALARM = 2

MAX_TICKER_BYTES = 96


def crc16(data: bytes | bytearray, crc: int = 0xFFFF) -> int:
    """CRC-16/MCRF4XX (reflected 0x1021, init 0xFFFF, no final xor), as Klipper uses."""
    for byte in data:
        byte ^= crc & 0xFF
        byte = (byte ^ (byte << 4)) & 0xFF
        crc = ((byte << 8) | (crc >> 8)) ^ (byte >> 4) ^ (byte << 3)
        crc &= 0xFFFF
    return crc


def encode_frame(seq: int, payload: bytes) -> bytes:
    if len(payload) > MAX_PAYLOAD:
        raise ValueError("payload too long for one frame")
    frame = bytearray()
    frame.append(len(payload) + MIN_FRAME)
    frame.append(SEQ_BIT | (seq & SEQ_MASK))
    frame.extend(payload)
    crc = crc16(frame)
    frame.append(crc >> 8)
    frame.append(crc & 0xFF)
    frame.append(SYNC)
    return bytes(frame)


class FrameReader:
    """Splits a byte stream into frames; skips garbage up to the next sync byte (as Klipper)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.crc_errors = 0
        self.garbage_bytes = 0

    def feed(self, data: bytes) -> list:
        """Returns [(seq, payload), …] for every good frame completed by `data`."""
        self._buffer.extend(data)
        frames = []
        while self._buffer:
            length = self._buffer[0]
            if length < MIN_FRAME or length > MAX_FRAME:
                self._resync()
                continue
            # Checking the sequence byte early keeps garbage from stalling the stream while
            # the reader waits for a frame length that was never meant as one.
            if len(self._buffer) >= 2 and (self._buffer[1] & ~SEQ_MASK) != SEQ_BIT:
                self._resync()
                continue
            if len(self._buffer) < length:
                break
            frame = self._buffer[:length]
            if frame[-1] != SYNC:
                self._resync()
                continue
            crc = crc16(frame[:-TRAILER_BYTES])
            if frame[-3] != crc >> 8 or frame[-2] != crc & 0xFF:
                self.crc_errors += 1
                self._resync()
                continue
            frames.append((frame[1] & SEQ_MASK, bytes(frame[HEADER_BYTES:-TRAILER_BYTES])))
            self._buffer = self._buffer[length:]
        return frames

    def _resync(self) -> None:
        # Drop through the next sync byte: a frame always starts right after one.
        index = self._buffer.find(bytes([SYNC]))
        dropped = len(self._buffer) if index < 0 else index + 1
        self.garbage_bytes += dropped
        self._buffer = self._buffer[dropped:]


def encode_vlq(value: int, out: bytearray) -> None:
    """Klipper's variable-length signed integer: 7 bits a byte, high bit = more follows."""
    if value >= 0xC000000 or value < -0x4000000:
        out.append(((value >> 28) & 0x7F) | 0x80)
    if value >= 0x180000 or value < -0x80000:
        out.append(((value >> 21) & 0x7F) | 0x80)
    if value >= 0x3000 or value < -0x1000:
        out.append(((value >> 14) & 0x7F) | 0x80)
    if value >= 0x60 or value < -0x20:
        out.append(((value >> 7) & 0x7F) | 0x80)
    out.append(value & 0x7F)


def decode_vlq(data: bytes, pos: int) -> tuple:
    """Returns (value, next position)."""
    byte = data[pos]
    pos += 1
    value = byte & 0x7F
    if (byte & 0x60) == 0x60:
        value |= -0x20
    while byte & 0x80:
        byte = data[pos]
        pos += 1
        value = (value << 7) | (byte & 0x7F)
    return value, pos


def encode_field(field: int, level: int, value: int | bytes) -> bytes:
    """One figures entry; `value` is an int, or UTF-8 bytes for the ticker."""
    out = bytearray()
    out.append(field)
    out.append(level)
    if isinstance(value, int):
        encode_vlq(value, out)
    else:
        encode_vlq(len(value), out)
        out.extend(value)
    return bytes(out)


def decode_figures(payload: bytes) -> list:
    """[(field, level, value), …] from a MSG_FIGURES payload (message id included)."""
    entries = []
    pos = 1
    while pos < len(payload):
        field = payload[pos]
        level = payload[pos + 1]
        value, pos = decode_vlq(payload, pos + 2)
        if field == F_TICKER:
            if value < 0 or pos + value > len(payload):
                # a negative length would step back and read the same entries for ever
                raise ValueError("ticker text runs past the frame")
            text = bytes(payload[pos : pos + value])
            pos += value
            entries.append((field, level, text))
        else:
            entries.append((field, level, value))
    if pos != len(payload):
        raise ValueError("figures entry runs past the frame")
    return entries


def hello_request(no_data_after_s: int) -> bytes:
    return bytes([MSG_HELLO, PROTOCOL_VERSION, min(255, max(1, no_data_after_s))])


def hello_reply(width: int, height: int) -> bytes:
    return bytes([MSG_HELLO, PROTOCOL_VERSION, width & 0xFF, height & 0xFF])

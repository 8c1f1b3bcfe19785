"""Pure parsers for what a V.253 voice modem sends: result-code lines, caller-ID lines, and the
byte stream of text, DLE-shielded events and audio. Bytes in, dataclasses out; no I/O."""

from __future__ import annotations

import enum
import logging
import re
from dataclasses import dataclass

from drivers.callerid import name_from_bytes, number_as_sent, withheld_kind
from drivers.roles import CallerId

wire_log = logging.getLogger("drivers.modem.wire")

DLE = 0x10
ETX = 0x03
SUB = 0x1A


class ResultCode(enum.Enum):
    OK = "OK"
    ERROR = "ERROR"
    RING = "RING"
    CONNECT = "CONNECT"
    VCON = "VCON"
    NO_CARRIER = "NO CARRIER"
    BUSY = "BUSY"
    NO_DIALTONE = "NO DIALTONE"
    NO_ANSWER = "NO ANSWER"


_RESULT_ALIASES = {
    "OK": ResultCode.OK,
    "ERROR": ResultCode.ERROR,
    "RING": ResultCode.RING,
    "CONNECT": ResultCode.CONNECT,
    "VCON": ResultCode.VCON,
    "NO CARRIER": ResultCode.NO_CARRIER,
    "BUSY": ResultCode.BUSY,
    "NO DIALTONE": ResultCode.NO_DIALTONE,
    "NO DIAL TONE": ResultCode.NO_DIALTONE,
    "NO ANSWER": ResultCode.NO_ANSWER,
}

# Result codes that end a command (the ones after which the modem waits for the next).
FINAL_RESULTS = frozenset(
    {
        ResultCode.OK,
        ResultCode.ERROR,
        ResultCode.CONNECT,
        ResultCode.VCON,
        ResultCode.NO_CARRIER,
        ResultCode.BUSY,
        ResultCode.NO_DIALTONE,
        ResultCode.NO_ANSWER,
    }
)


@dataclass(frozen=True, slots=True)
class ResultLine:
    code: ResultCode
    text: str  # the whole line, e.g. "CONNECT 9600"


@dataclass(frozen=True, slots=True)
class CallerIdField:
    """One caller-ID line: key is DATE, TIME, NMBR, NAME or MESG; the value as the line sent it
    (bytes: a name may be UTF-8 or GB 18030, decided when the call's caller ID is read)."""

    key: str
    value: bytes


@dataclass(frozen=True, slots=True)
class InfoLine:
    """Any other text: command responses (ATI, AT+VSM=?) and echoed commands."""

    text: str


Line = ResultLine | CallerIdField | InfoLine

_CALLER_ID_KEYS = {
    "DATE": "DATE",
    "TIME": "TIME",
    "NMBR": "NMBR",
    "NAME": "NAME",
    "MESG": "MESG",
    "DDN_NMBR": "NMBR",  # some Rockwell/Conexant firmwares
    "CALLER NUMBER": "NMBR",
    "CALLER NAME": "NAME",
}


def parse_line(raw: bytes) -> Line | None:
    """One line the modem sent (without CR/LF). None for an empty or unreadable line."""
    stripped = raw.strip()
    if not stripped:
        return None
    if any(byte < 0x20 or byte == 0x7F for byte in stripped):
        wire_log.debug("dropped line with control bytes: %r", raw)
        return None
    key, sep, value = stripped.partition(b"=")  # the first '=': NAME may contain '='
    if sep:
        canonical = _CALLER_ID_KEYS.get(key.decode("latin-1").strip().upper())
        if canonical is not None:
            return CallerIdField(canonical, value.strip())
    text = stripped.decode("latin-1")
    if any(0x80 <= ord(ch) < 0xA0 for ch in text):
        wire_log.debug("dropped line with control bytes: %r", raw)
        return None
    code = _RESULT_ALIASES.get(text.upper())
    if code is None and text.upper().startswith("CONNECT"):
        code = ResultCode.CONNECT
    if code is not None:
        return ResultLine(code, text)
    return InfoLine(text)


class CallerIdCollector:
    """Gathers the caller-ID lines of one call into a CallerId. Any field may be missing; a
    number of `P` means private, `O` unavailable; a number or name that is not what a line
    sends is dropped (drivers.callerid), never repaired."""

    def __init__(self) -> None:
        self.fields: dict[str, bytes] = {}

    def add(self, item: CallerIdField) -> None:
        self.fields[item.key] = item.value

    @property
    def has_number_or_reason(self) -> bool:
        return "NMBR" in self.fields or "NAME" in self.fields

    def caller(self, line: str) -> CallerId:
        """The caller ID of the call ringing on `line` (named in the log of a dropped value)."""
        number_field = self.fields.get("NMBR", b"").decode("latin-1")
        name_field = self.fields.get("NAME", b"")
        withheld = withheld_kind(number_field)
        number = "" if withheld else number_as_sent(number_field, line)
        name_withheld = withheld_kind(name_field.decode("latin-1"))
        if name_withheld:
            # US lines send the reason as the name too ("P", "O", "PRIVATE", "OUT OF AREA")
            if not number and not withheld:
                withheld = name_withheld
            name = ""
        else:
            name = name_from_bytes(name_field, line)
        return CallerId(number=number, name=name, withheld=withheld)


# ---------------------------------------------------------------------------------------------
# The byte stream: text lines, DLE events and (in a receive stream) audio


class DleCode(enum.Enum):
    """What a `DLE x` pair from the modem means (V.253 table 13 and the Conexant framing)."""

    DTMF = "dtmf"
    END_OF_STREAM = "etx"
    BUSY_TONE = "b"
    DIAL_TONE = "d"
    SILENCE = "s"
    QUIET = "q"
    LOOP_BREAK = "l"
    POLARITY_REVERSAL = "L"
    HANDSET_ON_HOOK = "h"
    HANDSET_OFF_HOOK = "H"
    EXTENSION_PICKUP = "P"
    RING = "R"
    UNDERRUN = "u"
    OVERRUN = "o"
    CALLING_TONE = "c"
    ANSWER_TONE = "a"
    FAX_TONE = "f"
    DATA_TONE = "e"
    RINGBACK = "r"


_DLE_LETTERS = {
    code.value: code for code in DleCode if code not in (DleCode.DTMF, DleCode.END_OF_STREAM)
}
_DTMF_KEYS = "0123456789*#ABCD"


@dataclass(frozen=True, slots=True)
class DleEvent:
    code: DleCode
    digit: str = ""  # for DTMF


@dataclass(frozen=True, slots=True)
class Audio:
    data: bytes


StreamItem = Line | DleEvent | Audio


class ModemStreamParser:
    """Splits what the modem sends into lines, DLE events and audio.

    In text mode (command state, and during playback, when the modem sends only events) bytes
    outside DLE pairs form CR/LF-terminated lines. In audio mode (after CONNECT to AT+VRX or
    AT+VTR) they are samples, `DLE DLE` is one 0x10 and `DLE SUB` two; `DLE ETX` ends the
    stream and returns to text mode. Conexant frames each key as `DLE / DLE 5 … DLE ~`: one
    DigitPressed per frame, however often the digit repeats inside it.
    """

    MAX_LINE_BYTES = 256

    def __init__(self) -> None:
        self.audio_mode = False
        self.audio_after_connect = False  # set before AT+VRX / AT+VTR
        self._line = bytearray()
        self._pending_dle = False
        self._frame_open = False
        self._frame_digit = ""
        self._skip_lf = False  # the LF of "CONNECT\r\n" is not audio
        self._discarding = False  # inside an over-long line: drop to its end

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def feed(self, data: bytes) -> list[StreamItem]:
        items: list[StreamItem] = []
        audio = bytearray()

        def flush_audio() -> None:
            if audio:
                items.append(Audio(bytes(audio)))
                audio.clear()

        for byte in data:
            if self._pending_dle:
                self._pending_dle = False
                if self.audio_mode and byte == DLE:
                    audio.append(DLE)
                elif self.audio_mode and byte == SUB:
                    audio += b"\x10\x10"
                else:
                    flush_audio()
                    event = self._dle(byte)
                    if event is not None:
                        items.append(event)
                continue
            if self._skip_lf:
                self._skip_lf = False
                if byte == 0x0A:
                    continue
            if byte == DLE:
                self._pending_dle = True
            elif self.audio_mode:
                audio.append(byte)
            elif byte in (0x0D, 0x0A):
                complete = self._line and not self._discarding
                line = parse_line(bytes(self._line)) if complete else None
                self._line.clear()
                self._discarding = False
                if line is not None:
                    items.append(line)
                    if (
                        isinstance(line, ResultLine)
                        and line.code is ResultCode.CONNECT
                        and self.audio_after_connect
                    ):
                        self.audio_after_connect = False
                        self.audio_mode = True
                        self._skip_lf = byte == 0x0D
            elif len(self._line) < self.MAX_LINE_BYTES:
                self._line.append(byte)
            elif not self._discarding:
                wire_log.debug("dropping over-long line: %r…", bytes(self._line[:40]))
                self._discarding = True
        flush_audio()
        return items

    def _dle(self, byte: int) -> DleEvent | None:
        ch = chr(byte)
        if byte == ETX:
            self.audio_mode = False
            return DleEvent(DleCode.END_OF_STREAM)
        if ch == "/":
            pending = self._close_frame()
            self._frame_open = True
            return pending
        if ch == "~":
            return self._close_frame()
        if ch in _DTMF_KEYS:
            if self._frame_open:
                self._frame_digit = self._frame_digit or ch
                return None
            return DleEvent(DleCode.DTMF, ch)
        code = _DLE_LETTERS.get(ch)
        if code is None:
            wire_log.debug("dropped unknown DLE code %r", bytes([DLE, byte]))
        return DleEvent(code) if code is not None else None

    def _close_frame(self) -> DleEvent | None:
        digit, self._frame_digit, self._frame_open = self._frame_digit, "", False
        return DleEvent(DleCode.DTMF, digit) if digit else None


# ---------------------------------------------------------------------------------------------
# AT+VSM=? answers


@dataclass(frozen=True, slots=True)
class CompressionMethod:
    id: int
    name: str
    bits: int


_VSM_ENTRY = re.compile(r'^\s*(\d+)\s*,\s*"([^"]*)"\s*(?:,\s*(\d+))?')


def parse_vsm_list(lines: list[str]) -> list[CompressionMethod]:
    """The compression methods of an `AT+VSM=?` answer, e.g. `128,"8-BIT LINEAR",(7200,8000)`
    or `1,"UNSIGNED PCM",8,0,(8000),(0),(0)`."""
    methods = []
    for line in lines:
        match = _VSM_ENTRY.match(line)
        if match:
            bits = int(match.group(3)) if match.group(3) else 8
            methods.append(CompressionMethod(int(match.group(1)), match.group(2).upper(), bits))
    return methods

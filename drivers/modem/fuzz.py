"""Invariants of the modem's parsers, each checked on one input, and random inputs for them
(real lines and DLE pairs mixed with garbage). The Hypothesis tests and the `depotline fuzz`
targets (drivers/fuzz_targets.py) run the same checks. The parsers have no error of their own:
whatever the modem sends, they must not raise."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from drivers.invariants import read_pieces, require
from drivers.modem import audio
from drivers.modem.protocol import (
    DLE,
    ETX,
    SUB,
    Audio,
    CallerIdCollector,
    CallerIdField,
    DleCode,
    DleEvent,
    ModemStreamParser,
    ResultCode,
    ResultLine,
    StreamItem,
    parse_line,
    parse_vsm_list,
)

CALLER_ID_KEYS = ("DATE", "TIME", "NMBR", "NAME", "MESG", "DDN_NMBR", "CALLER NUMBER", "XYZ")
RESULT_TEXTS = ("OK", "ERROR", "RING", "CONNECT", "VCON", "NO CARRIER", "BUSY", "NO DIALTONE",
                "NO DIAL TONE", "NO ANSWER")  # fmt: skip
_NUMBER = re.compile(r"\+?[0-9]{1,15}")
_SEPARATORS = re.compile(r"[\s\-.()]")


def check_caller_id_lines(lines: Sequence[bytes]) -> None:
    """Caller-ID lines as a modem sends them, one call's block: parsing never raises, values
    carry no control bytes, and the caller ID is the number as sent (separators aside) or none,
    a name that decodes as UTF-8 (else GB 18030) or none, and one withheld kind or none."""
    collector = CallerIdCollector()
    for raw in lines:
        item = parse_line(raw)
        if isinstance(item, CallerIdField):
            require(not any(b < 0x20 or b == 0x7F for b in item.value), "no control bytes", raw)
            collector.add(item)
    caller = collector.caller("fuzz")
    sent = collector.fields.get("NMBR", b"").decode("latin-1")
    require(caller.withheld in ("", "private", "unavailable"), "a known withheld kind", lines)
    if caller.number:
        require(_NUMBER.fullmatch(caller.number) is not None, "an E.164 number", lines)
        require(caller.number == _SEPARATORS.sub("", sent), "the number as sent", lines)
        require(not caller.withheld, "a number or a withheld kind, not both", lines)
    if caller.name:
        require(caller.name == _decoded_name(collector.fields["NAME"]), "the name as sent", lines)
        require(len(caller.name) <= 40 and caller.name.isprintable(), "a printable name", lines)


def _decoded_name(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding).strip()[:40]
        except UnicodeDecodeError:
            continue
    return ""


def check_result_line(raw: bytes) -> None:
    """One line in command state: never raises; a result code in any case and spacing is read
    as that code, with its text as sent."""
    line = parse_line(raw)
    text = raw.strip().decode("latin-1")
    known = text.upper().replace("DIAL TONE", "DIALTONE")
    if known in {code.value for code in ResultCode} and not re.search(
        r"[\x00-\x1f\x7f-\x9f]", text
    ):
        require(isinstance(line, ResultLine) and line.code.value == known, "the result code", raw)
    if isinstance(line, ResultLine):
        require(line.text == text, "the result line's text as sent", raw)
    parse_vsm_list([text])


def check_stream(data: bytes, cuts: Sequence[int], audio_mode: bool = False) -> None:
    """Whatever bytes come, in whatever pieces: the parser never raises, and the pieces give
    the same lines, events and audio as the whole."""
    require(_merged(_feed(data, [], audio_mode)) == _merged(_feed(data, cuts, audio_mode)),
            "the same items whatever the read boundaries", (data, list(cuts)))  # fmt: skip


def check_dle_audio(samples: bytes, pairs_as_sub: Sequence[bool], cuts: Sequence[int]) -> None:
    """A receive stream: audio with 0x10 shielded (`DLE DLE`, or `DLE SUB` for two), then
    `DLE ETX`. Unshielding loses and invents no byte, and the stream ends once. The host's
    own shielding (audio.dle_shield) reads back the same way."""
    for stream in (_shield(samples, pairs_as_sub), audio.dle_shield(samples)):
        items = _feed(stream + bytes([DLE, ETX]), cuts, True)
        got = b"".join(item.data for item in items if isinstance(item, Audio))
        require(got == samples, "every audio byte once, none invented", (samples, stream))
        ends = [item for item in items if not isinstance(item, Audio)]
        require(ends == [DleEvent(DleCode.END_OF_STREAM)], "one end of stream", (samples, ends))


def _shield(samples: bytes, pairs_as_sub: Sequence[bool]) -> bytes:
    out = bytearray()
    i = use = 0
    while i < len(samples):
        if samples[i] != DLE:
            out.append(samples[i])
            i += 1
            continue
        pair = samples[i : i + 2] == b"\x10\x10"
        if pair and pairs_as_sub and pairs_as_sub[use % len(pairs_as_sub)]:
            out += bytes([DLE, SUB])
            i += 2
        else:
            out += bytes([DLE, DLE])
            i += 1
        use += 1
    return bytes(out)


def _feed(data: bytes, cuts: Sequence[int], audio_mode: bool) -> list[StreamItem]:
    parser = ModemStreamParser()
    parser.audio_mode = audio_mode
    return [item for piece in read_pieces(data, cuts) for item in parser.feed(piece)]


def _merged(items: list[StreamItem]) -> list[StreamItem]:
    """Adjacent audio pieces as one (a read boundary splits audio, and nothing else)."""
    merged: list[StreamItem] = []
    for item in items:
        if isinstance(item, Audio) and merged and isinstance(merged[-1], Audio):
            merged[-1] = Audio(merged[-1].data + item.data)
        else:
            merged.append(item)
    return merged


# ---------------------------------------------------------------------------------------------
# random inputs: real pieces, broken pieces and noise


def random_caller_id_value(rng: random.Random) -> bytes:
    choice = rng.randrange(8)
    if choice == 0:
        return "".join(rng.choice("0123456789") for _ in range(rng.randrange(25))).encode()
    if choice == 1:
        return rng.choice([b"P", b"O", b"PRIVATE", b"OUT OF AREA", b"p", b" O "])
    if choice == 2:
        return rng.choice(["+44 20 7946 0000", "(555) 123-4567", "555ABC123", "12*34#"]).encode()
    if choice == 3:
        name = "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(rng.randrange(1, 50)))
        return name.encode(rng.choice(["utf-8", "gb18030"]))
    if choice == 4:
        return bytes(rng.randrange(0x20, 0x7F) for _ in range(rng.randrange(60)))
    return rng.randbytes(rng.randrange(30))


def random_caller_id_lines(rng: random.Random) -> list[bytes]:
    return [
        rng.choice(CALLER_ID_KEYS).encode() + rng.choice([b"=", b" = ", b"=="])
        + random_caller_id_value(rng)
        for _ in range(rng.randrange(1, 7))
    ]  # fmt: skip


def random_result_line(rng: random.Random) -> bytes:
    text = rng.choice(RESULT_TEXTS)
    text = "".join(ch.lower() if rng.random() < 0.3 else ch for ch in text)
    if text.upper() == "CONNECT" and rng.random() < 0.5:
        text += " " + str(rng.choice([9600, 33600, 115200]))
    pad = rng.choice([b"", b" ", b"\t", b"  "])
    line = pad + text.encode() + pad
    return line if rng.random() < 0.8 else line + rng.randbytes(rng.randrange(4))


def random_stream(rng: random.Random) -> bytes:
    pieces = []
    for _ in range(rng.randrange(1, 30)):
        kind = rng.randrange(6)
        if kind == 0:
            pieces.append(random_result_line(rng) + b"\r\n")
        elif kind == 1:
            pieces += [line + b"\r\n" for line in random_caller_id_lines(rng)]
        elif kind == 2:
            pieces.append(
                bytes([DLE, rng.choice(b"0123456789*#ABCDbdslLhHPRuoceafr/~\x03\x10\x1a")])
            )
        elif kind == 3:
            pieces.append(b"\x10/" + b"\x10" + bytes([rng.choice(b"0123456789*#")]) * 3 + b"\x10~")
        elif kind == 4:
            pieces.append(rng.randbytes(rng.randrange(1, 300)))
        else:
            pieces.append(bytes([rng.randrange(256)]) * rng.randrange(1, 400))
    return b"".join(pieces)


def random_cuts(rng: random.Random, size: int) -> list[int]:
    return [rng.randrange(size + 1) for _ in range(rng.randrange(8))]


def random_audio(rng: random.Random) -> bytes:
    """Audio with more 0x10 than chance gives: runs of them are where unshielding goes wrong."""
    alphabet = [DLE, DLE, ETX, SUB, 0x80, rng.randrange(256)]
    return bytes(rng.choice(alphabet) for _ in range(rng.randrange(400)))

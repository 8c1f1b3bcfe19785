"""Pure parsers and audio conversion of the modem driver, on byte samples of real devices."""

from __future__ import annotations

import array
import logging
import struct
from pathlib import Path

import pytest

from drivers.modem import audio
from drivers.modem.audio import SampleFormat
from drivers.modem.dialects import Dialect, choose_sample_format, detect_dialect
from drivers.modem.protocol import (
    Audio,
    CallerIdCollector,
    CallerIdField,
    DleCode,
    DleEvent,
    InfoLine,
    ModemStreamParser,
    ResultCode,
    ResultLine,
    parse_line,
    parse_vsm_list,
)
from drivers.roles import CallerId


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"OK", ResultLine(ResultCode.OK, "OK")),
        (b"  RING ", ResultLine(ResultCode.RING, "RING")),
        (b"CONNECT 9600", ResultLine(ResultCode.CONNECT, "CONNECT 9600")),
        (b"NO DIAL TONE", ResultLine(ResultCode.NO_DIALTONE, "NO DIAL TONE")),
        (b"NO DIALTONE", ResultLine(ResultCode.NO_DIALTONE, "NO DIALTONE")),
        (b"VCON", ResultLine(ResultCode.VCON, "VCON")),
        (b"DATE=1203", CallerIdField("DATE", b"1203")),
        (b"DATE = 0321", CallerIdField("DATE", b"0321")),
        (b"NMBR = 5551234567", CallerIdField("NMBR", b"5551234567")),
        (b"NAME=A=B CO", CallerIdField("NAME", b"A=B CO")),
        (b"DDN_NMBR=5550000", CallerIdField("NMBR", b"5550000")),
        (b"MESG=030811", CallerIdField("MESG", b"030811")),
        (b"U.S. Robotics 56K FAX USB V1.2.23", InfoLine("U.S. Robotics 56K FAX USB V1.2.23")),
        (b"XYZ=1", InfoLine("XYZ=1")),
        (b"", None),
        (b"NMBR=12\x0034", None),
        (b"\x81\x82", None),
    ],
)
def test_parse_line_sample(raw: bytes, expected: object) -> None:
    assert parse_line(raw) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"NMBR": b"0151234567", "NAME": b"JOHN SMITH"}, CallerId("0151234567", "JOHN SMITH")),
        ({"NMBR": b"P"}, CallerId("", "", "private")),
        ({"NMBR": b"O", "NAME": b"O"}, CallerId("", "", "unavailable")),
        ({"NAME": b"P"}, CallerId("", "", "private")),
        ({"NMBR": b"O", "NAME": b"OUT OF AREA"}, CallerId("", "", "unavailable")),
        ({"NMBR": b"(555) 123-4567"}, CallerId("5551234567", "")),
        ({"NMBR": b"+44 20 7946 0000", "NAME": b"x" * 80}, CallerId("+442079460000", "x" * 40)),
        ({"DATE": b"1203", "TIME": b"1015"}, CallerId()),
        ({"NMBR": b"555ABC123"}, CallerId()),
        ({"NMBR": b"1" * 40}, CallerId()),
        ({"NMBR": b"+" + b"9" * 15}, CallerId("+" + "9" * 15)),
        ({"NMBR": b"9" * 16}, CallerId()),
        ({"NMBR": b"12*34#"}, CallerId()),
        ({"NMBR": b"555\xff1234"}, CallerId()),
        ({"NAME": "张三物流".encode()}, CallerId("", "张三物流")),
        ({"NAME": "张三物流".encode("gb18030")}, CallerId("", "张三物流")),
        ({"NAME": b"\xff\xfe\xc3(BAD"}, CallerId()),
        ({"NAME": "Café".encode("latin-1")}, CallerId()),
    ],
)
def test_caller_id_collector_sample(fields: dict[str, bytes], expected: CallerId) -> None:
    collector = CallerIdCollector()
    for key, value in fields.items():
        collector.add(CallerIdField(key, value))
    assert collector.caller("fxo0") == expected


def test_caller_id_collector_dropped_number_is_logged_with_line_and_raw_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    collector = CallerIdCollector()
    collector.add(CallerIdField("NMBR", b"555ABC123"))
    with caplog.at_level(logging.WARNING, logger="drivers.callerid"):
        assert collector.caller("fxo3").number == ""
    assert "line fxo3" in caplog.text
    assert "555ABC123" in caplog.text


def test_parse_line_keeps_caller_id_value_bytes_for_utf8_names() -> None:
    # UTF-8 continuation bytes 0x80-0x9F are not C1 control characters in a caller-ID value
    raw = "NAME=张三".encode()
    assert parse_line(raw) == CallerIdField("NAME", "张三".encode())


def test_stream_parser_plain_dtmf_and_hang_up_codes() -> None:
    parser = ModemStreamParser()
    items = parser.feed(b"\x105\x10#\x10b\x10d\x10l\x10L\x10s\x10q")
    assert items == [
        DleEvent(DleCode.DTMF, "5"),
        DleEvent(DleCode.DTMF, "#"),
        DleEvent(DleCode.BUSY_TONE),
        DleEvent(DleCode.DIAL_TONE),
        DleEvent(DleCode.LOOP_BREAK),
        DleEvent(DleCode.POLARITY_REVERSAL),
        DleEvent(DleCode.SILENCE),
        DleEvent(DleCode.QUIET),
    ]


def test_stream_parser_conexant_frame_is_one_key_however_often_repeated() -> None:
    parser = ModemStreamParser()
    stream = b"\x10/\x105\x105\x105\x10~\x10/\x105\x105\x10~\x10/\x10*\x10~"
    assert parser.feed(stream) == [
        DleEvent(DleCode.DTMF, "5"),
        DleEvent(DleCode.DTMF, "5"),
        DleEvent(DleCode.DTMF, "*"),
    ]


def test_stream_parser_conexant_frame_without_close_is_ended_by_the_next() -> None:
    parser = ModemStreamParser()
    assert parser.feed(b"\x10/\x101\x10/\x102\x10~") == [
        DleEvent(DleCode.DTMF, "1"),
        DleEvent(DleCode.DTMF, "2"),
    ]


def test_stream_parser_same_events_whatever_the_read_boundaries() -> None:
    stream = (
        b"\r\nRING\r\n\r\nDATE = 0321\r\nNMBR = 5551234\r\n\r\nRING\r\nOK\r\n"
        b"\x10/\x107\x107\x10~\x10b"
    )
    whole = ModemStreamParser().feed(stream)
    for size in (1, 2, 3, 7):
        parser = ModemStreamParser()
        pieces = []
        for i in range(0, len(stream), size):
            pieces += parser.feed(stream[i : i + size])
        assert pieces == whole
    assert whole[0] == ResultLine(ResultCode.RING, "RING")
    assert whole[-2:] == [DleEvent(DleCode.DTMF, "7"), DleEvent(DleCode.BUSY_TONE)]


def test_stream_parser_audio_after_connect_unshields_dle_until_etx() -> None:
    parser = ModemStreamParser()
    parser.audio_after_connect = True
    stream = b"\r\nCONNECT\r\n\x80\x81\x10\x10\x82\x10\x1a\x83\x103\x84\x10\x03\r\nOK\r\n"
    items = parser.feed(stream)
    assert items == [
        ResultLine(ResultCode.CONNECT, "CONNECT"),
        Audio(b"\x80\x81\x10\x82\x10\x10\x83"),
        DleEvent(DleCode.DTMF, "3"),
        Audio(b"\x84"),
        DleEvent(DleCode.END_OF_STREAM),
        ResultLine(ResultCode.OK, "OK"),
    ]
    assert not parser.audio_mode


def test_stream_parser_drops_garbage_and_keeps_going() -> None:
    parser = ModemStreamParser()
    items = parser.feed(b"\x00\xff\x10Z\x10\xfe" + b"x" * 1000 + b"\r\nOK\r\nNMBR=\x01\r\nRING\r\n")
    assert items == [ResultLine(ResultCode.OK, "OK"), ResultLine(ResultCode.RING, "RING")]


def test_parse_vsm_list_usr_and_conexant_answers() -> None:
    usr = parse_vsm_list(['0,"SIGNED PCM",8,0,(8000),(0),(0)', '128,"8-BIT LINEAR",(7200,8000)'])
    assert [(m.id, m.name, m.bits) for m in usr] == [(0, "SIGNED PCM", 8), (128, "8-BIT LINEAR", 8)]
    assert choose_sample_format(Dialect.USR, usr) == ("128,8000", SampleFormat.UNSIGNED_LINEAR)
    ulaw_only = parse_vsm_list(['4,"G711U",8,0,(8000),(0),(0)', '140,"ADPCM",4,0,(8000)'])
    assert choose_sample_format(Dialect.GENERIC, ulaw_only) == ("4,8000,0,0", SampleFormat.ULAW)
    alaw_only = parse_vsm_list(['5,"G.711A",8,0,(8000),(0),(0)'])
    assert choose_sample_format(Dialect.GENERIC, alaw_only)[1] is SampleFormat.ALAW


@pytest.mark.parametrize(
    ("identity", "vsm", "dialect"),
    [
        ("5601 U.S. Robotics 56K FAX USB V1.2.23", [], Dialect.USR),
        ("", ['128,"8-BIT LINEAR",8,0,(8000)'], Dialect.USR),
        ("56000 CX93001-EIS_V0.2002-V92", ['1,"UNSIGNED PCM",8,0,(8000)'], Dialect.CONEXANT),
        ("LT V.92 1.0 MT5634ZBA", ['1,"UNSIGNED PCM",8,0,(8000)'], Dialect.GENERIC),
    ],
)
def test_detect_dialect_from_ati_and_vsm(identity: str, vsm: list[str], dialect: Dialect) -> None:
    assert detect_dialect(identity, parse_vsm_list(vsm)) is dialect


def test_g711_matches_reference_values() -> None:
    assert audio.encode([0, 32767, -32768, 1000, -1000], SampleFormat.ULAW) == bytes(
        [0xFF, 0x80, 0x00, 0xCE, 0x4E]
    )
    assert audio.encode([0, 32767, -32768], SampleFormat.ALAW) == bytes([0xD5, 0xAA, 0x2A])
    assert list(audio.decode(bytes([0xFF, 0x7F, 0x80, 0x00]), SampleFormat.ULAW)) == [
        0,
        0,
        32124,
        -32124,
    ]
    for fmt in SampleFormat:
        samples = [0, 100, -100, 5000, -5000, 20000, -20000]
        back = audio.decode(audio.encode(samples, fmt), fmt)
        assert all(abs(a - b) <= max(256, abs(a) // 16) for a, b in zip(samples, back, strict=True))
        assert audio.encode([0], fmt) == bytes([fmt.silence])


def test_dle_shield_doubles_every_dle() -> None:
    assert audio.dle_shield(b"\x01\x10\x02\x10\x10") == b"\x01\x10\x10\x02\x10\x10\x10\x10"


def test_read_wav_downmixes_and_resamples_a_recorded_prompt(tmp_path: Path) -> None:
    path = tmp_path / "rec.wav"
    frames = array.array("h", [8000, -8000] * 16000)  # 1 s of 16 kHz stereo
    fmt = struct.pack("<HHIIHH", 1, 2, 16000, 64000, 4, 16)
    body = frames.tobytes()
    path.write_bytes(
        b"RIFF" + struct.pack("<I", 36 + len(body)) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
        + b"data" + struct.pack("<I", len(body)) + body
    )  # fmt: skip
    samples = audio.read_wav(path)
    assert len(samples) == 8000
    assert max(abs(s) for s in samples) == 0  # left and right cancel out


def test_read_wav_refuses_what_it_cannot_play(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav file at all")
    with pytest.raises(audio.ModemAudioError, match="not a WAV"):
        audio.read_wav(bad)
    with pytest.raises(audio.ModemAudioError, match="cannot read"):
        audio.read_wav(tmp_path / "missing.wav")


def test_ulaw_wav_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "u.wav"
    audio.write_ulaw_wav(path, [0, 1000, -1000, 30000])
    assert list(audio.read_wav(path)) == list(
        audio.decode(audio.encode([0, 1000, -1000, 30000], SampleFormat.ULAW), SampleFormat.ULAW)
    )

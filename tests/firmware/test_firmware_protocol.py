"""The link's framing, CRC and message encoding (firmware/wallboard/protocol.py)."""

import pytest

from firmware.wallboard import protocol as p


def test_crc16_mcrf4xx_check_value_of_123456789_is_6f91() -> None:
    assert p.crc16(b"123456789") == 0x6F91


def test_frame_layout_is_len_seq_payload_crc_sync() -> None:
    frame = p.encode_frame(3, b"\x02ab")
    assert frame[0] == len(frame) == 3 + 5
    assert frame[1] == 0x13
    assert frame[2:5] == b"\x02ab"
    crc = p.crc16(frame[:5])
    assert frame[5:7] == bytes([crc >> 8, crc & 0xFF])
    assert frame[-1] == 0x7E


def test_empty_frame_is_an_ack_of_five_bytes() -> None:
    assert len(p.encode_frame(9, b"")) == 5
    assert p.FrameReader().feed(p.encode_frame(9, b"")) == [(9, b"")]


def test_reader_reassembles_frames_split_anywhere() -> None:
    stream = p.encode_frame(1, b"\x03") + p.encode_frame(2, b"\x02xyz")
    for cut in range(len(stream) + 1):
        reader = p.FrameReader()
        assert reader.feed(stream[:cut]) + reader.feed(stream[cut:]) == [
            (1, b"\x03"),
            (2, b"\x02xyz"),
        ]


def test_reader_drops_a_frame_with_a_bad_crc_and_keeps_the_next() -> None:
    bad = bytearray(p.encode_frame(1, b"\x02abc"))
    bad[3] ^= 0x01
    reader = p.FrameReader()
    assert reader.feed(bytes(bad) + p.encode_frame(2, b"\x03")) == [(2, b"\x03")]
    assert reader.crc_errors == 1


def test_reader_skips_garbage_up_to_a_sync_byte() -> None:
    reader = p.FrameReader()
    garbage = b"\x00\xff hello \x7e"
    assert reader.feed(garbage + p.encode_frame(4, b"\x03")) == [(4, b"\x03")]
    assert reader.garbage_bytes >= 1


@pytest.mark.parametrize("value", [0, 1, -1, 95, 96, -32, -33, 4000, -5000, 100_000, 2**31 - 1])
def test_vlq_round_trips(value: int) -> None:
    out = bytearray()
    p.encode_vlq(value, out)
    assert p.decode_vlq(bytes(out), 0) == (value, len(out))


def test_small_numbers_take_one_byte_on_the_wire() -> None:
    out = bytearray()
    p.encode_vlq(42, out)
    assert len(out) == 1


def test_figures_payload_round_trips_numbers_levels_and_ticker() -> None:
    payload = (
        bytes([p.MSG_FIGURES])
        + p.encode_field(p.F_WAITING, p.LEVEL_ALARM, 7)
        + p.encode_field(p.F_SERVICE_LEVEL, p.LEVEL_NORMAL, -1)
        + p.encode_field(p.F_TICKER, p.LEVEL_NORMAL, "暴雨 heavy rain".encode())
    )
    assert p.decode_figures(payload) == [
        (p.F_WAITING, p.LEVEL_ALARM, 7),
        (p.F_SERVICE_LEVEL, p.LEVEL_NORMAL, -1),
        (p.F_TICKER, p.LEVEL_NORMAL, "暴雨 heavy rain".encode()),
    ]


def test_truncated_figures_payload_is_refused() -> None:
    payload = bytes([p.MSG_FIGURES]) + p.encode_field(p.F_TICKER, 0, b"abcdef")
    with pytest.raises((ValueError, IndexError)):
        p.decode_figures(payload[:-2])

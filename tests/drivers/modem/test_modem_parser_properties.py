"""Property-based tests (Hypothesis) of the modem's parsers: whatever a modem or the line sends,
they never raise, caller ID is kept as sent or dropped, read boundaries change nothing, and DLE
unshielding loses and invents no byte. The checks are drivers/modem/fuzz.py's, which
`depotline fuzz` runs for longer."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.modem import fuzz
from drivers.modem.protocol import DLE, ETX, SUB

PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

_CJK = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=45)
caller_id_values = st.one_of(
    st.from_regex(r"\+?[0-9 ()\-.]{0,30}", fullmatch=True).map(str.encode),
    st.sampled_from([b"P", b"O", b"PRIVATE", b"OUT OF AREA", b"555ABC123", b"1" * 40]),
    _CJK.map(str.encode),
    _CJK.map(lambda text: text.encode("gb18030")),
    st.binary(max_size=40),
)
caller_id_lines = st.lists(
    st.builds(
        lambda key, sep, value: key.encode() + sep + value,
        st.sampled_from(fuzz.CALLER_ID_KEYS),
        st.sampled_from([b"=", b" = ", b"=="]),
        caller_id_values,
    ),
    min_size=1,
    max_size=8,
)
_REAL_PIECES = [b"RING\r\n", b"OK\r\n", b"CONNECT\r\n", b"\r\n", b"NMBR = 5551234\r\n",
                b"\x10/\x105", b"\x10~", b"\x10b", b"\x10s", b"\x10\x03", b"\x10\x10",
                b"\x10\x1a", b"\x10"]  # fmt: skip
stream_pieces = st.one_of(
    st.sampled_from(_REAL_PIECES),
    st.binary(max_size=40),
    st.binary(min_size=1, max_size=1).map(lambda byte: byte * 300),
)
cuts = st.lists(st.integers(min_value=0, max_value=3000), max_size=8)


@PROPERTY
@given(caller_id_lines)
def test_caller_id_lines_any_bytes_kept_as_sent_or_dropped(lines: list[bytes]) -> None:
    fuzz.check_caller_id_lines(lines)


@PROPERTY
@given(st.sampled_from(fuzz.RESULT_TEXTS), st.binary(max_size=6))
def test_result_line_in_any_case_and_spacing_reads_as_its_code(text: str, tail: bytes) -> None:
    cased = "".join(ch.lower() if i % 2 else ch for i, ch in enumerate(text))
    for line in (text.encode(), b"  " + cased.encode() + b"\t", text.encode() + tail):
        fuzz.check_result_line(line)


@PROPERTY
@given(st.binary(max_size=80))
def test_result_line_any_bytes_never_raise(raw: bytes) -> None:
    fuzz.check_result_line(raw)


@PROPERTY
@given(st.lists(stream_pieces, max_size=30).map(b"".join), cuts, st.booleans())
def test_modem_stream_any_bytes_same_items_whatever_the_read_boundaries(
    data: bytes, boundaries: list[int], audio_mode: bool
) -> None:
    fuzz.check_stream(data, boundaries, audio_mode)


@PROPERTY
@given(
    st.lists(st.sampled_from([DLE, DLE, ETX, SUB, 0x80, 0x00, 0xFF]) | st.integers(0, 255)).map(
        bytes
    ),
    st.lists(st.booleans(), max_size=4),
    cuts,
)
def test_dle_audio_unshielding_loses_and_invents_no_byte(
    samples: bytes, pairs_as_sub: list[bool], boundaries: list[int]
) -> None:
    fuzz.check_dle_audio(samples, pairs_as_sub, boundaries)

"""Property-based tests (Hypothesis) of the wallboard link's wire format as the Pi reads it:
frames round-trip whatever the read boundaries, the reader is back in step after line noise,
HostLink takes anything a board sends, and figures payloads decode or are refused. The checks
are drivers/wallboard/fuzz.py's, which `depotline fuzz` runs for longer."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.wallboard import fuzz
from firmware.wallboard import protocol as p

PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

frames = st.lists(
    st.tuples(st.integers(0, 255), st.binary(max_size=p.MAX_PAYLOAD)), min_size=1, max_size=6
)
cuts = st.lists(st.integers(min_value=0, max_value=1000), max_size=8)
number_fields = st.sampled_from([f for f in range(p.FIELD_COUNT) if f != p.F_TICKER])
entries = st.lists(
    st.one_of(
        st.tuples(number_fields, st.integers(0, 2), st.integers(-(2**31), 2**31 - 1)),
        st.tuples(st.just(p.F_TICKER), st.integers(0, 2), st.binary(max_size=p.MAX_TICKER_BYTES)),
    ),
    max_size=10,
)


@PROPERTY
@given(frames, cuts)
def test_link_frames_round_trip_whatever_the_read_boundaries(
    sent: list[tuple[int, bytes]], boundaries: list[int]
) -> None:
    fuzz.check_frames_round_trip(sent, boundaries)


@PROPERTY
@given(st.binary(max_size=300), frames)
def test_link_reader_is_back_in_step_after_line_noise(
    garbage: bytes, sent: list[tuple[int, bytes]]
) -> None:
    fuzz.check_frames_after_garbage(garbage, sent)


@PROPERTY
@given(st.binary(max_size=400), cuts)
def test_host_link_takes_any_bytes_from_the_board(data: bytes, boundaries: list[int]) -> None:
    fuzz.check_host_link_input(data, boundaries)


@PROPERTY
@given(entries)
def test_figures_payload_round_trips(sent: list[tuple[int, int, int | bytes]]) -> None:
    fuzz.check_figures_round_trip(sent)


@PROPERTY
@given(st.binary(max_size=40).map(lambda tail: bytes([p.MSG_FIGURES]) + tail))
def test_figures_payload_any_bytes_decode_or_are_refused(payload: bytes) -> None:
    fuzz.check_figures_payload(payload)


@pytest.mark.timeout(10)
def test_figures_payload_with_negative_ticker_length_is_refused_not_read_for_ever() -> None:
    # found by the fuzz target: a ticker length of -6 steps back to the first entry and decodes
    # the same entries for ever, hanging whoever reads it (the board's firmware)
    payload = bytes([p.MSG_FIGURES, p.F_WAITING, 0, 2, p.F_TICKER, 0, 0x7A])
    with pytest.raises(ValueError):
        p.decode_figures(payload)

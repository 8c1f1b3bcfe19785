"""The SIP benchmark's reading of sipp's message traces (-trace_msg): one INVITE time per call,
however often the INVITE was sent again, so each caller's INVITE is paired with its agent's."""

from __future__ import annotations

from pathlib import Path

from drivers.sip.bench import invite_times

# as sipp 3.6 writes them (a message sent again after 500 ms keeps its Call-ID)
TRACE_ENTRY = """----------------------------------------------- 2026-12-07 13:17:{second}
UDP message {direction} (511 bytes):

INVITE sip:service@127.0.0.1:15094 SIP/2.0\r
Via: SIP/2.0/UDP 127.0.0.1:15093;branch=z9hG4bK-2394-{call}-0\r
From: sipp <sip:sipp@127.0.0.1:15093>;tag=2394SIPpTag00{call}\r
To: service <sip:service@127.0.0.1:15094>\r
Call-ID: {call}-2394@127.0.0.1\r
CSeq: 1 INVITE\r
Content-Length: 0\r
\r

"""
RESPONSE_ENTRY = """----------------------------------------------- 2026-12-07 13:17:{second}
UDP message received [309] bytes :

SIP/2.0 180 Ringing\r
Call-ID: {call}-2394@127.0.0.1\r
CSeq: 1 INVITE\r
\r

"""


def test_bench_trace_invite_sent_again_counts_once_for_its_call(tmp_path: Path) -> None:
    trace = tmp_path / "caller.log"
    trace.write_text(
        TRACE_ENTRY.format(second="32.000000", direction="sent", call=1)
        + TRACE_ENTRY.format(second="32.500000", direction="sent", call=1)  # sent again
        + TRACE_ENTRY.format(second="32.600000", direction="sent", call=2)
        + RESPONSE_ENTRY.format(second="32.601000", call=2)
        + TRACE_ENTRY.format(second="33.500000", direction="sent", call=1)  # and again
    )
    first, second = invite_times(trace, "sent")
    assert round(second - first, 6) == 0.6  # call 2 came 600 ms after call 1's first INVITE


def test_bench_trace_reads_only_the_direction_asked(tmp_path: Path) -> None:
    trace = tmp_path / "agent.log"
    trace.write_text(
        TRACE_ENTRY.format(second="40.000000", direction="received", call=1)
        + TRACE_ENTRY.format(second="40.010000", direction="sent", call=2)
        + TRACE_ENTRY.format(second="40.020000", direction="received", call=3)
    )
    times = invite_times(trace, "received")
    assert [round(t - times[0], 6) for t in times] == [0.0, 0.02]

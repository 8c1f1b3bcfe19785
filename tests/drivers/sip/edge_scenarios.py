"""Malformed requests at the box's SIP edge, sent as raw UDP from a configured gateway's
address: each must be refused (400 or 413) with a log line naming the source, never answered
200 and never become a call. Run through sip_scenarios.py (`python sip_scenarios.py NAME`)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import random
import re
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sip_scenarios import BOX, BOX_PORT, GATEWAY, Rig

from drivers.roles import LineInService
from drivers.sip import SipGateway
from drivers.sip.edge_fuzz import check_answers, random_request
from drivers.sip.edge_fuzz_run import EdgeRig, check_after_burst

SOURCE_PORT = 5071
GW1 = SipGateway(id="gw1", host=GATEWAY, port=5060, channels=2, options_interval_s=0)
SDP = (
    f"v=0\r\no=gw 1 1 IN IP4 {GATEWAY}\r\ns=-\r\nc=IN IP4 {GATEWAY}\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"
)


def invite(
    n: int,
    *,
    cseq: str = "INVITE",
    length_extra: int = 0,
    padding: int = 0,
    max_forwards: str = "70",
) -> bytes:
    headers = [
        f"INVITE sip:depot@{BOX}:{BOX_PORT} SIP/2.0",
        f"Via: SIP/2.0/UDP {GATEWAY}:{SOURCE_PORT};branch=z9hG4bK-edge{n}",
        f"From: <sip:1380013800{n}@{GATEWAY}>;tag=edge{n}",
        f"To: <sip:depot@{BOX}>",
        f"Call-ID: edge-{n}@{GATEWAY}",
        f"CSeq: 1 {cseq}",
        f"Contact: <sip:caller@{GATEWAY}:{SOURCE_PORT}>",
        f"Max-Forwards: {max_forwards}",
        "Content-Type: application/sdp",
        f"Content-Length: {len(SDP) + length_extra}",
    ]
    if padding:
        headers.append("X-Padding: " + "a" * padding)
    return ("\r\n".join(headers) + "\r\n\r\n" + SDP).encode()


MALFORMED: dict[str, bytes] = {
    "content_length_500_too_long": invite(1, length_extra=500),
    # the headers end at a line's end, but the blank line and the body never come
    "cut_off_before_blank_line": invite(2).split(b"\r\n\r\n")[0] + b"\r\n",
    "cut_off_in_a_header": invite(6).split(b"\r\n\r\n")[0][:-40],
    "max_forwards_not_a_number": invite(7, max_forwards="seventy"),
    "headers_9_kb": invite(3, padding=9 * 1024),
    "headers_60_kb": invite(4, padding=60 * 1024),
    "cseq_method_mismatch": invite(5, cseq="BYE"),
    # found by the fuzzer: pjsip read the first of two and the INVITE became a call
    "call_id_twice": invite(8).replace(b"Call-ID: ", b"Call-ID: other-8@x\r\nCall-ID: ", 1),
    "cseq_twice": invite(9).replace(b"CSeq: ", b"CSeq: 7 INVITE\r\nCSeq: ", 1),
    "from_twice": invite(10).replace(b"From: ", b"From: <sip:intruder@x>;tag=i\r\nFrom: ", 1),
}


def final_status(sock: socket.socket, timeout_s: float) -> int | None:
    """The first final response's status code, or None if nothing final came back."""
    sock.settimeout(timeout_s)
    while True:
        try:
            data = sock.recv(65535)
        except TimeoutError:
            return None
        match = re.match(rb"SIP/2\.0 (\d{3})", data)
        if match and int(match.group(1)) >= 200:
            return int(match.group(1))


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def malformed_requests_refused(workdir: Path) -> dict[str, object]:
    log = Collected()
    logging.getLogger("drivers.sip").addHandler(log)
    statuses: dict[str, int | None] = {}
    async with Rig(workdir, [GW1], []) as rig:
        await rig.engine.wait_for(LineInService, line="gw1-2")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((GATEWAY, SOURCE_PORT))
            for name, datagram in MALFORMED.items():
                sock.sendto(datagram, (BOX, BOX_PORT))
                statuses[name] = await asyncio.to_thread(final_status, sock, 2.0)
        await asyncio.sleep(0)  # events the requests may have caused reach the engine
        events = rig.engine.names()
    logging.getLogger("drivers.sip").removeHandler(log)
    # each refusal's own log line: where from, and the status it was answered with
    logged = re.compile(
        rf"Refusing a (?:malformed )?request from {re.escape(GATEWAY)}:{SOURCE_PORT} with (\d{{3}})"
    )
    return {
        "statuses": statuses,
        "events": [e for e in events if not e.startswith("LineInService")],
        "refusals_logged": [int(m.group(1)) for m in map(logged.search, log.lines) if m],
    }


async def fuzzed_requests(workdir: Path) -> dict[str, object]:
    """Hypothesis drives drivers/sip/edge_fuzz.py's requests into a running stack from the
    gateway's address; each is checked as it is answered (edge_fuzz.check_answers, the probe
    after it), and after the burst no call arrived and a real one still does."""
    examples = int(os.environ.get("SIP_EDGE_EXAMPLES", "2000"))
    numbers = itertools.count()
    async with EdgeRig() as rig:

        @settings(max_examples=examples, deadline=None, database=None)
        @given(rng=st.randoms(use_true_random=False))
        def edge_keeps_its_promises(rng: random.Random) -> None:
            request = random_request(rng, next(numbers), rig.box, rig.gateway)
            check_answers(request, rig.try_request(request))

        await asyncio.to_thread(edge_keeps_its_promises)
        await check_after_burst(rig)
    return {"requests": next(numbers)}


EDGE_SCENARIOS: dict[str, Callable[[Path], Awaitable[dict[str, object]]]] = {
    "malformed_requests_refused": malformed_requests_refused,
    "fuzzed_requests": fuzzed_requests,
}

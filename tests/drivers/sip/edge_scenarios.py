"""Malformed requests at the box's SIP edge, sent as raw UDP from a configured gateway's
address: each must be refused (400 or 413) with a log line naming the source, never answered
200 and never become a call. Run through sip_scenarios.py (`python sip_scenarios.py NAME`)."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

from sip_scenarios import BOX, BOX_PORT, GATEWAY, Rig

from drivers.roles import LineInService
from drivers.sip import SipGateway

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
    source = f"{GATEWAY}:{SOURCE_PORT}"
    return {
        "statuses": statuses,
        "events": [e for e in events if not e.startswith("LineInService")],
        "refusals_logged": sum(source in line and "Refusing" in line for line in log.lines),
    }


EDGE_SCENARIOS: dict[str, Callable[[Path], Awaitable[dict[str, object]]]] = {
    "malformed_requests_refused": malformed_requests_refused,
}

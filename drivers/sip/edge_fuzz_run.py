"""The SIP edge fuzzed live: a SipStack on loopback with one gateway and one agent phone, fed
edge_fuzz.py's requests over UDP from the gateway's address. After each request an OPTIONS
probe must be answered 200 (the stack still serves, and every answer to the request has come
in by then); after the burst no call may have arrived and no agent's phone been touched.

`python -m drivers.sip.edge_fuzz_run --seed S --requests N` runs one burst in a process of its
own (pjsua2 allows one endpoint per process and an abort must not take the caller with it)
and prints what it saw as JSON; exit 1 names the request that broke a promise."""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import re
import socket
import sys
import time
from types import TracebackType
from typing import Any

from drivers.invariants import InvariantBroken, require
from drivers.roles import CallArrived, LineInService, PositionInService
from drivers.sip import SipGateway, SipLines, SipPosition, SipPositions, SipStack
from drivers.sip.edge_fuzz import EdgeRequest, check_answers, random_request, well_formed_request

BOX = "127.0.0.1"
GATEWAY = "127.0.0.2"
AGENT_PHONE = "127.0.0.3"
ANSWER_WAIT_S = 5.0
PROBE_NUMBERS_FROM = 10**9  # request numbers of the box's own probes, beyond any fuzzed one
_CALL_ID = re.compile(rb"\r\n(?:Call-ID|i)[ \t]*:[ \t]*([^\r\n]*)", re.IGNORECASE)


def _free_udp_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class EdgeRig:
    """The stack running, a socket at the gateway's address, and the driver events seen."""

    def __init__(self) -> None:
        self.gateway_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.gateway_socket.bind((GATEWAY, 0))
        self.gateway = (GATEWAY, int(self.gateway_socket.getsockname()[1]))
        self.box = (BOX, _free_udp_port(BOX))
        gateway = SipGateway("gw1", GATEWAY, self.gateway[1], channels=2, options_interval_s=0)
        phone = SipPosition("pos1", uri=f"sip:agent1@{AGENT_PHONE}:5060", options_interval_s=0)
        self.stack = SipStack(
            listen=BOX,
            port=self.box[1],
            rtp_port=_free_udp_port(BOX),
            gateways=[gateway],
            positions=[phone],
        )
        self.events: list[Any] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._probes = 0

    async def __aenter__(self) -> EdgeRig:
        self._tasks = [
            asyncio.create_task(SipLines(self.stack).run(self.events.append)),
            asyncio.create_task(SipPositions(self.stack).run(self.events.append)),
        ]
        started_s = time.monotonic()
        while not any(isinstance(e, LineInService) for e in self.events):
            require(time.monotonic() - started_s < 20, "the stack starts within 20 s", self.events)
            await asyncio.sleep(0.02)  # the stack is starting on its own thread
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.gateway_socket.close()

    def try_request(self, request: EdgeRequest) -> list[bytes]:
        """Send `request`, then an OPTIONS probe; the answers to the request, once the probe's
        200 is back. Blocking: call it off the event loop."""
        self._probes += 1
        probe_n = PROBE_NUMBERS_FROM + self._probes
        probe_id = f"fuzz-{probe_n:010d}@{GATEWAY}".encode()
        self.gateway_socket.sendto(request.datagram, self.box)
        probe = well_formed_request("OPTIONS", probe_n, self.box, self.gateway)
        self.gateway_socket.sendto(probe, self.box)
        answers: list[bytes] = []
        deadline_s = time.monotonic() + ANSWER_WAIT_S
        while True:
            self.gateway_socket.settimeout(max(0.0, deadline_s - time.monotonic()))
            try:
                data = self.gateway_socket.recv(65535)
            except TimeoutError:
                raise InvariantBroken(
                    f"the box answers an OPTIONS after each request; it fell silent after "
                    f"{request!r}"
                ) from None
            call_id = _CALL_ID.search(data)
            if call_id and call_id.group(1).strip() == probe_id:
                require(data.startswith(b"SIP/2.0 200 "), "the probe after it gets 200", request)
                return answers
            require(not data.startswith(b"OPTIONS "), "the box sends no request", data)
            answers.append(data)

    def touched(self) -> list[str]:
        """Driver events beyond the line and the phone coming into service: a call that
        arrived, an agent's phone rung or faulted."""
        kept = (LineInService, PositionInService)
        return [repr(e) for e in self.events if not isinstance(e, kept)]


def burst(rig: EdgeRig, rng: random.Random, requests: int) -> dict[str, object]:
    """Send `requests` fuzzed requests; what came back, after checking every promise."""
    statuses: collections.Counter[int] = collections.Counter()
    malformed = silent = 0
    for n in range(requests):
        request = random_request(rng, n, rig.box, rig.gateway)
        answered = check_answers(request, rig.try_request(request))
        statuses.update(answered)
        malformed += request.malformed
        silent += not answered
    return {
        "requests": requests,
        "malformed": malformed,
        "unanswered": silent,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


async def check_after_burst(rig: EdgeRig) -> None:
    """After the burst: no call arrived and no agent's phone was touched, and a gateway's
    well-formed INVITE still becomes a call."""
    await asyncio.sleep(0.2)  # a call a request might have started reaches the events
    require(not rig.touched(), "no call arrives and no agent's phone is touched", rig.touched())
    invite = well_formed_request("INVITE", PROBE_NUMBERS_FROM, rig.box, rig.gateway)
    rig.gateway_socket.sendto(invite, rig.box)
    started_s = time.monotonic()
    while not any(isinstance(e, CallArrived) for e in rig.events):
        require(time.monotonic() - started_s < ANSWER_WAIT_S, "a call still arrives", rig.events)
        await asyncio.sleep(0.02)  # the stack hands the call over from its own thread


async def fuzz_edge(seed: int, requests: int) -> dict[str, object]:
    started_s = time.monotonic()
    async with EdgeRig() as rig:
        seen = await asyncio.to_thread(burst, rig, random.Random(seed), requests)
        await check_after_burst(rig)
    return {**seen, "seed": seed, "seconds": round(time.monotonic() - started_s, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drivers.sip.edge_fuzz_run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args(argv)
    try:
        result = asyncio.run(fuzz_edge(args.seed, args.requests))
    except InvariantBroken as exc:
        print(f"seed {args.seed}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

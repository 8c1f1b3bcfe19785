"""OPTIONS keep-alive to by-IP gateways (L4): one small UDP socket on the event loop sends
OPTIONS and matches answers by Call-ID. Any answer, even an error, proves the gateway is there.
It runs apart from pjsua so an unanswered request never outlives the library."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from typing import cast

log = logging.getLogger(__name__)
wire = logging.getLogger("drivers.sip.wire")


def options_request(
    target_host: str, target_port: int, local_host: str, local_port: int, call_id: str
) -> bytes:
    branch = "z9hG4bK" + secrets.token_hex(8)
    tag = secrets.token_hex(4)
    return (
        f"OPTIONS sip:{target_host}:{target_port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {local_host}:{local_port};branch={branch};rport\r\n"
        f"From: <sip:depotline@{local_host}:{local_port}>;tag={tag}\r\n"
        f"To: <sip:{target_host}:{target_port}>\r\n"
        f"Call-ID: {call_id}\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "Max-Forwards: 70\r\n"
        "User-Agent: depotline\r\n"
        "Accept: application/sdp\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def answered_call_id(datagram: bytes) -> str | None:
    """The Call-ID of a SIP response, or None for anything else (requests, garbage)."""
    try:
        text = datagram.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    head = text.split("\r\n\r\n", 1)[0].split("\r\n")
    if not head or not head[0].startswith("SIP/2.0 "):
        return None
    for line in head[1:]:
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() in ("call-id", "i"):
            return value.strip()
    return None


class OptionsPinger(asyncio.DatagramProtocol):
    """Sends one OPTIONS at a time per target; `on_answer(target)` when any response comes."""

    def __init__(self, on_answer: Callable[[str], None]) -> None:
        self._on_answer = on_answer
        self._pending: dict[str, str] = {}  # Call-ID → target name
        self._transport: asyncio.DatagramTransport | None = None

    @classmethod
    async def open(cls, host: str, on_answer: Callable[[str], None]) -> OptionsPinger:
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_datagram_endpoint(
            lambda: cls(on_answer), local_addr=(host, 0)
        )
        return protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def ping(self, name: str, host: str, port: int) -> None:
        if self._transport is None:
            return
        local_host, local_port = self._transport.get_extra_info("sockname")[:2]
        call_id = secrets.token_hex(12) + "@depotline"
        self._pending = {k: v for k, v in self._pending.items() if v != name}
        self._pending[call_id] = name
        request = options_request(host, port, local_host, local_port, call_id)
        wire.debug("OPTIONS to %s:%s\n%s", host, port, request.decode())
        try:
            self._transport.sendto(request, (host, port))
        except OSError as error:
            log.warning("cannot send OPTIONS to %s:%s: %s", host, port, error)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        call_id = answered_call_id(data)
        name = self._pending.pop(call_id, None) if call_id else None
        if name is None:
            wire.debug("dropped a datagram from %s:%s that answers no OPTIONS", *addr[:2])
            return
        self._on_answer(name)

    def error_received(self, exc: Exception) -> None:
        wire.debug("keep-alive socket: %s", exc)  # ICMP unreachable: the miss counts by time

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

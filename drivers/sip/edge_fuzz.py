"""Fuzzing the box's SIP edge: requests a gateway might send (INVITE, OPTIONS, BYE, REGISTER)
mutated the ways broken or hostile peers break them, and the promises the edge keeps for each
(the strict-edge patch of the pjsua2 build, image_build/pjsua2/strict-edge.patch).

Pure: `random_request` builds one input from a `random.Random`; `check_answers` judges what the
box sent back to it. edge_fuzz_run.py sends them to a running stack; the Hypothesis test in
tests/drivers/sip/ and `depotline fuzz sip-edge` both go through it."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from drivers.invariants import require

METHODS = ("INVITE", "OPTIONS", "BYE", "REGISTER")
# pjsip's receive buffer (PJSIP_MAX_PKT_LEN of the build): a datagram this long is cut by it
RECEIVE_BUFFER_BYTES = 4000
# headers RFC 3261 allows once; a second one with another value makes the request ambiguous
SINGLE_HEADERS = ("Call-ID", "CSeq", "From", "To", "Content-Length", "Max-Forwards")
NOT_UTF8 = (b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\x80", b"\xf8\x88\x80\x80\x80")


@dataclass
class EdgeRequest:
    """One datagram for the edge: what it was made from and whether it is malformed, i.e.
    one the edge promises never to accept (no 1xx, no 2xx: refused with 4xx/5xx or dropped)."""

    datagram: bytes
    method: str
    mutations: list[str] = field(default_factory=list)
    malformed: bool = False


@dataclass
class _Draft:
    start: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    mutations: list[str] = field(default_factory=list)
    malformed: bool = False

    def set(self, name: bytes, value: bytes) -> None:
        self.headers = [(n, value if n == name else v) for n, v in self.headers]

    def get(self, name: bytes) -> bytes:
        return next((v for n, v in self.headers if n == name), b"")

    def bytes(self) -> bytes:
        return _serialized(self.start, self.headers, self.body)


def _serialized(start: bytes, headers: list[tuple[bytes, bytes]], body: bytes) -> bytes:
    head = b"".join(n + b": " + v + b"\r\n" for n, v in headers)
    return start + b"\r\n" + head + b"\r\n" + body


def _sdp(gateway: str) -> bytes:
    return (
        f"v=0\r\no=gw 1 1 IN IP4 {gateway}\r\ns=-\r\nc=IN IP4 {gateway}\r\nt=0 0\r\n"
        "m=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"
    ).encode()


def base_request(
    method: str, n: int, box: tuple[str, int], gateway: tuple[str, int]
) -> tuple[bytes, list[tuple[bytes, bytes]], bytes]:
    """A well-formed request as the gateway would send it: start line, headers, body."""
    (box_host, box_port), (gw_host, gw_port) = box, gateway
    body = _sdp(gw_host) if method == "INVITE" else b""
    # the number at a fixed width: Hypothesis replays a request's draws only if its length
    # does not depend on which request it is
    tag = f"{n:010d}"
    headers = [
        ("Via", f"SIP/2.0/UDP {gw_host}:{gw_port};branch=z9hG4bK-fuzz{tag}"),
        ("From", f'"Depot caller" <sip:1380013800{n % 10}@{gw_host}>;tag=fz{tag}'),
        ("To", f"<sip:depot@{box_host}>"),
        ("Call-ID", f"fuzz-{tag}@{gw_host}"),
        ("CSeq", f"{n % 1000 + 1:04d} {method}"),
        ("Contact", f"<sip:caller@{gw_host}:{gw_port}>"),
        ("Max-Forwards", "70"),
    ]
    if body:
        headers.append(("Content-Type", "application/sdp"))
    headers.append(("Content-Length", str(len(body))))
    start = f"{method} sip:depot@{box_host}:{box_port} SIP/2.0".encode()
    return start, [(k.encode(), v.encode()) for k, v in headers], body


def well_formed_request(
    method: str, n: int, box: tuple[str, int], gateway: tuple[str, int]
) -> bytes:
    """Request number `n` as the gateway would send it, unmutated (Call-ID fuzz-`n`@…, `n` in
    ten digits)."""
    return _serialized(*base_request(method, n, box, gateway))


def _content_length_long(rng: random.Random, d: _Draft) -> None:
    d.set(b"Content-Length", str(len(d.body) + rng.randint(1, 5000)).encode())
    d.malformed = True


def _content_length_not_a_number(rng: random.Random, d: _Draft) -> None:
    d.set(b"Content-Length", rng.choice([b"-1", b"abc", b"", b"1e3", b"0x10", b"9" * 25]))
    d.malformed = True


def _cseq_mismatch(rng: random.Random, d: _Draft) -> None:
    method = d.start.split(b" ", 1)[0]
    other = rng.choice([m.encode() for m in (*METHODS, "ACK", "CANCEL") if m.encode() != method])
    d.set(b"CSeq", d.get(b"CSeq").split(b" ")[0] + b" " + other)
    d.malformed = True


def _duplicate_single_header(rng: random.Random, d: _Draft) -> None:
    # only a header the request still has: a second one of a dropped header is its only one
    present = {n for n, _v in d.headers}
    name = rng.choice([h.encode() for h in SINGLE_HEADERS if h.encode() in present])
    value = d.get(name)
    other = {
        b"Call-ID": b"other-" + value,
        b"CSeq": b"99999 " + value.split(b" ")[-1],
        b"From": b"<sip:intruder@192.0.2.1>;tag=x" + value[-3:],
        b"To": b"<sip:someone-else@192.0.2.1>",
        b"Content-Length": str(len(d.body) + 7).encode(),
        b"Max-Forwards": b"3",
    }[name]
    d.headers.insert(rng.randrange(len(d.headers) + 1), (name, other))
    d.malformed = True


def _drop_needed_header(rng: random.Random, d: _Draft) -> None:
    name = rng.choice([b"Via", b"From", b"To", b"Call-ID", b"CSeq"])
    d.headers = [(n, v) for n, v in d.headers if n != name]
    d.malformed = True


def _max_forwards_not_a_number(rng: random.Random, d: _Draft) -> None:
    d.set(b"Max-Forwards", rng.choice([b"seventy", b"-5", b"", b"70 70", b"\xff"]))
    d.malformed = True


def _huge_header_line(rng: random.Random, d: _Draft) -> None:
    size = rng.choice([rng.randint(100, 2500), rng.randint(RECEIVE_BUFFER_BYTES, 60_000)])
    d.headers.insert(rng.randrange(1, len(d.headers) + 1), (b"X-Padding", b"a" * size))


def _duplicate_via(rng: random.Random, d: _Draft) -> None:
    d.headers.insert(0, (b"Via", d.get(b"Via").replace(b"fuzz", b"dup", 1)))


def _not_utf8(rng: random.Random, d: _Draft) -> None:
    d.set(b"From", b'"Depot ' + rng.choice(NOT_UTF8) + b'"' + d.get(b"From").split(b'"')[-1])
    if rng.random() < 0.5:
        d.headers.append((b"Subject", rng.choice(NOT_UTF8) * rng.randint(1, 20)))


# mutation: whether it alone makes the request malformed is set by the mutation itself
_MUTATIONS: dict[str, Callable[[random.Random, _Draft], None]] = {
    "content_length_long": _content_length_long,
    "content_length_not_a_number": _content_length_not_a_number,
    "cseq_method_mismatch": _cseq_mismatch,
    "single_header_twice": _duplicate_single_header,
    "needed_header_missing": _drop_needed_header,
    "max_forwards_not_a_number": _max_forwards_not_a_number,
    "huge_header_line": _huge_header_line,
    "via_twice": _duplicate_via,
    "not_utf8": _not_utf8,
}
_BREAKING = [
    name for name in _MUTATIONS if name not in ("huge_header_line", "via_twice", "not_utf8")
]


def random_request(
    rng: random.Random, n: int, box: tuple[str, int], gateway: tuple[str, int]
) -> EdgeRequest:
    """Request number `n` (its Call-ID and branch unique to it), mutated from `rng`'s draws.
    Only OPTIONS may come out well-formed (it never becomes a call); any other request is
    given at least one mutation that makes it malformed."""
    method = rng.choice(METHODS)
    if rng.random() < 0.05:
        data = rng.randbytes(rng.randrange(1, 1500))
        return EdgeRequest(data, method, ["random_bytes"], malformed=True)
    draft = _Draft(*base_request(method, n, box, gateway))
    for name in rng.sample(sorted(_MUTATIONS), rng.randint(0, 3)):
        _MUTATIONS[name](rng, draft)
        draft.mutations.append(name)
    if method != "OPTIONS" and not draft.malformed and rng.random() < 0.7:
        name = rng.choice(_BREAKING)
        _MUTATIONS[name](rng, draft)
        draft.mutations.append(name)
    data = draft.bytes()
    if (not draft.malformed and method != "OPTIONS") or rng.random() < 0.25:
        # cut anywhere short of the end: the body or the blank line before it never comes
        data = data[: rng.randrange(len(data))]
        draft.mutations.append("cut_off")
        draft.malformed = True
    if len(data) >= RECEIVE_BUFFER_BYTES:
        draft.malformed = True  # more than the receive buffer holds: refused whole, 413
    return EdgeRequest(data, method, draft.mutations, draft.malformed)


_STATUS_LINE = re.compile(rb"SIP/2\.0 ([1-6]\d\d) [^\r\n]*\Z")
_HEADER_LINE = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*:(.*)\Z", re.DOTALL)
_NEEDED = {b"via": b"v", b"from": b"f", b"to": b"t", b"call-id": b"i", b"cseq": b""}


def response_status(answer: bytes) -> int:
    """The status code of a well-formed SIP response; InvariantBroken naming what is wrong with
    it otherwise (status line, header syntax, the five headers every response carries, a
    Content-Length equal to its body)."""
    head, blank, body = answer.partition(b"\r\n\r\n")
    require(bool(blank), "an answer ends its headers with a blank line", answer)
    lines = head.split(b"\r\n")
    status = _STATUS_LINE.match(lines[0])
    require(status is not None, "an answer starts with a SIP/2.0 status line", answer)
    names: dict[bytes, bytes] = {}
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            require(bool(names), "a folded line continues a header", answer)
            continue
        header = _HEADER_LINE.match(line)
        require(header is not None, "each header line of an answer is `Name: value`", answer)
        assert header is not None
        names.setdefault(header.group(1).lower(), header.group(2).strip())
    for name, short in _NEEDED.items():
        require(name in names or short in names, f"an answer carries {name.decode()}", answer)
    length = names.get(b"content-length", names.get(b"l"))
    if length is not None:
        require(length.isdigit() and int(length) == len(body), "Content-Length fits", answer)
    assert status is not None
    return int(status.group(1))


def check_answers(request: EdgeRequest, answers: Sequence[bytes]) -> list[int]:
    """The statuses the box answered `request` with, after checking them: every answer is a
    well-formed SIP response and a malformed request is never accepted (refused 4xx–6xx or
    dropped, never 1xx or 2xx)."""
    statuses = []
    for answer in answers:
        status = response_status(answer)
        if request.malformed:
            require(status >= 400, f"a malformed request is not answered {status}", request)
        statuses.append(status)
    return statuses

"""Invariants of the wallboard link's wire format (firmware.wallboard.protocol, as the Pi's
HostLink reads it), each checked on one input, and random inputs for them. The Hypothesis tests
and the `depotline fuzz` targets (drivers/fuzz_targets.py) run the same checks."""

from __future__ import annotations

import random
from collections.abc import Sequence

from drivers.invariants import read_pieces, require
from drivers.wallboard.link import HostLink
from firmware.wallboard import protocol as p

Frame = tuple[int, bytes]  # (sequence number, payload)


def frame_bytes(frames: Sequence[Frame]) -> bytes:
    return b"".join(p.encode_frame(seq, payload) for seq, payload in frames)


def check_frames_round_trip(frames: Sequence[Frame], cuts: Sequence[int]) -> None:
    """Frames on a clean line come out as sent, whatever the read boundaries."""
    data = frame_bytes(frames)
    got = _read(data, cuts)
    require(got == [(seq & p.SEQ_MASK, payload) for seq, payload in frames], "frames as sent",
            (frames, list(cuts)))  # fmt: skip


def check_frames_after_garbage(garbage: bytes, frames: Sequence[Frame]) -> None:
    """Line noise, then frames, then sync bytes (what follows on a live link, so a reader
    waiting for a length the noise promised gets it): the reader never raises and is back in
    step by the end of the first frame — every later frame comes out, in order, none invented.
    (The first may be lost: nothing marks where it starts.)"""
    sent = [(seq & p.SEQ_MASK, payload) for seq, payload in frames]
    got = _read(garbage + frame_bytes(frames) + bytes([p.SYNC]) * p.MAX_FRAME, [])
    require(got in (sent, sent[1:]), "every frame after the noise", (garbage, frames, got))
    if not garbage:
        require(got == sent, "every frame on a clean line", frames)


def check_host_link_input(data: bytes, cuts: Sequence[int]) -> None:
    """Whatever the board sends, the Pi's end of the link takes it without raising and goes on
    polling."""
    link = HostLink()
    for step, piece in enumerate(read_pieces(data, cuts)):
        link.poll(float(step))
        link.received(piece, float(step))
    link.poll(100.0)
    link.problem(100.0)


def check_figures_round_trip(entries: Sequence[tuple[int, int, int | bytes]]) -> None:
    """A figures payload reads back as the entries it was made from."""
    payload = bytes([p.MSG_FIGURES]) + b"".join(p.encode_field(*entry) for entry in entries)
    require(p.decode_figures(payload) == list(entries), "figures as sent", entries)


def check_figures_payload(payload: bytes) -> None:
    """Any payload a frame may carry: decoding it succeeds or raises what the board's app drops
    (ValueError, or IndexError for an entry cut short), never anything else."""
    try:
        p.decode_figures(payload)
    except (ValueError, IndexError):
        pass
    except Exception as e:  # the promise under test: no other exception escapes
        require(False, f"only ValueError or IndexError, not {type(e).__name__}: {e}", payload)


def _read(data: bytes, cuts: Sequence[int]) -> list[Frame]:
    reader = p.FrameReader()
    return [frame for piece in read_pieces(data, cuts) for frame in reader.feed(piece)]


# ---------------------------------------------------------------------------------------------
# random inputs


def random_frames(rng: random.Random) -> list[Frame]:
    return [
        (rng.randrange(16), rng.randbytes(rng.randrange(p.MAX_PAYLOAD + 1)))
        for _ in range(rng.randrange(1, 8))
    ]


def random_entries(rng: random.Random) -> list[tuple[int, int, int | bytes]]:
    entries: list[tuple[int, int, int | bytes]] = []
    for _ in range(rng.randrange(8)):
        field = rng.randrange(p.FIELD_COUNT)
        level = rng.randrange(3)
        if field == p.F_TICKER:
            entries.append((field, level, rng.randbytes(rng.randrange(p.MAX_TICKER_BYTES))))
        else:
            entries.append((field, level, rng.randrange(-(2**31), 2**31)))
    return entries


def random_link_noise(rng: random.Random) -> bytes:
    """Board-to-Pi bytes: hellos, acks, real frames with bits flipped, and noise."""
    frames = [(rng.randrange(16), b"") for _ in range(rng.randrange(3))]
    frames.append((0, p.hello_reply(rng.randrange(256), rng.randrange(256))))
    data = bytearray(frame_bytes(frames) + rng.randbytes(rng.randrange(64)))
    for _ in range(rng.randrange(3)):
        if data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return bytes(data)

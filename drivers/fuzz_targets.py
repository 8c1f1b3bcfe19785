"""The drivers' fuzz targets, for `depotline fuzz TARGET --minutes N --seed S`: each builds one
random input from the `random.Random` it is given (real pieces mixed with garbage), runs a
parser on it and raises drivers.invariants.InvariantBroken (an AssertionError naming the input)
when the parser breaks a promise. The Hypothesis tests run the same checks in CI.
Standalone: `python -m drivers.fuzz_targets TARGET --seconds S --seed K` prints the inputs tried."""

from __future__ import annotations

import argparse
import contextlib
import logging
import random
import time
from collections.abc import Callable, Iterator

from drivers.modem import fuzz as modem
from drivers.wallboard import fuzz as wallboard

FuzzTarget = Callable[[random.Random], None]


def _caller_id(rng: random.Random) -> None:
    modem.check_caller_id_lines(modem.random_caller_id_lines(rng))


def _at_results(rng: random.Random) -> None:
    line = modem.random_result_line(rng) if rng.random() < 0.8 else rng.randbytes(rng.randrange(40))
    modem.check_result_line(line)


def _modem_stream(rng: random.Random) -> None:
    data = modem.random_stream(rng)
    modem.check_stream(data, modem.random_cuts(rng, len(data)), audio_mode=rng.random() < 0.25)


def _dle_audio(rng: random.Random) -> None:
    samples = modem.random_audio(rng)
    pairs_as_sub = [rng.random() < 0.5 for _ in range(rng.randrange(4))]
    modem.check_dle_audio(samples, pairs_as_sub, modem.random_cuts(rng, 2 * len(samples)))


def _wallboard_frames(rng: random.Random) -> None:
    frames = wallboard.random_frames(rng)
    size = len(wallboard.frame_bytes(frames))
    wallboard.check_frames_round_trip(frames, [rng.randrange(size + 1) for _ in range(6)])
    wallboard.check_frames_after_garbage(rng.randbytes(rng.randrange(200)), frames)


def _wallboard_link(rng: random.Random) -> None:
    data = wallboard.random_link_noise(rng)
    wallboard.check_host_link_input(data, [rng.randrange(len(data) + 1) for _ in range(4)])


def _wallboard_figures(rng: random.Random) -> None:
    wallboard.check_figures_round_trip(wallboard.random_entries(rng))
    payload = bytearray(
        bytes([2]) + b"".join(wallboard.p.encode_field(*e) for e in wallboard.random_entries(rng))
    )
    if payload and rng.random() < 0.7:
        del payload[rng.randrange(len(payload)) :]  # cut short, as a bug on the Pi might
    wallboard.check_figures_payload(bytes(payload) + rng.randbytes(rng.randrange(3)))


TARGETS: dict[str, FuzzTarget] = {
    "caller-id": _caller_id,  # modem caller-ID blocks: NMBR/NAME/DATE lines and noise
    "at-results": _at_results,  # modem result-code lines
    "modem-stream": _modem_stream,  # what a modem sends: lines, DLE events, audio, any cuts
    "dle-audio": _dle_audio,  # DLE unshielding of receive streams
    "wallboard-frames": _wallboard_frames,  # link frames: round trip, after line noise
    "wallboard-link": _wallboard_link,  # the Pi's HostLink fed whatever a board sends
    "wallboard-figures": _wallboard_figures,  # figures payloads: round trip, cut short
}


@contextlib.contextmanager
def _quiet_drivers() -> Iterator[None]:
    """Dropped caller IDs and restarted boards are logged as warnings: millions of them would
    drown the run's own report."""
    logger = logging.getLogger("drivers")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def run(target: str, seconds: float, seed: int) -> int:
    """Run `target` on fresh inputs for `seconds`; the number of inputs tried. An input that
    breaks a promise raises InvariantBroken; the same seed gives the same inputs."""
    check = TARGETS[target]
    rng = random.Random(seed)
    tried = 0
    deadline = time.monotonic() + seconds
    with _quiet_drivers():
        while time.monotonic() < deadline:
            for _ in range(100):
                check(rng)
            tried += 100
    return tried


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drivers.fuzz_targets")
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    tried = run(args.target, args.seconds, args.seed)
    print(f"{args.target}: {tried} inputs, seed {args.seed}, no promise broken")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

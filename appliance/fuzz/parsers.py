"""The drivers' parser checks (drivers/fuzz_targets.py) as `depotline fuzz` targets. One parser
input takes microseconds where one engine run takes milliseconds, so each of a seed's examples
is a batch of inputs drawn from that seed's random.Random."""

from __future__ import annotations

import random

from drivers import fuzz_targets

INPUTS_PER_EXAMPLE = 200


def _run(name: str, seed: int, examples: int) -> None:
    check = fuzz_targets.TARGETS[name]
    rng = random.Random(seed)
    for _ in range(examples * INPUTS_PER_EXAMPLE):
        check(rng)


def caller_id(seed: int, examples: int) -> None:
    _run("caller-id", seed, examples)


def at_results(seed: int, examples: int) -> None:
    _run("at-results", seed, examples)


def modem_stream(seed: int, examples: int) -> None:
    _run("modem-stream", seed, examples)


def dle_audio(seed: int, examples: int) -> None:
    _run("dle-audio", seed, examples)


def wallboard_frames(seed: int, examples: int) -> None:
    _run("wallboard-frames", seed, examples)


def wallboard_link(seed: int, examples: int) -> None:
    _run("wallboard-link", seed, examples)


def wallboard_figures(seed: int, examples: int) -> None:
    _run("wallboard-figures", seed, examples)

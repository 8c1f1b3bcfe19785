"""The drivers' fuzz targets that `depotline fuzz` runs: each runs clean on today's parsers from
a seed, and each notices a parser that breaks its promise."""

from __future__ import annotations

import random
import re

import pytest

from drivers import fuzz_targets
from drivers.fuzz_targets import TARGETS
from drivers.invariants import InvariantBroken


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzz_target_runs_clean_from_a_seed(target: str) -> None:
    rng = random.Random(20261207)
    for _ in range(300):
        TARGETS[target](rng)


def test_fuzz_caller_id_target_catches_a_number_repaired_from_garbage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the defect of issue 12: letters dropped from NMBR=555ABC123, giving 555123
    monkeypatch.setattr(
        "drivers.modem.protocol.number_as_sent", lambda raw, line: re.sub(r"[^0-9+]", "", raw)
    )
    rng = random.Random(1)
    with pytest.raises(InvariantBroken, match=r"the number as sent|an E\.164 number"):
        for _ in range(2000):
            TARGETS["caller-id"](rng)


def test_fuzz_dle_target_catches_a_lost_shielded_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    # an unshielding that reads DLE SUB as one 0x10 instead of two
    monkeypatch.setattr("drivers.modem.protocol.SUB", 0x1B)
    rng = random.Random(1)
    with pytest.raises(InvariantBroken, match="none invented"):
        for _ in range(2000):
            TARGETS["dle-audio"](rng)


def test_fuzz_run_prints_inputs_tried_for_a_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert fuzz_targets.main(["at-results", "--seconds", "0.2", "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert re.fullmatch(r"at-results: [1-9]\d* inputs, seed 3, no promise broken\n", printed)

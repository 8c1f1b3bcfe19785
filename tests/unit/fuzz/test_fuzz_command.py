"""`depotline fuzz`: runs a target seed after seed, printing each seed first; a failure names
the seed to replay and exits 1; other areas add targets to appliance.fuzz.TARGETS."""

from __future__ import annotations

import sys
import types

import pytest

from appliance import cli, fuzz


@pytest.fixture
def fake_target(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A target registered as another engineer's parser would be; it fails on seed 7."""
    seen: list[int] = []

    def check(run_seed: int, max_examples: int) -> None:
        seen.append(run_seed)
        if run_seed == 7:
            raise AssertionError("parser broke")

    module = types.ModuleType("fake_fuzz_target")
    module.check = check  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_fuzz_target", module)
    monkeypatch.setitem(fuzz.TARGETS, "parser", ("fake_fuzz_target", "check", "a parser"))
    return seen


def test_fuzz_prints_seed_then_runs_target(
    fake_target: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["fuzz", "parser", "--minutes", "0", "--seed", "3"]) == 0
    assert fake_target == [3]
    assert "fuzz parser --seed 3" in capsys.readouterr().out


def test_fuzz_failure_names_seed_and_exits_1(
    fake_target: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["fuzz", "parser", "--minutes", "0", "--seed", "7"]) == 1
    assert "FAILED with --seed 7: parser broke" in capsys.readouterr().out


def test_fuzz_unknown_target_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fuzz", "nothing", "--minutes", "0"]) == cli.EX_USAGE
    assert "no fuzz target 'nothing'" in capsys.readouterr().out

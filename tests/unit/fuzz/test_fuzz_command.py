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


def test_fuzz_runs_every_drivers_parser_target_from_its_seed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from drivers import fuzz_targets

    monkeypatch.setattr(cli, "FUZZ_EXAMPLES_PER_SEED", 1)  # 200 inputs each: the wiring, not a run
    parsers = set(fuzz_targets.TARGETS)
    assert parsers <= set(fuzz.TARGETS), "every parser check is a `depotline fuzz` target"
    for name in sorted(parsers):
        assert cli.main(["fuzz", name, "--minutes", "0", "--seed", "5"]) == 0
        assert f"fuzz {name} --seed 5" in capsys.readouterr().out


def test_fuzz_parser_target_fails_when_its_parser_breaks_a_promise(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from drivers import fuzz_targets

    def broken(rng: object) -> None:
        raise AssertionError("NMBR=555ABC123 became 555123")

    monkeypatch.setitem(fuzz_targets.TARGETS, "caller-id", broken)
    assert cli.main(["fuzz", "caller-id", "--minutes", "0", "--seed", "1"]) == 1
    assert "FAILED with --seed 1: NMBR=555ABC123" in capsys.readouterr().out

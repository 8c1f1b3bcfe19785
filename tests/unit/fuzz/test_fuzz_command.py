"""`depotline fuzz`: runs a target seed after seed, printing each seed first; a failure names
the seed to replay and exits 1; other areas add targets to appliance.fuzz.TARGETS."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field, replace
from pathlib import Path

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


def test_fuzz_web_forms_runs_every_form_property_from_its_seed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from appliance.fuzz import form_checks

    ran: list[tuple[str, int, int | None]] = []
    monkeypatch.setattr(
        form_checks, "run_property", lambda name, n, run_seed=None: ran.append((name, n, run_seed))
    )
    monkeypatch.setattr(cli, "FUZZ_EXAMPLES_PER_SEED", 3)
    assert cli.main(["fuzz", "web-forms", "--minutes", "0", "--seed", "4"]) == 0
    assert ran == [(name, 3, 4) for name in form_checks.PROPERTIES]
    assert "fuzz web-forms --seed 4" in capsys.readouterr().out


def test_fuzz_web_forms_fails_naming_the_seed_when_a_form_breaks_its_rules(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from appliance.desk import setup_forms

    monkeypatch.setattr(
        setup_forms, "with_vips", lambda setup, form: replace(setup, vip_numbers=("１３８",))
    )
    monkeypatch.setattr(cli, "FUZZ_EXAMPLES_PER_SEED", 5)
    assert cli.main(["fuzz", "web-forms", "--minutes", "0", "--seed", "2"]) == 1
    assert "FAILED with --seed 2: digits" in capsys.readouterr().out


@dataclass
class FinishedBurst:
    returncode: int
    stderr: str = ""


@dataclass
class Bursts:
    """The sip-edge target's bursts, not run: each command is kept and answered with `result`
    (the live stack is fuzzed in tests/drivers/sip/test_sip_edge.py)."""

    result: FinishedBurst = field(default_factory=lambda: FinishedBurst(0))
    commands: list[list[str]] = field(default_factory=list)

    def run(self, command: list[str], **kwargs: object) -> FinishedBurst:
        self.commands.append(command)
        return self.result


@pytest.fixture
def bursts(monkeypatch: pytest.MonkeyPatch) -> Bursts:
    from appliance.fuzz import sip_edge

    kept = Bursts()
    monkeypatch.setattr(sip_edge.subprocess, "run", kept.run)
    monkeypatch.setattr(cli, "FUZZ_EXAMPLES_PER_SEED", 2)
    return kept


def test_fuzz_sip_edge_runs_one_burst_per_seed_in_a_process_of_its_own(
    bursts: Bursts, capsys: pytest.CaptureFixture[str]
) -> None:
    from appliance.fuzz import sip_edge

    assert cli.main(["fuzz", "sip-edge", "--minutes", "0", "--seed", "9"]) == 0
    assert bursts.commands == [
        [
            sys.executable, "-m", "drivers.sip.edge_fuzz_run", "--seed", "9",
            "--requests", str(2 * sip_edge.REQUESTS_PER_EXAMPLE),
        ]
    ]  # fmt: skip
    assert "fuzz sip-edge --seed 9" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("returncode", "stderr", "reported"),
    [
        (-6, "pjsua assertion\n", "FAILED with --seed 9: the SIP stack died of SIGABRT"),
        (1, "pjsua: noise\nseed 9: a malformed request is not answered 200; input: x\n",
         "FAILED with --seed 9: seed 9: a malformed request is not answered 200"),
    ],
)  # fmt: skip
def test_fuzz_sip_edge_fails_naming_the_seed_when_the_stack_aborts_or_breaks_a_promise(
    bursts: Bursts,
    capsys: pytest.CaptureFixture[str],
    returncode: int,
    stderr: str,
    reported: str,
) -> None:
    bursts.result = FinishedBurst(returncode, stderr)
    assert cli.main(["fuzz", "sip-edge", "--minutes", "0", "--seed", "9"]) == 1
    assert reported in capsys.readouterr().out


def test_readme_and_help_list_every_fuzz_target(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    line = next(line for line in readme.splitlines() if line.startswith("depotline fuzz ["))
    listed = line.split("[", 1)[1].split("]", 1)[0].split("|")
    with pytest.raises(SystemExit):
        cli.main(["fuzz", "--help"])
    help_text = "".join(capsys.readouterr().out.split())
    for name in fuzz.TARGETS:
        assert name in listed, f"README's depotline fuzz line lacks {name}"
        assert name in help_text, f"depotline fuzz --help lacks {name}"

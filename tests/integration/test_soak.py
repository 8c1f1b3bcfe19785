"""`depotline soak`: a week of calls on the real runtime, engine and store on disk, with a fault
every simulated hour (lines unplugged, phones dead, the daemon killed, the clock stepped at a
start or while the daemon runs, a disk write failing). Nothing is lost or stuck, no time shows
negative, and the soak does see a stuck line."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from appliance import soak, soak_world

PROJECT = Path(__file__).resolve().parents[2]
# a week at 150 calls a day (half a small depot's day) keeps CI's wall time near 20 s
WEEK = ("--days", "7", "--fault-every-s", "3600", "--seed", "1", "--calls-per-day", "150")


def test_soak_a_week_with_a_fault_every_hour_loses_nothing_and_leaves_nothing_stuck(
    tmp_path: Path,
) -> None:
    database = tmp_path / "soak.db"
    result = subprocess.run(
        [sys.executable, "-m", "appliance.cli", "soak", *WEEK, "--db", str(database)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=PROJECT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(result.stdout)
    assert {"days", "calls", "faults", "lost_records", "stuck_lines", "stuck_agents",
            "rss_mb_max", "wall_s"} <= set(figures)  # fmt: skip
    assert (figures["lost_records"], figures["stuck_lines"], figures["stuck_agents"]) == (0, 0, 0)
    assert figures["figures_mismatches"] == 0
    assert figures["negative_durations"] == 0
    assert figures["days"] == 7
    assert figures["calls"] > 7 * 150 * 0.8
    assert figures["faults"] == 7 * 24 - 1  # one each simulated hour, none at the very end
    assert set(figures["fault_kinds"]) == set(soak.FAULTS)
    assert figures["rss_mb_max"] < 200


def test_soak_counts_a_line_whose_caller_left_without_a_hang_up_as_stuck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def leave_silently(world: soak_world.World, line: str, generation: int) -> None:
        if world.caller_on.get(line) == generation:
            del world.caller_on[line]  # no hang-up signal reaches the box

    monkeypatch.setattr(soak_world.World, "_give_up", leave_silently)
    caplog.set_level(logging.ERROR, logger="appliance")  # a warning for each restart
    options = soak.SoakOptions(days=1, calls_per_day=200, database=str(tmp_path / "soak.db"))
    result = asyncio.run(soak.soak(options))
    assert result.stuck_lines > 0
    assert result.lost_records == 0


def test_soak_memory_is_its_own_when_a_big_process_starts_it(tmp_path: Path) -> None:
    """Linux carries ru_maxrss over an exec: started from a long pytest run, the soak reported
    the parent's 214 MB as its own peak."""
    ballast = b"x" * (300 * 1024 * 1024)  # resident in this process when the soak is started
    result = subprocess.run(
        [sys.executable, "-m", "appliance.cli", "soak", "--days", "0.25", "--calls-per-day",
         "40", "--db", str(tmp_path / "soak.db")],
        capture_output=True, text=True, timeout=300, check=False, cwd=PROJECT,
    )  # fmt: skip
    del ballast
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["rss_mb_max"] < 200

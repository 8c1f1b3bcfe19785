"""The box's clock stepped while the daemon runs (NTP on a Pi without RTC), on the soak's real
runtime, engine and store in virtual time: what the wallboard shows after the step."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from appliance import soak
from appliance.runtime import Runtime, day_start_s
from drivers.roles import WallboardFigures

SET_BACK_S = 120.0


class _SetBackAcrossMidnight(soak.Soak):
    """The soak's depot until a minute past the depot's midnight, when NTP sets the clock back
    two minutes (into yesterday); keeps the wallboard's figures just before and after."""

    midnight_s = day_start_s(soak.TIMEZONE, soak.START_S + 86_400.0)
    shown: tuple[WallboardFigures, WallboardFigures] | None = None

    async def _next(self, runtime: Runtime) -> bool:
        more = await super()._next(runtime)
        if self.shown is None and self.world.box_now() >= self.midnight_s + 60.0:
            before = runtime.compute_figures()
            self.world.step_clock(-SET_BACK_S)
            self.shown = (before, runtime.compute_figures())
        return more


def test_wallboard_after_clock_set_back_across_midnight_keeps_todays_figures(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="appliance")
    options = soak.SoakOptions(days=1.0, fault_every_s=1e9, calls_per_day=600)
    run = _SetBackAcrossMidnight(options, str(tmp_path / "soak.db"))
    asyncio.run(run.run())
    assert run.shown is not None
    before, after = run.shown
    assert before.answered_today < 5  # a minute into the day
    # not yesterday's hundreds: the depot's day has begun, whatever the clock now says
    assert (after.answered_today, after.abandoned_today) == (
        before.answered_today,
        before.abandoned_today,
    )


def test_desk_report_after_clock_set_back_under_a_minute_counts_every_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The desk folds today's report each minute up to its now. Set back by less than the
    report keeper's minute of tolerance, the clock stamped the next calls before what was
    already folded: the day's report lacked them for good (short of the wallboard at 26 of
    47 checks in a day of steps back by 20–59 s)."""
    caplog.set_level(logging.ERROR, logger="appliance")
    monkeypatch.setattr(soak, "FAULTS", ("clock_stepped_running",))
    monkeypatch.setattr(soak, "RUNNING_STEP_FORWARD_S", (1.0, 60.0))
    monkeypatch.setattr(soak, "RUNNING_STEP_BACK_S", (20.0, 59.0))
    options = soak.SoakOptions(days=1, fault_every_s=1800, seed=3, calls_per_day=300)
    result = asyncio.run(soak.soak(replace(options, database=str(tmp_path / "soak.db"))))
    assert result.fault_kinds == {"clock_stepped_running": 48 - 1}
    # the desk's report of today counts what the wallboard counts, at every check
    assert result.figures_mismatches == 0
    assert result.negative_durations == 0

"""The engine benchmark measures what it says: offers really happen with 500 agents busy and
1 000 callers waiting, and the p99 is taken from the timed offers."""

from __future__ import annotations

import pytest

from appliance import bench_engine


def test_bench_p99_is_the_99th_percentile_of_samples() -> None:
    samples = [i / 1000.0 for i in range(1, 201)]  # 1 ms … 200 ms
    assert bench_engine._p99_ms(samples) == pytest.approx(199.0)
    with pytest.raises(RuntimeError):
        bench_engine._p99_ms([])


def test_bench_large_depot_times_one_offer_per_ended_call() -> None:
    assert bench_engine.decision_p99_ms_large(decisions=40) > 0.0

"""The real engine, run in virtual time with Poisson callers and exponential handle times and no
abandonment, serves its queue as queueing theory says an M/M/N FIFO queue does: service level
within 2 points and ASA within 10 % of Erlang C, averaged over 5 seeds of 100 000 calls, for 2,
3 and 4 agents at 30 calls/hour and 180 s mean handle time (1.5 million calls in all)."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import pytest

from appliance.simulate import SimulationOptions, run_simulation
from appliance.stats.erlang import erlang_c_prediction

CALLS_PER_RUN = 100_000
SEEDS = (1, 2, 3, 4, 5)
AGENTS = (2, 3, 4)
CALLS_PER_HOUR = 30.0
AHT_S = 180.0
SL_THRESHOLD_S = 20.0


def one_run(job: tuple[int, int]) -> tuple[int, float, float, int, int]:
    agents, seed = job
    result = run_simulation(
        SimulationOptions(
            agents=agents,
            calls_per_hour=CALLS_PER_HOUR,
            aht_s=AHT_S,
            calls=CALLS_PER_RUN,
            seed=seed,
            sl_threshold_s=SL_THRESHOLD_S,
        )
    )
    totals = result.figures.totals
    assert totals.service_level is not None and totals.asa_s is not None
    return agents, totals.service_level, totals.asa_s, totals.answered, totals.abandoned


@pytest.fixture(scope="module")
def runs() -> dict[int, list[tuple[float, float, int, int]]]:
    jobs = [(agents, seed) for agents in AGENTS for seed in SEEDS]
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    by_agents: dict[int, list[tuple[float, float, int, int]]] = {n: [] for n in AGENTS}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for agents, service_level, asa_s, answered, abandoned in pool.map(one_run, jobs):
            by_agents[agents].append((service_level, asa_s, answered, abandoned))
    return by_agents


@pytest.mark.timeout(600)
@pytest.mark.parametrize("agents", AGENTS)
def test_engine_queue_matches_erlang_c(
    runs: dict[int, list[tuple[float, float, int, int]]], agents: int
) -> None:
    predicted = erlang_c_prediction(agents, CALLS_PER_HOUR, AHT_S, SL_THRESHOLD_S)
    results = runs[agents]
    assert len(results) == len(SEEDS)
    # every caller was answered: nobody gives up, nobody is turned away
    assert all(
        answered == CALLS_PER_RUN and abandoned == 0 for _, _, answered, abandoned in results
    )
    service_level = sum(r[0] for r in results) / len(results)
    asa_s = sum(r[1] for r in results) / len(results)
    print(
        f"{agents} agents: SL {service_level:.4f} (Erlang C {predicted.service_level:.4f}),"
        f" ASA {asa_s:.2f} s (Erlang C {predicted.asa_s:.2f} s)"
    )
    assert service_level == pytest.approx(predicted.service_level, abs=0.02)
    assert asa_s == pytest.approx(predicted.asa_s, rel=0.10)

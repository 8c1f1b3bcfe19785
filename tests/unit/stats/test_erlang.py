"""Erlang C and Erlang A against values worked by hand and published examples, and against
the textbook factorial formula where that one still works."""

from __future__ import annotations

import math

import pytest

from appliance.stats.erlang import (
    agents_needed,
    erlang_a_prediction,
    erlang_b,
    erlang_c,
    erlang_c_prediction,
)


def textbook_erlang_c(agents: int, traffic: float) -> float:
    """C = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)); overflows past N≈140."""
    top = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
    return top / (sum(traffic**k / math.factorial(k) for k in range(agents)) + top)


def test_erlang_c_two_agents_one_erlang_is_one_third() -> None:
    # By hand: B(1) = 1/(1+1) = 1/2; B(2) = 1·(1/2)/(2 + 1/2) = 1/5;
    # C = 2·(1/5) / (2 − 1·(1 − 1/5)) = (2/5) / (6/5) = 1/3.
    assert erlang_b(2, 1.0) == pytest.approx(1 / 5)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_erlang_c_three_agents_two_erlangs_is_four_ninths() -> None:
    # By hand: B(1) = 2/3; B(2) = 2·(2/3)/(2 + 4/3) = 2/5; B(3) = 2·(2/5)/(3 + 4/5) = 4/19;
    # C = 3·(4/19) / (3 − 2·(15/19)) = (12/19) / (27/19) = 4/9.
    # ASA with h = 180 s: C·h/(N − A) = (4/9)·180/1 = 80 s.
    # SL(20 s) = 1 − (4/9)·e^(−(3 − 2)·20/180) = 1 − (4/9)·e^(−1/9) ≈ 0.60194.
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)
    predicted = erlang_c_prediction(3, calls_per_hour=40, aht_s=180, sl_threshold_s=20)
    assert predicted.traffic_erlangs == pytest.approx(2.0)
    assert predicted.asa_s == pytest.approx(80.0)
    assert predicted.service_level == pytest.approx(1 - 4 / 9 * math.exp(-1 / 9))
    assert predicted.occupancy == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("agents", "p_wait", "service_level", "asa_s"),
    [
        # the well-known worked example: 100 calls per half hour, 3 min handle time (10 E),
        # 80/20 target (callcentrehelper.com "Erlang C formula — made simple")
        (11, 0.6821, 0.3896, 122.8),
        (12, 0.4494, 0.6402, 40.4),
        (13, 0.2853, 0.7956, 17.1),
        (14, 0.1741, 0.8884, 7.8),
    ],
)
def test_erlang_c_published_ten_erlang_example(
    agents: int, p_wait: float, service_level: float, asa_s: float
) -> None:
    predicted = erlang_c_prediction(agents, 200, 180, 20)
    assert predicted.p_wait == pytest.approx(p_wait, abs=5e-5)
    assert predicted.service_level == pytest.approx(service_level, abs=5e-5)
    assert predicted.asa_s == pytest.approx(asa_s, abs=0.05)


def test_erlang_agents_needed_for_80_20_in_the_example_is_14() -> None:
    assert agents_needed(200, 180, 20, 0.80) == 14
    assert agents_needed(200, 180, 20, 0.90) == 15


@pytest.mark.parametrize(("agents", "traffic"), [(1, 0.5), (5, 4.2), (30, 25.0), (120, 110.0)])
def test_erlang_c_matches_the_factorial_formula(agents: int, traffic: float) -> None:
    assert erlang_c(agents, traffic) == pytest.approx(textbook_erlang_c(agents, traffic))


def test_erlang_c_large_centre_does_not_overflow() -> None:
    p_wait = erlang_c(2000, 1950.0)
    assert 0.0 < p_wait < 1.0
    predicted = erlang_c_prediction(2000, 1950 * 20, 180, 20)
    assert 0.0 <= predicted.service_level <= 1.0 and math.isfinite(predicted.asa_s)


def test_erlang_c_overloaded_queue_never_meets_any_level() -> None:
    predicted = erlang_c_prediction(2, calls_per_hour=60, aht_s=180, sl_threshold_s=20)
    assert predicted.p_wait == 1.0
    assert predicted.service_level == 0.0
    assert predicted.asa_s == math.inf


def test_erlang_a_one_agent_equal_rates_is_poisson() -> None:
    # λ = μ = θ = 1/s: the death rate with n callers is μ + (n−1)θ = n, so the chain is that of
    # M/M/∞ with 1 Erlang: π_n = e^−1/n!. P(wait) = 1 − π_0 = 1 − 1/e. By Little's law for
    # those waiting, P(abandon) = θ·E[queue]/λ = E[(n−1)⁺] = E[n] − P(n ≥ 1) = 1/e.
    predicted = erlang_a_prediction(1, 3600, 1.0, 20.0, 1.0)
    assert predicted.p_wait == pytest.approx(1 - math.exp(-1))
    assert predicted.abandon_rate == pytest.approx(math.exp(-1))
    # everyone is answered or gives up well within 20 s
    assert predicted.service_level == pytest.approx(1 - math.exp(-1), abs=1e-9)


def test_erlang_a_with_endless_patience_is_erlang_c() -> None:
    c = erlang_c_prediction(3, 30, 180, 20)
    a = erlang_a_prediction(3, 30, 180, 20, patience_s=1e9)
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-4)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-4)
    assert a.asa_s == pytest.approx(c.asa_s, rel=1e-4)
    assert a.abandon_rate == pytest.approx(0.0, abs=1e-5)


def test_erlang_a_impatient_callers_shorten_the_wait_of_the_rest() -> None:
    patient = erlang_a_prediction(8, 150, 180, 20, patience_s=600)
    impatient = erlang_a_prediction(8, 150, 180, 20, patience_s=60)
    assert impatient.abandon_rate > patient.abandon_rate > 0
    assert impatient.asa_s < patient.asa_s
    # overloaded in Erlang C terms, yet stable with abandonment
    overloaded = erlang_a_prediction(2, 60, 180, 20, patience_s=120)
    assert 0 < overloaded.service_level < 1 and math.isfinite(overloaded.asa_s)
    assert agents_needed(150, 180, 20, 0.8, patience_s=60) <= agents_needed(150, 180, 20, 0.8)

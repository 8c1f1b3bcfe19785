"""Queueing-theory predictions for staffing: Erlang C (callers wait for ever), Erlang A
(callers give up after an exponential patience), and agents needed for a target."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Erlang C is the M/M/N queue. Its probability of waiting comes from the Erlang B recursion
# B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)) — stable for any N, no factorials — and
# C = N·B / (N − A·(1 − B)); then SL(T) = 1 − C·e^(−(N−A)·T/h) and ASA = C·h / (N − A).
#
# Erlang A is Palm's M/M/N+M model (C. Palm 1943; O. Garnett, A. Mandelbaum, M. Reiman,
# "Designing a call center with impatient customers", MSOM 4(3), 2002). We solve its
# birth–death chain (birth λ, death min(n, N)·μ + max(n − N, 0)·θ) for the stationary
# probabilities, then follow a tagged caller who finds n callers ahead: at queue position j it
# moves up at rate N·μ + (j − 1)·θ and gives up at rate θ. That gives P(wait), P(abandon), the
# share answered within T and the ASA of answered callers exactly, without incomplete-gamma
# series.


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the model expects. Shares are 0..1; `service_level` is answered within T ÷ all
    callers (abandons count against it); `asa_s` is the mean wait of answered callers."""

    agents: int
    traffic_erlangs: float
    p_wait: float
    service_level: float
    asa_s: float
    abandon_rate: float = 0.0
    occupancy: float = 0.0


def traffic_erlangs(calls_per_hour: float, aht_s: float) -> float:
    return calls_per_hour * aht_s / 3600.0


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of N servers offered A Erlangs, by the stable recursion."""
    if agents < 0 or traffic < 0:
        raise ValueError("agents and traffic must not be negative")
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return blocking


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a caller waits (M/M/N); 1.0 when the agents cannot keep up."""
    if agents <= 0 or traffic >= agents:
        return 1.0
    if traffic == 0:
        return 0.0
    blocking = erlang_b(agents, traffic)
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def erlang_c_prediction(
    agents: int, calls_per_hour: float, aht_s: float, sl_threshold_s: float
) -> Prediction:
    """Erlang C service level within `sl_threshold_s` and ASA. With too few agents the queue
    grows without bound: service level 0 and ASA infinite."""
    traffic = traffic_erlangs(calls_per_hour, aht_s)
    if agents <= 0 or traffic >= agents:
        return Prediction(agents, traffic, 1.0, 0.0, math.inf, 0.0, 1.0 if agents > 0 else 0.0)
    p_wait = erlang_c(agents, traffic)
    service_level = 1.0 - p_wait * math.exp(-(agents - traffic) * sl_threshold_s / aht_s)
    asa_s = p_wait * aht_s / (agents - traffic)
    return Prediction(agents, traffic, p_wait, service_level, asa_s, 0.0, traffic / agents)


def erlang_a_prediction(
    agents: int,
    calls_per_hour: float,
    aht_s: float,
    sl_threshold_s: float,
    patience_s: float,
    *,
    tail: float = 1e-12,
) -> Prediction:
    """Erlang A (M/M/N+M) with mean patience `patience_s`: P(wait), share answered within
    `sl_threshold_s` of all callers, ASA of answered callers, share who abandon."""
    if agents <= 0:
        raise ValueError("Erlang A needs at least one agent")
    if patience_s <= 0:
        raise ValueError("patience must be positive")
    arrival = calls_per_hour / 3600.0
    service = 1.0 / aht_s
    give_up = 1.0 / patience_s
    traffic = arrival / service

    # Unnormalised stationary probabilities, n = 0.. until the tail is negligible; rescaled
    # whenever they grow large (heavy traffic would overflow floats), kept with a running sum.
    weights = [1.0]
    total = 1.0
    n = 0
    while True:
        n += 1
        death = min(n, agents) * service + max(n - agents, 0) * give_up
        weight = weights[-1] * arrival / death
        weights.append(weight)
        total += weight
        if weight > 1e200:
            weights = [w / weight for w in weights]
            total /= weight
        elif n > agents + 10 and weight < tail * total:
            break
    found = [w / total for w in weights]  # PASTA: what an arriving caller finds

    p_wait = sum(found[agents:])
    ahead_max = len(found) - agents  # a caller finding agents + k waits at position k + 1
    # Position j (1 = next): moves up at rate N·μ + (j − 1)·θ, leaves at rate θ.
    moves = [agents * service + (j - 1) * give_up for j in range(1, ahead_max + 1)]
    exits = [m + give_up for m in moves]

    served_share = sum(found[:agents])  # answered at once
    waited_total = 0.0
    p_served = 1.0
    mean_wait = 0.0
    for k in range(ahead_max):
        # a caller who finds agents + k callers starts at position k + 1 and passes
        # through positions k + 1 … 1; the exit times are independent of the exit taken
        p_served *= moves[k] / exits[k]
        mean_wait += 1.0 / exits[k]
        served_share += found[agents + k] * p_served
        waited_total += found[agents + k] * p_served * mean_wait
    answered_within = sum(found[:agents]) + _answered_by(
        found[agents:], moves, give_up, sl_threshold_s
    )
    abandon_rate = 1.0 - served_share
    asa_s = waited_total / served_share if served_share > 0 else math.inf
    occupancy = traffic * served_share / agents
    return Prediction(
        agents, traffic, p_wait, answered_within, asa_s, abandon_rate, min(occupancy, 1.0)
    )


def _answered_by(
    start_share: list[float], moves: list[float], give_up: float, time_s: float
) -> float:
    """Share of callers who start at position j + 1 with `start_share[j]` and reach an agent
    within `time_s`, by uniformisation of the tagged caller's chain: from position j it moves
    up at `moves[j - 1]` and gives up at `give_up`."""
    if time_s <= 0:
        return 0.0
    fastest = max(m + give_up for m in moves)
    mean_ticks = fastest * time_s
    up = [m / fastest for m in moves]
    away = give_up / fastest
    position = list(start_share)  # position[j] = still waiting at position j + 1
    answered = 0.0  # reached an agent after the ticks so far
    reached = 0.0  # Σ over ticks of Poisson weight × answered
    log_weight = -mean_ticks
    limit = int(mean_ticks + 12.0 * math.sqrt(mean_ticks) + 30)
    for tick in range(limit + 1):
        reached += math.exp(log_weight) * answered
        log_weight += math.log(mean_ticks) - math.log(tick + 1)
        answered += position[0] * up[0]
        for j in range(len(position) - 1):
            position[j] = position[j] * (1.0 - up[j] - away) + position[j + 1] * up[j + 1]
        position[-1] *= 1.0 - up[-1] - away
    return min(1.0, reached)


def agents_needed(
    calls_per_hour: float,
    aht_s: float,
    sl_threshold_s: float,
    target_service_level: float,
    *,
    patience_s: float | None = None,
    max_agents: int = 1000,
) -> int:
    """The fewest agents whose predicted service level reaches the target (Erlang C, or
    Erlang A when a mean patience is given)."""
    if not 0.0 < target_service_level < 1.0:
        raise ValueError("the target service level must be between 0 and 1")

    def reaches(agents: int) -> bool:
        if patience_s is None:
            predicted = erlang_c_prediction(agents, calls_per_hour, aht_s, sl_threshold_s)
        else:
            predicted = erlang_a_prediction(
                agents, calls_per_hour, aht_s, sl_threshold_s, patience_s
            )
        return predicted.service_level >= target_service_level

    if not reaches(max_agents):
        raise ValueError(f"more than {max_agents} agents needed")
    # the service level only grows with more agents: bisect for the first that reaches it
    low, high = 0, max_agents  # low never reaches, high always does
    while high - low > 1:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    return high

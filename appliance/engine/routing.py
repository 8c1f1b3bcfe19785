"""Routing strategies: which of the free, eligible agents a queue offers the next call to."""

from __future__ import annotations

import random

from appliance.engine.agents import AgentSeat
from appliance.engine.setup import Strategy


class RoundRobinMemory:
    """app_queue's rrmemory: each queue carries on after the agent it offered to last."""

    __slots__ = ("_last_order",)

    def __init__(self) -> None:
        self._last_order: dict[str, int] = {}

    def pick(self, queue: str, candidates: list[AgentSeat]) -> AgentSeat:
        last = self._last_order.get(queue, -1)
        after = [seat for seat in candidates if seat.order > last]
        chosen = min(after or candidates, key=_by_order)
        self._last_order[queue] = chosen.order
        return chosen


def _by_order(seat: AgentSeat) -> int:
    return seat.order


def choose(
    strategy: Strategy,
    queue: str,
    candidates: list[AgentSeat],
    memory: RoundRobinMemory,
    rng: random.Random,
) -> list[AgentSeat]:
    """The agents to ring now: all candidates for ring-all, else exactly one. Ties go to the
    agent listed first in the setup, so every decision is reproducible."""
    if not candidates:
        return []
    if strategy is Strategy.RING_ALL:
        return sorted(candidates, key=_by_order)
    if strategy is Strategy.LONGEST_IDLE:
        return [min(candidates, key=lambda s: (s.idle_since_s, s.order))]
    if strategy is Strategy.ROUND_ROBIN:
        return [memory.pick(queue, candidates)]
    if strategy is Strategy.FEWEST_CALLS:
        return [min(candidates, key=lambda s: (s.calls_today, s.idle_since_s, s.order))]
    if strategy is Strategy.LEAST_TALK_TIME:
        return [min(candidates, key=lambda s: (s.talk_s_today, s.idle_since_s, s.order))]
    if strategy is Strategy.RANDOM:
        return [rng.choice(sorted(candidates, key=_by_order))]
    return [min(candidates, key=_by_order)]

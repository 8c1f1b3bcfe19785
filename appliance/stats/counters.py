"""Sums the reducer keeps per day, hour, queue and agent. Only sums, so buckets add up into
any period; every rate and mean is computed from them when asked, None with nothing to divide."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class SlVariant(enum.Enum):
    """How the service level treats callers who gave up."""

    ANSWERED_ONLY = "answered_only"  # answered within T ÷ answered
    COUNT_ABANDONS = "count_abandons"  # answered within T ÷ (answered + abandoned)
    COUNT_LONG_ABANDONS = "count_long_abandons"  # as above, short abandons left out


@dataclass(slots=True)
class CallCounters:
    """Calls that entered a queue, counted in the bucket of their first entry."""

    offered: int = 0  # entered a queue (asked for an agent)
    answered: int = 0
    answered_within_sl: int = 0
    abandoned: int = 0
    short_abandoned: int = 0  # gave up within short_abandon_s
    timed_out: int = 0
    overflowed: int = 0
    left_empty: int = 0  # no agent logged in
    refused_full: int = 0
    virtual_hold: int = 0
    wait_answered_s: float = 0.0
    wait_abandoned_s: float = 0.0
    completed: int = 0  # answered conversations that ended
    talk_s: float = 0.0  # holds included
    wrap_s: float = 0.0
    # the box ended the call while the caller waited (line fault, call cap, shutdown, silent
    # line): not an abandon, and left out of every rate (they measure how callers the box
    # could hold were served)
    interrupted: int = 0
    # heard their waybill's status in the keypad self-service and hung up: served without an
    # agent, never offered to a queue, in no rate
    self_served: int = 0

    def add(self, other: CallCounters) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def service_level(self, variant: SlVariant) -> float | None:
        """Answered within T ÷ the callers it is measured over. Callers the queue sent on
        unserved after waiting (max wait reached, nobody left logged in) were not answered
        within T: they count in every variant but answered-only."""
        if variant is SlVariant.ANSWERED_ONLY:
            base = self.answered
        else:
            base = self.answered + self.abandoned + self.timed_out + self.left_empty
            if variant is SlVariant.COUNT_LONG_ABANDONS:
                base -= self.short_abandoned
        return self.answered_within_sl / base if base else None

    @property
    def held(self) -> int:
        """Offered calls the box did not cut short: the base of answer and abandon rates."""
        return self.offered - self.interrupted

    @property
    def answer_rate(self) -> float | None:
        held = self.held
        return self.answered / held if held > 0 else None

    @property
    def abandon_rate(self) -> float | None:
        held = self.held
        return self.abandoned / held if held > 0 else None

    @property
    def asa_s(self) -> float | None:
        return self.wait_answered_s / self.answered if self.answered else None

    @property
    def aht_s(self) -> float | None:
        return (self.talk_s + self.wrap_s) / self.completed if self.completed else None


@dataclass(slots=True)
class AgentCounters:
    """One agent's work; state seconds by AgentState value."""

    answered: int = 0
    completed: int = 0
    talk_s: float = 0.0
    wrap_s: float = 0.0
    missed_offers: int = 0  # rang out or declined
    transfers: int = 0
    state_s: dict[str, float] = field(default_factory=dict)

    def add(self, other: AgentCounters) -> None:
        self.answered += other.answered
        self.completed += other.completed
        self.talk_s += other.talk_s
        self.wrap_s += other.wrap_s
        self.missed_offers += other.missed_offers
        self.transfers += other.transfers
        for state, seconds in other.state_s.items():
            self.state_s[state] = self.state_s.get(state, 0.0) + seconds

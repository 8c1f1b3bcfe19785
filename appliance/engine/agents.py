"""Agents as the engine sees them while it runs: login, pause, what they are doing, today's
counts, and an index of who is free to take a call, per queue and tier."""

from __future__ import annotations

from dataclasses import dataclass, field

from appliance.engine.setup import Agent, Tier
from appliance.engine.views import AgentState, AgentView


@dataclass(slots=True, eq=False)
class AgentSeat:
    """One agent's live state. `activity` is RINGING, ON_CALL or WRAP_UP, or None when idle."""

    config: Agent
    order: int  # place in the setup's agent list: linear order and every tie-break
    id: str = ""  # the config's id, kept as a plain attribute: routing reads it constantly
    position: str = ""
    logged_in_since_s: float | None = None
    paused: bool = False
    pause_reason: str = ""
    paused_since_s: float = 0.0  # when the pause began, or (once ready) when it ended
    activity: AgentState | None = None
    activity_since_s: float = 0.0
    idle_since_s: float = 0.0  # last call ended, or logged in: longest-idle orders by it
    call_id: str = ""
    leg_offer_id: str = ""  # the offer whose answer set up the leg the agent is on
    wrap_up_until_s: float | None = None
    wrap_up_timer: int = 0
    # the call whose summary the wrap-up waits for (its queue's summary_required), and the
    # call whose summary the desk already saved (before the wrap-up began)
    summary_call_id: str = ""
    summary_saved_call_id: str = ""
    missed_offers: int = 0
    # paused "missed" just before their position failed: the misses were the fault's, so the
    # agent is made ready again when the position is back in service
    unpause_when_back: bool = False
    calls_today: int = 0
    talk_s_today: float = 0.0
    listening_to: str = ""  # a supervisor's call being listened to
    logout_pending: bool = False
    available: bool = False
    skills: dict[str, Tier] = field(default_factory=dict)
    # the board's free-agent sets this agent belongs in, one per skill (queue, set): found
    # once per setup, not on every change of availability
    free_sets: list[tuple[str, set[str]]] = field(default_factory=list)

    @property
    def logged_in(self) -> bool:
        return self.logged_in_since_s is not None

    def state(self) -> AgentState:
        if not self.logged_in:
            return AgentState.LOGGED_OUT
        if self.activity is not None:
            return self.activity
        return AgentState.PAUSED if self.paused else AgentState.READY

    def view(self) -> AgentView:
        return AgentView(
            id=self.id,
            name=self.config.name,
            state=self.state(),
            since_s=self.state_since_s(),
            position=self.position,
            pause_reason=self.pause_reason if self.paused else "",
            call_id=self.call_id or self.listening_to,
            wrap_up_until_s=self.wrap_up_until_s,
            summary_pending=bool(self.summary_call_id),
            calls_today=self.calls_today,
            talk_s_today=self.talk_s_today,
            logged_in_since_s=self.logged_in_since_s,
            missed_offers=self.missed_offers,
        )

    def state_since_s(self) -> float:
        if self.activity is not None:
            return self.activity_since_s
        if self.paused:
            return self.paused_since_s
        if self.logged_in_since_s is None:
            return 0.0
        # ready since the last call, the sign-in or the end of a pause, whichever came last
        return max(self.idle_since_s, self.logged_in_since_s, self.paused_since_s)


class AgentBoard:
    """Every agent's seat, and per queue and tier the set of agents free for an offer now, so
    routing never scans agents who cannot take the call."""

    __slots__ = ("_free", "_free_count", "_levels", "_logged_in", "_members", "seats")

    def __init__(self, agents: tuple[Agent, ...]) -> None:
        self.seats: dict[str, AgentSeat] = {}
        self._free: dict[str, dict[Tier, set[str]]] = {}
        self._free_count: dict[str, int] = {}  # free agents per queue, all tiers
        self._logged_in: dict[str, dict[Tier, int]] = {}
        self._levels: dict[str, list[Tier]] = {}
        self._members: dict[str, list[AgentSeat]] = {}
        self.replace_agents(agents)

    def replace_agents(self, agents: tuple[Agent, ...]) -> list[AgentSeat]:
        """Take a new agent list; live state of agents who remain is kept. Agents who were
        removed but are still logged in stay (after the others) until they are logged out;
        they are returned so the engine can log them out."""
        old = self.seats
        self.seats = {}
        self._free = {}
        self._free_count = {}
        self._logged_in = {}
        self._levels = {}
        self._members = {}
        for order, config in enumerate(agents):
            seat = old.get(config.id)
            if seat is None:
                seat = AgentSeat(config=config, order=order, id=config.id)
            else:
                seat.config = config
                seat.order = order
            seat.skills = dict(config.skills)
            self.seats[config.id] = seat
        removed = [seat for seat in old.values() if seat.id not in self.seats and seat.logged_in]
        for order, seat in enumerate(removed, start=len(agents)):
            seat.order = order
            self.seats[seat.id] = seat
        for seat in self.seats.values():
            seat.available = False
            seat.free_sets = [
                (queue, self._free.setdefault(queue, {}).setdefault(tier, set()))
                for queue, tier in seat.skills.items()
            ]
            for queue in seat.skills:
                self._free_count[queue] = 0
                self._members.setdefault(queue, []).append(seat)
            if seat.logged_in:
                self.set_logged_in(seat, True)
        return removed

    def set_logged_in(self, seat: AgentSeat, logged_in: bool) -> None:
        step = 1 if logged_in else -1
        for queue, tier in seat.skills.items():
            counts = self._logged_in.setdefault(queue, {})
            counts[tier] = counts.get(tier, 0) + step
            self._levels[queue] = sorted(t for t, count in counts.items() if count > 0)

    def logged_in_count(self, queue: str) -> int:
        return sum(self._logged_in.get(queue, {}).values())

    def anyone_taking_calls(self, queue: str) -> bool:
        """Somebody of the queue logged in and not paused (stops at the first)."""
        return any(s.logged_in and not s.paused for s in self._members.get(queue, ()))

    def taking_calls_count(self, queue: str) -> int:
        """Agents of the queue logged in and not paused: who can take its calls, now or
        after their current call."""
        return sum(1 for s in self._members.get(queue, ()) if s.logged_in and not s.paused)

    def logged_in_tiers(self, queue: str) -> list[Tier]:
        """Tiers with somebody logged in, lowest first (tiers nobody staffs are skipped, so
        callers never wait for an empty tier: mod_callcenter's no-agent-no-wait)."""
        return self._levels.get(queue, [])

    def free_by_tier(self, queue: str) -> dict[Tier, set[str]]:
        return self._free.get(queue, {})

    def has_free(self, queue: str) -> bool:
        """Anybody free for this queue now (a free agent is logged in, so their tier counts)."""
        return self._free_count.get(queue, 0) > 0

    def set_available(self, seat: AgentSeat, available: bool) -> bool:
        """Record whether the agent can be offered a call; True if that changed."""
        if seat.available == available:
            return False
        seat.available = available
        step = 1 if available else -1
        free_count = self._free_count
        for queue, free in seat.free_sets:
            if available:
                free.add(seat.id)
            else:
                free.discard(seat.id)
            free_count[queue] += step
        return True

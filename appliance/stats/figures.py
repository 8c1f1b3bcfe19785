"""The figures reducer: folds queue-log entries (no I/O, no clock) into live counts and day,
hour, queue and agent sums, so the wallboard, the reports and a restarted daemon all get the
same numbers from the same log. Definitions: docs/figures.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from appliance.engine.records import QueueLogEntry, Verb
from appliance.engine.setup import DepotSetup
from appliance.engine.views import AgentState
from appliance.stats.calendar import DepotCalendar
from appliance.stats.counters import AgentCounters, CallCounters, SlVariant
from drivers.roles import WallboardFigures

# ENTERQUEUE's priority for a caller back in line after their agent's phone failed
# (appliance/engine/queueing.py PRIORITY_DATA)
RETURNING_PRIORITY = "2"

# Calls are counted in the local day and hour of their first ENTERQUEUE (a call offered at
# 23:59 and answered at 00:01 belongs to the day it was offered); agent time is split at local
# midnight.

# Kept report days hold sums folded by this code: bump when folding the same log gives other
# sums, and the days are folded again (appliance/desk/reports.py).
SUMS_VERSION = 4

_BUSY_STATES = (AgentState.ON_CALL.value, AgentState.WRAP_UP.value)
_STAFFED_STATES = (
    AgentState.READY.value,
    AgentState.RINGING.value,
    AgentState.ON_CALL.value,
    AgentState.WRAP_UP.value,
)


@dataclass(frozen=True, slots=True)
class CallFigures:
    """Call figures of one bucket (a period, a queue or an hour). None = nothing to divide."""

    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    timed_out: int
    overflowed: int
    service_level: float | None
    answer_rate: float | None
    abandon_rate: float | None
    asa_s: float | None
    aht_s: float | None
    mean_abandon_wait_s: float | None
    interrupted: int = 0  # cut short by the box while waiting (not abandons, not in rates)
    self_served: int = 0  # served by the keypad self-service, never offered (not in rates)


@dataclass(frozen=True, slots=True)
class AgentFigures:
    agent: str
    state: AgentState
    answered: int
    talk_s: float
    wrap_s: float
    aht_s: float | None
    missed_offers: int
    transfers: int
    logged_in_s: float
    paused_s: float
    occupancy: float | None  # (talk + wrap-up) ÷ logged-in time not paused


@dataclass(frozen=True, slots=True)
class FigureSet:
    """Everything the reports show for the days `first_day` … `last_day`."""

    time_s: float
    first_day: dt.date
    last_day: dt.date
    sl_threshold_s: float
    sl_variant: SlVariant
    calls_waiting: int
    longest_wait_s: float
    agents_by_state: tuple[tuple[AgentState, int], ...]
    totals: CallFigures
    occupancy: float | None
    by_queue: tuple[tuple[str, CallFigures], ...]
    by_hour: tuple[tuple[int, CallFigures], ...]  # hour of the local day, 0–23, all 24
    by_day: tuple[tuple[dt.date, CallFigures], ...]  # days with calls, oldest first
    by_agent: tuple[AgentFigures, ...]
    waiting_by_queue: tuple[tuple[str, int], ...]
    faults: tuple[str, ...]


class _Bucket:
    __slots__ = ("hours", "queues", "totals")

    def __init__(self) -> None:
        self.totals = CallCounters()
        self.queues: dict[str, CallCounters] = {}
        self.hours: dict[int, CallCounters] = {}


class _Call:
    """A call that entered a queue and has not ended yet."""

    __slots__ = (
        "answered", "answered_in", "completed", "day", "exit", "hour", "queue", "queues",
        "waiting", "waiting_since_s",
    )  # fmt: skip

    def __init__(self, day: dt.date, hour: int, queue: str, since_s: float) -> None:
        self.day = day
        self.hour = hour
        self.queue = queue
        self.queues = {queue}  # every queue it entered: offered once in each
        self.waiting = True
        self.waiting_since_s = since_s
        self.answered = False
        # queues whose agent answered it: a caller transferred to another queue is that
        # queue's new caller, answered (or abandoned) there too, while the totals count it once
        self.answered_in: set[str] = set()
        self.completed = False  # its conversation ended (counted once however many legs)
        # the counter its last unserved exit went to ("timed_out", "left_empty"): a caller
        # sent on who then hangs up in the overflow prompt moves from there to abandoned
        self.exit = ""


class _Agent:
    __slots__ = ("activity", "call_id", "id", "last_call", "logged_in", "paused", "since_s")

    def __init__(self, agent_id: str) -> None:
        self.id = agent_id
        self.logged_in = False
        self.paused = False
        self.activity: AgentState | None = None
        self.call_id = ""
        self.last_call: _Call | None = None  # the call its wrap-up belongs to
        self.since_s = 0.0

    @property
    def state(self) -> AgentState:
        if not self.logged_in:
            return AgentState.LOGGED_OUT
        if self.activity is not None:
            return self.activity
        return AgentState.PAUSED if self.paused else AgentState.READY


class Figures:
    """Pure reducer over the queue log. `fold` every entry in log order; ask `wallboard` or
    `report` at any time (asking changes nothing)."""

    def __init__(
        self,
        *,
        timezone: str,
        sl_threshold_s: float = 20.0,
        sl_variant: SlVariant = SlVariant.COUNT_LONG_ABANDONS,
        short_abandon_s: float = 5.0,
        queue_sl_thresholds_s: Mapping[str, float] | None = None,
    ) -> None:
        """`queue_sl_thresholds_s` gives a queue its own service-level threshold; calls in
        other queues use `sl_threshold_s`."""
        self.calendar = DepotCalendar(timezone)
        self.sl_threshold_s = sl_threshold_s
        self._queue_thresholds_s = dict(queue_sl_thresholds_s or {})
        self.sl_variant = sl_variant
        self.short_abandon_s = short_abandon_s
        self._days: dict[dt.date, _Bucket] = {}
        self._agent_days: dict[dt.date, dict[str, AgentCounters]] = {}
        self._calls: dict[str, _Call] = {}
        self._agents: dict[str, _Agent] = {}
        self._faults: dict[str, float] = {}
        self._waybill_queues: dict[str, str] = {}  # call → queue of its self-service look-up
        handlers: dict[Verb, Callable[[QueueLogEntry], None]] = {
            Verb.ENTERQUEUE: self._enter_queue,
            Verb.CONNECT: self._connect,
            Verb.ABANDON: self._abandon,
            Verb.EXITWITHTIMEOUT: self._exit_timeout,
            Verb.EXITEMPTY: self._exit_empty,
            Verb.EXITCLOSED: self._exit_empty,  # sent on unserved: nobody will answer now
            Verb.EXITFULL: self._exit_full,
            Verb.EXITWITHKEY: self._exit_key,
            Verb.EXITINTERRUPTED: self._exit_interrupted,
            Verb.OVERFLOW: self._overflow,
            Verb.COMPLETECALLER: self._complete,
            Verb.COMPLETEAGENT: self._complete,
            Verb.TRANSFER: self._transfer,
            Verb.HANGUP: self._hangup,
            Verb.WAYBILL: self._waybill,
            Verb.OFFER: self._offer,
            Verb.RINGNOANSWER: self._offer_missed,
            Verb.RINGREJECTED: self._offer_missed,
            Verb.RINGCANCELED: self._offer_ended,
            Verb.AGENTLOGIN: self._login,
            Verb.AGENTLOGOFF: self._logoff,
            Verb.PAUSE: self._pause,
            Verb.UNPAUSE: self._unpause,
            Verb.WRAPUPSTART: self._wrap_up_start,
            Verb.WRAPUPEND: self._wrap_up_end,
            Verb.LINEFAULT: self._line_fault,
            Verb.LINERESTORED: self._line_restored,
            Verb.QUEUESTART: self._daemon_started,
        }
        self._handlers = {verb.value: handler for verb, handler in handlers.items()}

    @classmethod
    def for_setup(
        cls,
        setup: DepotSetup,
        *,
        sl_variant: SlVariant = SlVariant.COUNT_LONG_ABANDONS,
        short_abandon_s: float = 5.0,
    ) -> Figures:
        """Figures in the depot's time zone with each queue's own service-level threshold."""
        thresholds = {queue.id: queue.sl_threshold_s for queue in setup.queues}
        default_s = setup.queues[0].sl_threshold_s if setup.queues else 20.0
        return cls(
            timezone=setup.hours.timezone,
            sl_threshold_s=default_s,
            sl_variant=sl_variant,
            short_abandon_s=short_abandon_s,
            queue_sl_thresholds_s=thresholds,
        )

    def start_of_day_s(self, time_s: float) -> float:
        """Local midnight before `time_s`. After a restart, fold the log from the last daemon
        start at or before it (`Store.last_start_s`): agents logged in across midnight need
        their login, everything before a start is over anyway."""
        return self.calendar.start_of(self.calendar.day_of(time_s))

    # -- folding ----------------------------------------------------------------------------

    def fold(self, entry: QueueLogEntry) -> None:
        # keyed by the member's value: Enum.__hash__ is Python code, too slow per entry
        handler = self._handlers.get(entry.verb._value_)
        if handler is not None:
            handler(entry)

    def fold_all(self, entries: Iterable[QueueLogEntry]) -> None:
        for entry in entries:
            self.fold(entry)

    def _counters(self, call: _Call) -> tuple[CallCounters, CallCounters, CallCounters]:
        return self._bucket_counters(call.day, call.hour, call.queue)

    def _bucket_counters(
        self, day: dt.date, hour_of_day: int, queue_id: str
    ) -> tuple[CallCounters, CallCounters, CallCounters]:
        bucket = self._days.get(day)
        if bucket is None:
            bucket = self._days[day] = _Bucket()
        queue = bucket.queues.get(queue_id)
        if queue is None:
            queue = bucket.queues[queue_id] = CallCounters()
        hour = bucket.hours.get(hour_of_day)
        if hour is None:
            hour = bucket.hours[hour_of_day] = CallCounters()
        return bucket.totals, queue, hour

    def _enter_queue(self, entry: QueueLogEntry) -> None:
        call = self._calls.get(entry.call_id)
        if call is None:
            day, hour = self.calendar.day_and_hour(entry.time_s)
            call = self._calls[entry.call_id] = _Call(day, hour, entry.queue, entry.time_s)
            totals, queue, by_hour = self._counters(call)
            totals.offered += 1
            by_hour.offered += 1
            queue.offered += 1
        else:  # moved to another queue, or back to this one after its agent's phone failed
            call.queue = entry.queue
            if not call.waiting:
                call.waiting = True
                if call.answered and entry.data[2:3] == (RETURNING_PRIORITY,):
                    call.waiting_since_s = entry.time_s  # back after a phone fault: afresh
                # an overflowed or transferred caller keeps waiting from their first entry
            if entry.queue not in call.queues:
                call.queues.add(entry.queue)
                _, queue, _ = self._counters(call)
                queue.offered += 1

    def _leave_queue(self, entry: QueueLogEntry) -> _Call | None:
        call = self._calls.get(entry.call_id)
        if call is not None:
            call.waiting = False
        for agent in self._agents.values():
            if agent.activity is AgentState.RINGING and agent.call_id == entry.call_id:
                self._set_activity(agent, None, entry.time_s)
        return call

    def _connect(self, entry: QueueLogEntry) -> None:
        call = self._calls.get(entry.call_id)
        agent = self._agent(entry.agent)
        if call is not None:
            call.waiting = False
            agent.last_call = call
            if call.queue not in call.answered_in:
                call.answered_in.add(call.queue)
                wait_s = float(entry.data[0]) if entry.data else 0.0
                within = wait_s <= self._queue_thresholds_s.get(call.queue, self.sl_threshold_s)
                # the first answer counts everywhere; one after a transfer to a queue, there
                counted = self._counters(call)
                for counters in counted if not call.answered else counted[1:2]:
                    counters.answered += 1
                    counters.wait_answered_s += wait_s
                    if within:
                        counters.answered_within_sl += 1
                if not call.answered:
                    self._agent_counters(entry.agent, entry.time_s).answered += 1
                call.answered = True
        # other agents ringing for this call stop ringing
        for other_id, other in self._agents.items():
            if (
                other_id != entry.agent
                and other.activity is AgentState.RINGING
                and other.call_id == entry.call_id
            ):
                self._set_activity(other, None, entry.time_s)
        agent.call_id = entry.call_id
        self._set_activity(agent, AgentState.ON_CALL, entry.time_s)

    def _abandon(self, entry: QueueLogEntry) -> None:
        call = self._leave_queue(entry)
        if call is None or call.queue in call.answered_in:
            return  # an answered caller back in line after a phone fault counts once
        # transferred to this queue after an answer: that queue's abandon, not the call's
        counted: tuple[CallCounters, ...] = self._counters(call)
        if call.answered:
            counted = counted[1:2]
        if call.exit:
            for counters in self._counters(call):
                setattr(counters, call.exit, getattr(counters, call.exit) - 1)
            call.exit = ""
        wait_s = float(entry.data[2]) if len(entry.data) > 2 else 0.0
        short = wait_s <= self.short_abandon_s
        for counters in counted:
            counters.abandoned += 1
            counters.wait_abandoned_s += wait_s
            if short:
                counters.short_abandoned += 1

    def _exit_timeout(self, entry: QueueLogEntry) -> None:
        call = self._leave_queue(entry)
        if call is not None:
            call.exit = "timed_out"
            for counters in self._counters(call):
                counters.timed_out += 1

    def _exit_empty(self, entry: QueueLogEntry) -> None:
        call = self._leave_queue(entry)
        if call is not None:
            call.exit = "left_empty"
            for counters in self._counters(call):
                counters.left_empty += 1

    def _exit_full(self, entry: QueueLogEntry) -> None:
        call = self._leave_queue(entry)
        if call is not None:
            for counters in self._counters(call):
                counters.refused_full += 1

    def _exit_key(self, entry: QueueLogEntry) -> None:
        call = self._leave_queue(entry)
        if call is not None:
            for counters in self._counters(call):
                counters.virtual_hold += 1

    def _exit_interrupted(self, entry: QueueLogEntry) -> None:
        call = self._leave_queue(entry)
        if call is not None and not call.answered:
            for counters in self._counters(call):
                counters.interrupted += 1

    def _overflow(self, entry: QueueLogEntry) -> None:
        call = self._calls.get(entry.call_id)
        if call is None:
            return
        _, queue, _ = self._counters(call)
        queue.overflowed += 1
        if entry.data[:1] != ("queue",):  # left the queues for voicemail, callback, hang-up
            self._leave_queue(entry)
            totals, _, by_hour = self._counters(call)
            totals.overflowed += 1
            by_hour.overflowed += 1

    def _talk_ended(self, entry: QueueLogEntry, talk_s: float, *, completed: bool) -> None:
        call = self._calls.get(entry.call_id)
        counters = self._agent_counters(entry.agent, entry.time_s)
        counters.talk_s += talk_s
        if completed:
            counters.completed += 1
        if call is not None:
            # a conversation ends once per call: a leg cut by a failed phone or left by a
            # three-way colleague adds its talk, not another handled call
            first_end = completed and not call.completed
            call.completed = call.completed or completed
            for bucket in self._counters(call):
                bucket.talk_s += talk_s
                if first_end:
                    bucket.completed += 1
        agent = self._agent(entry.agent)
        if agent.activity is AgentState.ON_CALL and agent.call_id == entry.call_id:
            self._set_activity(agent, None, entry.time_s)

    def _complete(self, entry: QueueLogEntry) -> None:
        talk_s = float(entry.data[1]) if len(entry.data) > 1 else 0.0
        self._talk_ended(entry, talk_s, completed=True)

    def _transfer(self, entry: QueueLogEntry) -> None:
        talk_s = float(entry.data[3]) if len(entry.data) > 3 else 0.0
        self._agent_counters(entry.agent, entry.time_s).transfers += 1
        self._talk_ended(entry, talk_s, completed=False)

    def _waybill(self, entry: QueueLogEntry) -> None:
        self._waybill_queues[entry.call_id] = entry.queue

    def _hangup(self, entry: QueueLogEntry) -> None:
        waybill_queue = self._waybill_queues.pop(entry.call_id, None)
        if waybill_queue is not None and entry.data[:1] == ("self_served",):
            day, hour = self.calendar.day_and_hour(entry.time_s)
            for counters in self._bucket_counters(day, hour, waybill_queue):
                counters.self_served += 1
        self._leave_queue(entry)
        self._calls.pop(entry.call_id, None)
        for agent in self._agents.values():
            if agent.activity is AgentState.ON_CALL and agent.call_id == entry.call_id:
                self._set_activity(agent, None, entry.time_s)

    def _offer(self, entry: QueueLogEntry) -> None:
        agent = self._agent(entry.agent)
        agent.call_id = entry.call_id
        self._set_activity(agent, AgentState.RINGING, entry.time_s)

    def _offer_ended(self, entry: QueueLogEntry) -> None:
        agent = self._agent(entry.agent)
        if agent.activity is AgentState.RINGING:
            self._set_activity(agent, None, entry.time_s)

    def _offer_missed(self, entry: QueueLogEntry) -> None:
        self._agent_counters(entry.agent, entry.time_s).missed_offers += 1
        self._offer_ended(entry)

    def _login(self, entry: QueueLogEntry) -> None:
        agent = self._agent(entry.agent)
        self._advance(entry.agent, agent, entry.time_s)
        agent.logged_in = True
        agent.paused = False
        agent.activity = None

    def _logoff(self, entry: QueueLogEntry) -> None:
        agent = self._agent(entry.agent)
        self._advance(entry.agent, agent, entry.time_s)
        agent.logged_in = False
        agent.paused = False
        agent.activity = None

    def _pause(self, entry: QueueLogEntry) -> None:
        agent = self._agent(entry.agent)
        self._advance(entry.agent, agent, entry.time_s)
        agent.paused = True

    def _unpause(self, entry: QueueLogEntry) -> None:
        agent = self._agent(entry.agent)
        self._advance(entry.agent, agent, entry.time_s)
        agent.paused = False

    def _wrap_up_start(self, entry: QueueLogEntry) -> None:
        self._set_activity(self._agent(entry.agent), AgentState.WRAP_UP, entry.time_s)

    def _wrap_up_end(self, entry: QueueLogEntry) -> None:
        agent = self._agent(entry.agent)
        wrap_s = float(entry.data[0]) if entry.data else 0.0
        self._agent_counters(entry.agent, entry.time_s).wrap_s += wrap_s
        call = agent.last_call
        if call is not None:
            for counters in self._counters(call):
                counters.wrap_s += wrap_s
        agent.last_call = None
        if agent.activity is AgentState.WRAP_UP:
            self._set_activity(agent, None, entry.time_s)

    def _line_fault(self, entry: QueueLogEntry) -> None:
        self._faults[entry.agent] = entry.time_s

    def _line_restored(self, entry: QueueLogEntry) -> None:
        self._faults.pop(entry.agent, None)

    def _daemon_started(self, entry: QueueLogEntry) -> None:
        """Nothing from before a restart is still going on."""
        for agent_id, agent in self._agents.items():
            self._advance(agent_id, agent, entry.time_s)
            agent.logged_in = False
            agent.paused = False
            agent.activity = None
            agent.last_call = None
        self._calls.clear()

    # -- finished days kept apart ------------------------------------------------------------
    # A report over many days adds up the sums kept for each finished day instead of folding
    # the whole log again. Each day keeps what folding its own entries added (to its own day
    # and, for calls offered before midnight, to the day before) and the reducer's state at
    # its end, from which the next day is folded.

    def state_at(self, time_s: float) -> dict[str, object]:
        """The calls, agents and faults going on at `time_s` (a local midnight), as JSON-ready
        data, after booking every logged-in agent's time up to then."""
        for agent_id, agent in self._agents.items():
            self._advance(agent_id, agent, time_s)
        call_ids = {id(call): call_id for call_id, call in self._calls.items()}
        agents: dict[str, list[object]] = {}
        for agent_id, agent in self._agents.items():
            last: object = None
            if agent.last_call is not None:
                known = call_ids.get(id(agent.last_call))
                last = known if known is not None else _call_data(agent.last_call)
            activity = agent.activity.value if agent.activity is not None else None
            agents[agent_id] = [
                agent.logged_in, agent.paused, activity, agent.call_id, last, agent.since_s
            ]  # fmt: skip
        return {
            "calls": {call_id: _call_data(call) for call_id, call in self._calls.items()},
            "agents": agents,
            "faults": dict(self._faults),
        }

    def resume(self, state: Mapping[str, object]) -> None:
        """Take up the calls, agents and faults of `state_at` (sums are left as they are)."""
        calls = state["calls"]
        agents = state["agents"]
        faults = state["faults"]
        assert isinstance(calls, dict) and isinstance(agents, dict) and isinstance(faults, dict)
        self._calls = {call_id: _call_from(data) for call_id, data in calls.items()}
        self._agents = {}
        for agent_id, (logged_in, paused, activity, call_id, last, since_s) in agents.items():
            agent = self._agents[agent_id] = _Agent(agent_id)
            agent.logged_in = bool(logged_in)
            agent.paused = bool(paused)
            agent.activity = AgentState(activity) if activity is not None else None
            agent.call_id = str(call_id)
            if isinstance(last, str):
                agent.last_call = self._calls.get(last)
            elif last is not None:
                agent.last_call = _call_from(last)
            agent.since_s = float(since_s)
        self._faults = {str(line): float(since_s) for line, since_s in faults.items()}

    def share_state(self, other: Figures) -> None:
        """Read the calls, agents and faults of `other` (for a report put together from sums
        kept apart; this reducer must not fold after this)."""
        self._calls = other._calls
        self._agents = other._agents
        self._faults = other._faults

    def sums(self) -> dict[str, object]:
        """The day, hour, queue and agent sums as JSON-ready data."""
        days = {
            day.isoformat(): {
                "totals": _counter_data(bucket.totals),
                "queues": {q: _counter_data(c) for q, c in bucket.queues.items()},
                "hours": {str(h): _counter_data(c) for h, c in bucket.hours.items()},
            }
            for day, bucket in self._days.items()
        }
        agent_days = {
            day.isoformat(): {
                agent_id: [
                    c.answered,
                    c.completed,
                    c.talk_s,
                    c.wrap_s,
                    c.missed_offers,
                    c.transfers,
                    dict(c.state_s),
                ]
                for agent_id, c in by_agent.items()
            }
            for day, by_agent in self._agent_days.items()
        }
        return {"days": days, "agents": agent_days}

    def clear_sums(self) -> None:
        self._days = {}
        self._agent_days = {}

    def add_sums(self, sums: Mapping[str, object], first_day: dt.date, last_day: dt.date) -> None:
        """Add sums from `sums()` for the days `first_day` … `last_day`."""
        days = sums["days"]
        agent_days = sums["agents"]
        assert isinstance(days, dict) and isinstance(agent_days, dict)
        for iso, data in days.items():
            day = dt.date.fromisoformat(iso)
            if not first_day <= day <= last_day:
                continue
            bucket = self._days.get(day)
            if bucket is None:
                bucket = self._days[day] = _Bucket()
            bucket.totals.add(_counters_from(data["totals"]))
            for queue_id, values in data["queues"].items():
                bucket.queues.setdefault(queue_id, CallCounters()).add(_counters_from(values))
            for hour, values in data["hours"].items():
                bucket.hours.setdefault(int(hour), CallCounters()).add(_counters_from(values))
        for iso, by_agent in agent_days.items():
            day = dt.date.fromisoformat(iso)
            if not first_day <= day <= last_day:
                continue
            agents = self._agent_days.setdefault(day, {})
            for agent_id, values in by_agent.items():
                answered, completed, talk_s, wrap_s, missed, transfers, state_s = values
                counters = agents.get(agent_id)
                if counters is None:
                    counters = agents[agent_id] = AgentCounters()
                counters.add(
                    AgentCounters(answered, completed, talk_s, wrap_s, missed, transfers, state_s)
                )

    # -- agent time -------------------------------------------------------------------------

    def _agent(self, agent_id: str) -> _Agent:
        agent = self._agents.get(agent_id)
        if agent is None:
            agent = self._agents[agent_id] = _Agent(agent_id)
        return agent

    def _agent_counters(self, agent_id: str, time_s: float) -> AgentCounters:
        day = self.calendar.day_of(time_s)
        agents = self._agent_days.get(day)
        if agents is None:
            agents = self._agent_days[day] = {}
        counters = agents.get(agent_id)
        if counters is None:
            counters = agents[agent_id] = AgentCounters()
        return counters

    def _set_activity(self, agent: _Agent, activity: AgentState | None, time_s: float) -> None:
        self._advance(agent.id, agent, time_s)
        agent.activity = activity

    def _advance(self, agent_id: str, agent: _Agent, time_s: float) -> None:
        """Book the time since the agent's last change to its state, split at midnight."""
        if time_s > agent.since_s and agent.logged_in:
            self._book(agent_id, agent.state.value, agent.since_s, time_s, self._agent_days)
        agent.since_s = max(agent.since_s, time_s)

    def _book(
        self,
        agent_id: str,
        state: str,
        start_s: float,
        end_s: float,
        into: dict[dt.date, dict[str, AgentCounters]],
    ) -> None:
        while start_s < end_s:
            day, day_end_s = self.calendar.day_and_end(start_s)
            piece_end_s = min(end_s, day_end_s)
            agents = into.setdefault(day, {})
            counters = agents.get(agent_id)
            if counters is None:
                counters = agents[agent_id] = AgentCounters()
            counters.state_s[state] = counters.state_s.get(state, 0.0) + piece_end_s - start_s
            start_s = piece_end_s

    # -- reading ----------------------------------------------------------------------------

    def wallboard(self, now_s: float) -> WallboardFigures:
        """Today's figures over all queues (levels empty: the shell applies thresholds)."""
        today = self.calendar.day_of(now_s)
        totals = self._days.get(today, _Bucket()).totals
        states = self._state_counts()
        waiting, longest_s = self._waiting(now_s)
        return WallboardFigures(
            calls_waiting=waiting,
            longest_wait_s=longest_s,
            agents_ready=states[AgentState.READY],
            agents_on_call=states[AgentState.ON_CALL] + states[AgentState.RINGING],
            agents_wrap_up=states[AgentState.WRAP_UP],
            agents_paused=states[AgentState.PAUSED],
            answered_today=totals.answered,
            abandoned_today=totals.abandoned,
            self_served_today=totals.self_served,
            service_level=totals.service_level(self.sl_variant),
            answer_rate=totals.answer_rate,
            asa_s=totals.asa_s,
            aht_s=totals.aht_s,
            faults=tuple(sorted(self._faults)),
        )

    def report(self, now_s: float, *, since_s: float | None = None) -> FigureSet:
        """Figures for the local days from the day of `since_s` (default: today) to today."""
        last_day = self.calendar.day_of(now_s)
        first_day = last_day if since_s is None else self.calendar.day_of(since_s)
        totals = CallCounters()
        queues: dict[str, CallCounters] = {}
        hours = {hour: CallCounters() for hour in range(24)}
        for day, bucket in self._days.items():
            if first_day <= day <= last_day:
                totals.add(bucket.totals)
                for queue_id, counters in bucket.queues.items():
                    queues.setdefault(queue_id, CallCounters()).add(counters)
                for hour, counters in bucket.hours.items():
                    hours[hour].add(counters)
        agents = self._agent_totals(first_day, last_day, now_s)
        busy_s = staffed_s = 0.0
        for work in agents.values():
            busy_s += sum(work.state_s.get(state, 0.0) for state in _BUSY_STATES)
            staffed_s += sum(work.state_s.get(state, 0.0) for state in _STAFFED_STATES)
        waiting, longest_s = self._waiting(now_s)
        states = self._state_counts()
        waiting_by_queue: dict[str, int] = {}
        for call in self._calls.values():
            if call.waiting:
                waiting_by_queue[call.queue] = waiting_by_queue.get(call.queue, 0) + 1
        return FigureSet(
            time_s=now_s,
            first_day=first_day,
            last_day=last_day,
            sl_threshold_s=self.sl_threshold_s,
            sl_variant=self.sl_variant,
            calls_waiting=waiting,
            longest_wait_s=longest_s,
            agents_by_state=tuple((state, states[state]) for state in AgentState),
            totals=self._call_figures(totals),
            occupancy=busy_s / staffed_s if staffed_s else None,
            by_queue=tuple(
                (queue_id, self._call_figures(counters))
                for queue_id, counters in sorted(queues.items())
            ),
            by_hour=tuple((hour, self._call_figures(hours[hour])) for hour in range(24)),
            by_day=tuple(
                (day, self._call_figures(self._days[day].totals))
                for day in sorted(self._days)
                if first_day <= day <= last_day
            ),
            by_agent=tuple(
                self._agent_figures(agent_id, counters)
                for agent_id, counters in sorted(agents.items())
            ),
            waiting_by_queue=tuple(sorted(waiting_by_queue.items())),
            faults=tuple(sorted(self._faults)),
        )

    def _agent_totals(
        self, first_day: dt.date, last_day: dt.date, now_s: float
    ) -> dict[str, AgentCounters]:
        agents: dict[str, AgentCounters] = {}
        for day, by_agent in self._agent_days.items():
            if first_day <= day <= last_day:
                for agent_id, counters in by_agent.items():
                    agents.setdefault(agent_id, AgentCounters()).add(counters)
        # the state each agent is in now, up to now, without changing the reducer
        ongoing: dict[dt.date, dict[str, AgentCounters]] = {}
        for agent_id, agent in self._agents.items():
            if agent.logged_in and now_s > agent.since_s:
                self._book(agent_id, agent.state.value, agent.since_s, now_s, ongoing)
        for day, by_agent in ongoing.items():
            if first_day <= day <= last_day:
                for agent_id, counters in by_agent.items():
                    agents.setdefault(agent_id, AgentCounters()).add(counters)
        return agents

    def _agent_figures(self, agent_id: str, counters: AgentCounters) -> AgentFigures:
        state_s = counters.state_s
        busy_s = sum(state_s.get(state, 0.0) for state in _BUSY_STATES)
        staffed_s = sum(state_s.get(state, 0.0) for state in _STAFFED_STATES)
        agent = self._agents.get(agent_id)
        return AgentFigures(
            agent=agent_id,
            state=agent.state if agent is not None else AgentState.LOGGED_OUT,
            answered=counters.answered,
            talk_s=counters.talk_s,
            wrap_s=counters.wrap_s,
            aht_s=(
                (counters.talk_s + counters.wrap_s) / counters.completed
                if counters.completed
                else None
            ),
            missed_offers=counters.missed_offers,
            transfers=counters.transfers,
            logged_in_s=staffed_s + state_s.get(AgentState.PAUSED.value, 0.0),
            paused_s=state_s.get(AgentState.PAUSED.value, 0.0),
            occupancy=busy_s / staffed_s if staffed_s else None,
        )

    def _call_figures(self, counters: CallCounters) -> CallFigures:
        return CallFigures(
            offered=counters.offered,
            answered=counters.answered,
            abandoned=counters.abandoned,
            short_abandoned=counters.short_abandoned,
            timed_out=counters.timed_out,
            overflowed=counters.overflowed,
            service_level=counters.service_level(self.sl_variant),
            answer_rate=counters.answer_rate,
            abandon_rate=counters.abandon_rate,
            asa_s=counters.asa_s,
            aht_s=counters.aht_s,
            mean_abandon_wait_s=(
                counters.wait_abandoned_s / counters.abandoned if counters.abandoned else None
            ),
            interrupted=counters.interrupted,
            self_served=counters.self_served,
        )

    def _state_counts(self) -> dict[AgentState, int]:
        counts = dict.fromkeys(AgentState, 0)
        for agent in self._agents.values():
            counts[agent.state] += 1
        return counts

    def _waiting(self, now_s: float) -> tuple[int, float]:
        waiting = 0
        earliest_s = now_s
        for call in self._calls.values():
            if call.waiting:
                waiting += 1
                earliest_s = min(earliest_s, call.waiting_since_s)
        return waiting, max(0.0, now_s - earliest_s)


def _call_data(call: _Call) -> list[object]:
    return [
        call.day.isoformat(),
        call.hour,
        call.queue,
        call.waiting,
        call.waiting_since_s,
        call.answered,
        call.completed,
        sorted(call.queues),
        call.exit,
        sorted(call.answered_in),
    ]


def _call_from(data: list[object]) -> _Call:
    day, hour, queue, waiting, waiting_since_s, answered, completed, queues = data[:8]
    call = _Call(
        dt.date.fromisoformat(str(day)), int(str(hour)), str(queue), float(str(waiting_since_s))
    )
    call.waiting = bool(waiting)
    call.answered = bool(answered)
    call.completed = bool(completed)
    assert isinstance(queues, list)
    call.queues = {str(q) for q in queues}
    call.exit = str(data[8]) if len(data) > 8 else ""  # state kept before the field existed
    answered_in = data[9] if len(data) > 9 else ([queue] if answered else [])
    assert isinstance(answered_in, list)
    call.answered_in = {str(q) for q in answered_in}
    return call


_COUNTER_FIELDS = CallCounters.__slots__


def _counter_data(counters: CallCounters) -> list[float]:
    return [getattr(counters, name) for name in _COUNTER_FIELDS]


def _counters_from(values: list[float]) -> CallCounters:
    counters = CallCounters()
    for name, value in zip(_COUNTER_FIELDS, values, strict=True):
        setattr(counters, name, value)
    return counters

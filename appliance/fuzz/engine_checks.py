"""What must hold after every engine step, whatever the events were — in what a depot sees:
queue-log rows, call records, connections on the bridge, the live picture and the figures.

* every call ends once: one HANGUP and one call record, and they agree;
* only the caller's own hang-up is an abandon; an ending the box caused has its own reason;
* an answer connects only the caller it was offered, and never through an offer gone;
* no agent's position is in two conversations, no agent leads two calls;
* the figures folded live agree with the engine (callers waiting, agents by state) and with
  the figures folded again from the whole log."""

from __future__ import annotations

from collections.abc import Sequence

from appliance.engine.commands import BoxStopping
from appliance.engine.records import CallEnded, CallRecord, EndReason, QueueLogEntry, Verb
from appliance.engine.types import Action, Event
from appliance.engine.views import AgentState, CallStage, EngineSnapshot
from appliance.stats.figures import Figures
from drivers.roles import (
    CallArrived,
    CallerHungUp,
    CallTurnedAway,
    Connect,
    Disconnect,
    HangUpCause,
    HangUpPosition,
    LineFaulted,
    PositionAnswered,
    RingPosition,
    StopRinging,
    TurnedAwayReason,
)

ZONE = "Asia/Shanghai"
ABANDONS = {
    EndReason.ABANDONED_IN_MENU,
    EndReason.ABANDONED_IN_QUEUE,
    EndReason.ABANDONED_RINGING,
}
# causes of a line's hang-up report that are the box's, not the caller's
BOX_CAUSES = {
    HangUpCause.DEVICE_LOST: EndReason.LINE_FAULT,
    HangUpCause.HARD_CAP: EndReason.CALL_CAP,
    HangUpCause.SILENCE: EndReason.LINE_SILENT,
}
TURNED_AWAY = {
    TurnedAwayReason.BOX_FULL: EndReason.BOX_FULL,
    TurnedAwayReason.MISSED_AT_LINE: EndReason.MISSED_AT_LINE,
    TurnedAwayReason.LINES_BUSY: EndReason.LINES_BUSY,
}
WAITING = (CallStage.QUEUED, CallStage.OFFERED)
TALKING = (CallStage.CONNECTED, CallStage.ON_HOLD)


class PropertyBroken(AssertionError):
    """One of the engine's properties failed; the message says which and how."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PropertyBroken(message)


class EngineChecks:
    def __init__(self, start_s: float) -> None:
        self.log: list[QueueLogEntry] = []
        self.records: dict[str, CallRecord] = {}
        self.hangups: dict[str, QueueLogEntry] = {}
        self.started: set[str] = set()
        self.live = Figures(timezone=ZONE)
        self._offered_call: dict[str, str] = {}  # offer id -> call id
        self._ringing: dict[str, str] = {}  # position -> offer id ringing there
        self._bridge: set[tuple[str, str]] = set()
        self._now = start_s

    # -- after every step ------------------------------------------------------------------

    def step(self, event: Event, out: Sequence[Action], snapshot: EngineSnapshot) -> None:
        self._now = max(self._now, event.time_s)
        entries = [a for a in out if isinstance(a, QueueLogEntry)]
        ended = [a.record for a in out if isinstance(a, CallEnded)]
        self._answer_connects_only_its_caller(event, entries)
        self._keep(entries, ended)
        self._reasons_match_cause(event, ended)
        self._follow_devices(out)
        self._nobody_on_two_calls(snapshot)
        self._figures_match_engine(event, snapshot)

    def restarted(self, recovered: Sequence[object]) -> None:
        """A daemon start: what recovery wrote for calls left open, then QUEUESTART."""
        entries = [r for r in recovered if isinstance(r, QueueLogEntry)]
        ended = [r.record for r in recovered if isinstance(r, CallEnded)]
        self._keep(entries, ended)
        self._ringing.clear()
        self._bridge.clear()
        self.figures_agree()

    def every_call_ended_once(self) -> None:
        open_calls = self.started - set(self.hangups)
        _require(not open_calls, f"calls never ended: {sorted(open_calls)}")
        _require(
            set(self.records) == set(self.hangups),
            f"HANGUP without a call record or the reverse: "
            f"{sorted(set(self.records) ^ set(self.hangups))}",
        )
        self.figures_agree()

    def figures_agree(self) -> None:
        again = Figures(timezone=ZONE)
        again.fold_all(self.log)
        live = self.live.report(self._now, since_s=self.log[0].time_s if self.log else None)
        folded = again.report(self._now, since_s=self.log[0].time_s if self.log else None)
        _require(live == folded, "figures folded live differ from the log folded again")

    # -- the properties --------------------------------------------------------------------

    def _keep(self, entries: list[QueueLogEntry], ended: list[CallRecord]) -> None:
        for entry in entries:
            self.log.append(entry)
            self.live.fold(entry)
            if entry.verb in (Verb.INBOUND, Verb.OUTBOUND):
                self.started.add(entry.call_id)
            elif entry.verb is Verb.HANGUP:
                _require(entry.call_id not in self.hangups, f"{entry.call_id} ended twice")
                self.hangups[entry.call_id] = entry
        for record in ended:
            _require(record.call_id not in self.records, f"two records of {record.call_id}")
            self.records[record.call_id] = record
            hangup = self.hangups.get(record.call_id)
            _require(hangup is not None, f"record of {record.call_id} without its HANGUP")
            assert hangup is not None
            _require(
                hangup.data[:1] == (record.end_reason.value,)
                and hangup.queue == (record.queue or "NONE")
                and hangup.agent == (record.agent or "NONE"),
                f"HANGUP {hangup} and the call record {record} disagree",
            )
            _require(record.wait_s >= 0 and record.talk_s >= 0, f"negative time in {record}")

    def _reasons_match_cause(self, event: Event, ended: list[CallRecord]) -> None:
        caller_left = isinstance(event, CallArrived) or (
            isinstance(event, CallerHungUp) and event.cause not in BOX_CAUSES
        )
        expected: EndReason | None = None
        if isinstance(event, CallerHungUp):
            expected = BOX_CAUSES.get(event.cause)
        elif isinstance(event, LineFaulted):
            expected = EndReason.LINE_FAULT
        elif isinstance(event, BoxStopping):
            expected = EndReason.SHUTDOWN
        elif isinstance(event, CallTurnedAway):
            expected = TURNED_AWAY[event.reason]
        for record in ended:
            reason = record.end_reason
            _require(
                reason not in ABANDONS or caller_left,
                f"{record.call_id} recorded {reason.value} after {event!r}, not a hang-up",
            )
            _require(
                expected is None or reason is expected,
                f"{record.call_id} ended {reason.value} after {event!r}",
            )

    def _answer_connects_only_its_caller(self, event: Event, entries: list[QueueLogEntry]) -> None:
        if not isinstance(event, PositionAnswered) or not event.offer_id:
            return
        connects = [e for e in entries if e.verb is Verb.CONNECT]
        if self._ringing.get(event.position) != event.offer_id:
            _require(not connects, f"an answer for a gone offer connected: {connects}")
            return
        offered = self._offered_call.get(event.offer_id)
        for connect in connects:
            _require(
                connect.call_id == offered,
                f"the answer to offer {event.offer_id} (call {offered}) connected {connect}",
            )
        self._ringing.pop(event.position, None)

    def _follow_devices(self, out: Sequence[Action]) -> None:
        for action in out:
            if isinstance(action, RingPosition):
                self._ringing[action.position] = action.offer_id
                self._offered_call[action.offer_id] = action.call_id
            elif isinstance(action, StopRinging) or (
                isinstance(action, HangUpPosition) and not action.offer_id
            ):
                self._ringing.pop(action.position, None)
            elif isinstance(action, Connect):
                pair = (action.line, action.position)
                busy = [p for p in self._bridge if p[1] == action.position and p != pair]
                _require(not busy, f"{action.position} joined {action.line} while in {busy}")
                self._bridge.add(pair)
            elif isinstance(action, Disconnect):
                self._bridge.discard((action.line, action.position))

    def _figures_match_engine(self, event: Event, snapshot: EngineSnapshot) -> None:
        """The wallboard, folded from the log, shows what the engine holds: callers waiting
        and agents ready, on a call (ringing included), wrapping up, paused."""
        board = self.live.wallboard(self._now)
        states = [agent.state for agent in snapshot.agents]
        engine = (
            sum(1 for call in snapshot.calls if call.stage in WAITING),
            states.count(AgentState.READY),
            states.count(AgentState.ON_CALL) + states.count(AgentState.RINGING),
            states.count(AgentState.WRAP_UP),
            states.count(AgentState.PAUSED),
        )
        figures = (
            board.calls_waiting,
            board.agents_ready,
            board.agents_on_call,
            board.agents_wrap_up,
            board.agents_paused,
        )
        _require(
            engine == figures,
            f"after {event!r}: (waiting, ready, on call, wrap-up, paused) is {engine} in the "
            f"engine, {figures} on the wallboard",
        )

    def _nobody_on_two_calls(self, snapshot: EngineSnapshot) -> None:
        leads = [call.agent for call in snapshot.calls if call.stage in TALKING]
        _require(len(leads) == len(set(leads)), f"an agent leads two calls: {leads}")
        states = {agent.id: agent.state for agent in snapshot.agents}
        for call in snapshot.calls:
            if call.stage in TALKING:
                _require(
                    states.get(call.agent) is AgentState.ON_CALL,
                    f"{call.agent} talks on {call.id} but is {states.get(call.agent)}",
                )

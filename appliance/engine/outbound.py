"""Outbound calls: ring the agent's own phone, then dial out on a free full-duplex line."""

from __future__ import annotations

from appliance.engine.agents import AgentSeat
from appliance.engine.calls import TALKING, Call, seconds_text
from appliance.engine.commands import PlaceCall
from appliance.engine.devices import (
    connect_action,
    disconnect_action,
    hang_up_position_action,
    stop_ringing_action,
)
from appliance.engine.records import EndReason, NoticeKind, Verb
from appliance.engine.state import EngineParts, EngineState
from appliance.engine.views import AgentState, CallStage
from drivers.roles import CallerId, DialFailed, DialOut, MediaCapability

OUTBOUND_RING_S = 30.0  # the agent's own phone rings this long before an outbound call
# a dial the line never resolves (no answer, busy or failure reported) is given up after this
OUTBOUND_DIAL_TIMEOUT_S = 90.0


class Outbound:
    """Outbound calls placed by agents."""

    def __init__(self, state: EngineState) -> None:
        self._s = state

    def wire(self, parts: EngineParts) -> None:
        self._ending = parts.ending
        self._offering = parts.offering
        self._staffing = parts.staffing

    def on_place_call(self, command: PlaceCall) -> None:
        s = self._s
        seat = s.board.seats.get(command.agent)
        if seat is None or not seat.logged_in or seat.listening_to:
            return
        position = s.positions.get(seat.position)
        if position is None or not position.in_service:
            return
        if seat.activity is AgentState.WRAP_UP:
            self._ending.end_wrap_up(seat)
        if seat.activity is not None:
            return
        s.seq += 1
        call = Call(
            id=f"{int(s.now * 1000)}.{s.seq}",
            line="",
            caller=CallerId(number=command.number),
            direction="out",
            arrived_s=s.now,
            language=s.setup.language,
            vip=command.number in s.vips,
            seq=s.seq,
            stage=CallStage.DIALLING,
            purpose=command.purpose,
            task_id=command.task_id,
        )
        s.calls[call.id] = call
        call.agent = seat.id
        call.position = seat.position
        s.log(call.id, "", seat.id, Verb.OUTBOUND, command.number, command.purpose)
        self._offering.ring(seat, call, "outbound", OUTBOUND_RING_S)

    def outbound_agent_answered(self, call: Call, seat: AgentSeat) -> None:
        s = self._s
        offer = s.offers.pop(seat.id)
        s.cancel(offer.timer)
        seat.activity = AgentState.ON_CALL
        seat.activity_since_s = s.now
        line = next(
            (
                line
                for line in sorted(s.lines.values(), key=lambda line: line.id)
                if line.in_service
                and not line.call_id
                and line.media is MediaCapability.FULL_DUPLEX
            ),
            None,
        )
        if line is None:
            s.out.append(hang_up_position_action(seat.position))
            self._ending.agent_done(seat, call, 0.0, 0.0)
            self._ending.end_call(call, EndReason.OUTBOUND_FAILED)
            return
        call.line = line.id
        line.call_id = call.id
        s.out.append(DialOut(line.id, call.caller.number))
        call.dial_timer = s.schedule(OUTBOUND_DIAL_TIMEOUT_S, "dial", call.id)

    def dial_timed_out(self, call_id: str) -> None:
        """The line never said whether the far end answered: give up, free the agent."""
        call = self._s.calls.get(call_id)
        if call is None or call.stage is not CallStage.DIALLING:
            return
        call.dial_timer = 0
        self.drop_outbound_agent(call)
        self._ending.hang_up_line(call, EndReason.OUTBOUND_FAILED)

    def outbound_answered(self, call: Call) -> None:
        """The far end picked up: the agent and the line are joined. CONNECT (no queue) marks
        the agent ON_CALL in the queue log; figures count answered calls only for calls
        that entered a queue."""
        s = self._s
        if call.stage is not CallStage.DIALLING:
            return
        s.cancel(call.dial_timer)
        call.dial_timer = 0
        call.stage = CallStage.CONNECTED
        call.connected_s = s.now
        call.leg_connected_s = s.now
        s.out.append(connect_action(call.line, call.position))
        s.log(call.id, "", call.agent, Verb.CONNECT, "0.000", "", "0.000")
        seat = s.board.seats.get(call.agent)
        if seat is not None:
            seat.calls_today += 1
            s.notice(seat, NoticeKind.CONNECTED, call)

    def on_dial_failed(self, event: DialFailed) -> None:
        call = self._s.call_on(event.line)
        if call is None or call.direction != "out":
            return
        self.drop_outbound_agent(call)
        self._ending.end_call(call, EndReason.OUTBOUND_FAILED)

    def drop_outbound_agent(self, call: Call, verb: Verb = Verb.COMPLETECALLER) -> None:
        """An outbound call ends from the line's side (or the agent's phone failed): release
        the agent (no wrap-up)."""
        s = self._s
        seat = s.board.seats.get(call.agent)
        if seat is None or seat.call_id != call.id:
            return
        if seat.id in s.offers:
            offer = s.offers.pop(seat.id)
            s.cancel(offer.timer)
            s.out.append(stop_ringing_action(seat.position))
            s.log(call.id, call.queue, seat.id, Verb.RINGCANCELED)
            s.idle(seat)
            self._staffing.refresh(seat)
            return
        if call.stage in TALKING:
            s.out.append(disconnect_action(call.line, call.position))
            self.log_outbound_talk_end(call, seat, verb)
        s.out.append(hang_up_position_action(call.position))
        self._ending.agent_done(seat, call, s.leg_talk_s(call), 0.0)

    def log_outbound_talk_end(self, call: Call, seat: AgentSeat, verb: Verb) -> None:
        """COMPLETECALLER/COMPLETEAGENT for an outbound conversation, so the agent's ON_CALL
        time in the queue log ends (no queue: it counts for the agent, not for a queue)."""
        s = self._s
        call.talk_ended_s = s.now
        s.log(call.id, "", seat.id, verb, "0.000", seconds_text(s.leg_talk_s(call)), "0")

"""Call control during a conversation: hold, mute, transfer, three-way, a supervisor
listening in, and blocking a caller (闭塞)."""

from __future__ import annotations

import logging

from appliance.engine.agents import AgentSeat
from appliance.engine.calls import Call, seconds_text
from appliance.engine.commands import (
    Block,
    Hold,
    Listen,
    Mute,
    StopListening,
    ThreeWay,
    Transfer,
    TransferToQueue,
    Unhold,
)
from appliance.engine.devices import (
    connect_action,
    disconnect_action,
    hang_up_position_action,
    play_music_action,
    stop_media_action,
    stop_ringing_action,
)
from appliance.engine.memory import THREE_WAY
from appliance.engine.records import EndReason, NoticeKind, NumberBlocked, Verb
from appliance.engine.state import EngineParts, EngineState
from appliance.engine.views import AgentState, CallStage
from drivers.roles import HoldCaller, JoinSupervisor, MuteCaller, PlayTone, Tone

log = logging.getLogger(__name__)


class CallControl:
    """Hold, mute, transfer, three-way, listening in and blocking."""

    def __init__(self, state: EngineState) -> None:
        self._s = state

    def wire(self, parts: EngineParts) -> None:
        self._ending = parts.ending
        self._queueing = parts.queueing
        self._offering = parts.offering
        self._staffing = parts.staffing

    def on_hold(self, command: Hold) -> None:
        s = self._s
        found = s.checks.talking_call(command.agent)
        if found is None or found[1].stage is not CallStage.CONNECTED:
            return
        seat, call = found
        call.stage = CallStage.ON_HOLD
        call.hold_started_s = s.now
        s.out.append(HoldCaller(call.line, call.position))
        s.out.append(play_music_action(call.line))
        s.log(call.id, call.queue, seat.id, Verb.HOLD)

    def on_unhold(self, command: Unhold) -> None:
        s = self._s
        found = s.checks.talking_call(command.agent)
        if found is None or found[1].stage is not CallStage.ON_HOLD:
            return
        seat, call = found
        if call.hold_started_s is not None:
            call.hold_s += s.now - call.hold_started_s
        call.hold_started_s = None
        call.stage = CallStage.CONNECTED
        s.out.append(stop_media_action(call.line))
        s.out.append(connect_action(call.line, call.position))
        s.log(call.id, call.queue, seat.id, Verb.UNHOLD)

    def on_mute(self, command: Mute) -> None:
        s = self._s
        found = s.checks.talking_call(command.agent)
        if found is None:
            return
        seat, call = found
        seconds = s.setup.mute_s
        s.out.append(MuteCaller(call.line, call.position, seconds))
        s.log(call.id, call.queue, seat.id, Verb.MUTE, seconds_text(seconds))

    def free_colleague(self, agent_id: str) -> AgentSeat | None:
        seat = self._s.board.seats.get(agent_id)
        if seat is None or not seat.available:
            log.info("agent %s is not free to join a call", agent_id)
            return None
        return seat

    def inbound_talking_call(self, agent_id: str) -> tuple[AgentSeat, Call] | None:
        """Transfer, three-way and block apply to inbound calls (a caller in a queue)."""
        found = self._s.checks.talking_call(agent_id)
        if found is None or found[1].direction != "in":
            return None
        return found

    def on_transfer(self, command: Transfer) -> None:
        self.ring_colleague(command.agent, command.to_agent, "transfer")

    def on_transfer_to_queue(self, command: TransferToQueue) -> None:
        """Blind transfer into a queue (as Asterisk's TRANSFER row, context "queue"): the agent's
        leg ends, the agent wraps up (owing the summary where their queue wants one), and the
        caller joins the other queue's line keeping their first entry (place, longest wait);
        that queue counts them as its own new caller."""
        s = self._s
        found = self.inbound_talking_call(command.agent)
        if found is None:
            return
        seat, call = found
        self.cancel_side_offers(call)
        call.end_hold(s.now)
        talk_s = s.now - call.leg_connected_s
        s.out.append(disconnect_action(call.line, seat.position))
        s.out.append(hang_up_position_action(seat.position))
        self.drop_extras(call)
        s.log(
            call.id, call.queue, seat.id, Verb.TRANSFER, command.queue, "queue",
            seconds_text(call.connect_wait_s), seconds_text(talk_s),
        )  # fmt: skip
        s.cancel(call.talk_timer)
        call.talk_timer = 0
        self._ending.agent_done(seat, call, talk_s, s.queue(call.queue).wrap_up_s, led_call=True)
        call.stage = CallStage.QUEUED
        self._queueing.enter_queue(call, command.queue)

    def on_three_way(self, command: ThreeWay) -> None:
        self.ring_colleague(command.agent, command.with_agent, "three_way")

    def ring_colleague(self, agent_id: str, colleague_id: str, purpose: str) -> None:
        """Ring a free colleague into an agent's inbound call (transfer or three-way); one
        such side offer at a time."""
        s = self._s
        found = self.inbound_talking_call(agent_id)
        target = self.free_colleague(colleague_id)
        if found is None or target is None or s.checks.side_offer_of(found[1]):
            return
        call = found[1]
        self._offering.ring(target, call, purpose, s.queue(call.queue).ring_timeout_s)

    def cancel_side_offers(self, call: Call) -> None:
        s = self._s
        agent_id = s.checks.side_offer_of(call)
        if agent_id:
            offer = s.offers.pop(agent_id)
            s.cancel(offer.timer)
            seat = s.board.seats[agent_id]
            s.out.append(stop_ringing_action(seat.position))
            s.log(call.id, call.queue, seat.id, Verb.RINGCANCELED)
            s.idle(seat)
            self._staffing.refresh(seat)

    def complete_transfer(self, call: Call, target: AgentSeat) -> None:
        """One call id, one call record: the old agent's leg ends with TRANSFER (data: the new
        agent), the new agent is on the call from then on; the record names the last agent."""
        s = self._s
        offer = s.offers.pop(target.id)
        s.cancel(offer.timer)
        old = s.board.seats[call.agent]
        if call.hold_started_s is not None:
            call.hold_s += s.now - call.hold_started_s
            call.hold_started_s = None
        talk_s = s.now - call.leg_connected_s
        s.out.append(disconnect_action(call.line, old.position))
        s.out.append(hang_up_position_action(old.position))
        s.out.append(stop_media_action(call.line))
        s.out.append(connect_action(call.line, target.position))
        s.log(
            call.id,
            call.queue,
            old.id,
            Verb.TRANSFER,
            target.id,
            "",
            seconds_text(call.connect_wait_s),
            seconds_text(talk_s),
        )
        # the new agent's leg: ON_CALL from here (figures count a call as answered once)
        s.log(
            call.id,
            call.queue,
            target.id,
            Verb.CONNECT,
            seconds_text(call.connect_wait_s),
            "",
            seconds_text(s.now - offer.started_s),
        )
        call.stage = CallStage.CONNECTED
        call.agent = target.id
        call.position = target.position
        call.leg_connected_s = s.now
        target.activity = AgentState.ON_CALL
        target.activity_since_s = s.now
        target.call_id = call.id
        target.calls_today += 1
        s.notice(target, NoticeKind.CONNECTED, call, detail=f"transferred_from:{old.id}")
        self._ending.agent_done(old, call, talk_s, s.queue(call.queue).wrap_up_s, led_call=True)

    def join_three_way(self, call: Call, seat: AgentSeat) -> None:
        s = self._s
        offer = s.offers.pop(seat.id)
        s.cancel(offer.timer)
        s.out.append(connect_action(call.line, seat.position))
        call.extras.append(seat.id)
        seat.activity = AgentState.ON_CALL
        seat.activity_since_s = s.now
        seat.call_id = call.id
        s.notice(seat, NoticeKind.CONNECTED, call, detail="three_way")
        # a colleague joining is not a call of theirs: data[3] says so for the day's counts
        s.log(
            call.id,
            call.queue,
            seat.id,
            Verb.CONNECT,
            seconds_text(call.connect_wait_s),
            "",
            seconds_text(s.now - offer.started_s),
            THREE_WAY,
        )

    def leave_three_way(self, call: Call, seat: AgentSeat, hang_up_position: bool) -> None:
        """A three-way agent leaves: their own COMPLETEAGENT (their talk counts for them)."""
        s = self._s
        s.out.append(disconnect_action(call.line, seat.position))
        if hang_up_position:
            s.out.append(hang_up_position_action(seat.position))
        call.extras.remove(seat.id)
        talk_s = s.now - seat.activity_since_s
        s.log(
            call.id,
            call.queue,
            seat.id,
            Verb.COMPLETEAGENT,
            seconds_text(call.connect_wait_s),
            seconds_text(talk_s),
            str(call.orig_position),
        )
        self._ending.agent_done(seat, call, talk_s, 0.0)

    def drop_extras(self, call: Call) -> None:
        if not call.extras:  # most calls never had a three-way colleague
            return
        for agent_id in list(call.extras):
            self.leave_three_way(call, self._s.board.seats[agent_id], hang_up_position=True)

    def on_listen(self, command: Listen) -> None:
        s = self._s
        supervisor = s.board.seats.get(command.supervisor)
        found = s.checks.talking_call(command.agent)
        if supervisor is None or found is None or not supervisor.config.supervisor:
            return
        position = s.positions.get(supervisor.position)
        if not supervisor.logged_in or position is None or not position.in_service:
            return
        if supervisor.activity is not None:
            return
        agent, call = found
        if supervisor.listening_to and supervisor.listening_to != call.id:
            self.stop_listening(supervisor)
        supervisor.listening_to = call.id
        call.listeners[supervisor.id] = supervisor.position
        s.board.set_available(supervisor, False)
        s.out.append(JoinSupervisor(call.line, agent.position, supervisor.position, command.mode))

    def on_stop_listening(self, command: StopListening) -> None:
        supervisor = self._s.board.seats.get(command.supervisor)
        if supervisor is not None and supervisor.listening_to:
            self.stop_listening(supervisor)

    def stop_listening(self, supervisor: AgentSeat) -> None:
        s = self._s
        call = s.calls.get(supervisor.listening_to)
        supervisor.listening_to = ""
        if call is not None:
            position = call.listeners.pop(supervisor.id, supervisor.position)
            s.out.append(disconnect_action(call.line, position))
        self._staffing.refresh(supervisor)

    def on_block(self, command: Block) -> None:
        """闭塞: busy tone, hang up, number on the blacklist."""
        s = self._s
        found = self.inbound_talking_call(command.agent)
        if found is None:
            return
        seat, call = found
        self._ending.end_conversation(call, Verb.COMPLETEAGENT, hang_up_position=True)
        s.out.append(PlayTone(call.line, Tone.BUSY, 3.0))
        number = call.caller.number
        if number:
            s.blacklist.add(number)
            s.out.append(NumberBlocked(number, seat.id, call.id, s.now))
        s.log(call.id, call.queue, seat.id, Verb.BLOCKED, seat.id)
        self._ending.hang_up_line(call, EndReason.BLOCKED)

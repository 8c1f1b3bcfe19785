"""Agents at their positions: login and logout, pause and ready, the desk button, keypad
login, a position in or out of service, and whether an agent can be offered a call."""

from __future__ import annotations

import logging

from appliance.engine.agents import AgentSeat
from appliance.engine.calls import TALKING, Call, seconds_text
from appliance.engine.commands import KeypadLoginChecked, LogIn, LogOut, Pause, Ready
from appliance.engine.devices import disconnect_action
from appliance.engine.records import (
    CheckKeypadLogin,
    EndReason,
    FaultCleared,
    FaultRecorded,
    NoticeKind,
    Verb,
)
from appliance.engine.state import EngineParts, EngineState
from appliance.engine.views import AgentState, CallStage
from drivers.roles import ButtonPressed, PositionDigitPressed, PositionFaulted, PositionInService

log = logging.getLogger(__name__)

# How long before a position's fault an auto-pause for missed offers is blamed on the fault: a
# SIP phone is found silent after two unanswered OPTIONS (30 s apart, 5 s to answer), and the
# offers it "missed" meanwhile were never rung on a working phone.
MISSES_BLAMED_ON_FAULT_S = 120.0


class Staffing:
    """Agents' login, pause and readiness, and their positions."""

    def __init__(self, state: EngineState) -> None:
        self._s = state

    def wire(self, parts: EngineParts) -> None:
        self._control = parts.control
        self._ending = parts.ending
        self._offering = parts.offering
        self._outbound = parts.outbound
        self._queueing = parts.queueing

    def refresh(self, seat: AgentSeat) -> None:
        """Recompute whether the agent can be offered a call; offer one if they now can."""
        s = self._s
        position = s.positions.get(seat.position)
        available = (
            seat.logged_in
            and not seat.paused
            and seat.activity is None
            and not seat.listening_to
            and not seat.logout_pending
            and position is not None
            and position.in_service
        )
        if s.board.set_available(seat, available) and available:
            s.dispatch_due.update(seat.skills)

    def on_position_in_service(self, event: PositionInService) -> None:
        s = self._s
        position = s.position(event.position)
        if position.id in s.faulted_positions:
            s.faulted_positions.discard(position.id)
            s.log("", "", position.id, Verb.LINERESTORED)
            s.out.append(FaultCleared(position.id, s.now))
        position.in_service = True
        position.persistent = event.persistent
        position.keypad = ""
        seat = s.seat_at(position.id)
        if seat is None:
            return
        if seat.unpause_when_back and seat.paused:
            self.make_ready(seat, reason="position_restored")  # the pause was the fault's
        else:
            self.refresh(seat)

    def on_position_faulted(self, event: PositionFaulted) -> None:
        s = self._s
        position = s.position(event.position)
        position.in_service = False
        position.keypad = ""
        reason = event.reason or "fault"
        if position.id not in s.faulted_positions:
            s.faulted_positions.add(position.id)
            s.log("", "", position.id, Verb.LINEFAULT, reason)
            s.out.append(FaultRecorded(position.id, reason, s.now))
        seat = s.seat_at(position.id)
        if seat is None:
            return
        s.board.set_available(seat, False)
        # misses in a row up to the fault are the failing phone's, not the agent's
        seat.missed_offers = 0
        if (
            seat.paused
            and seat.pause_reason == "missed"
            and s.now - seat.paused_since_s <= MISSES_BLAMED_ON_FAULT_S
        ):
            seat.unpause_when_back = True
        if seat.id in s.offers:
            self._offering.offer_failed(seat.id, Verb.RINGCANCELED, "")
            return
        if seat.listening_to:
            self._control.stop_listening(seat)
        call = s.calls.get(seat.call_id)
        if call is None or seat.activity is not AgentState.ON_CALL:
            return  # idle, or wrapping up a call that goes on without them
        if seat.id in call.extras:
            self._control.leave_three_way(call, seat, hang_up_position=False)
        elif call.agent != seat.id:
            return
        elif call.direction == "out":
            self._outbound.drop_outbound_agent(call, Verb.COMPLETEAGENT)
            self._ending.hang_up_line(
                call, EndReason.ANSWERED if call.stage in TALKING else EndReason.OUTBOUND_FAILED
            )
        elif call.stage in TALKING:
            self.requeue_after_position_fault(call, seat)

    def requeue_after_position_fault(self, call: Call, seat: AgentSeat) -> None:
        """The agent's phone failed mid-call: the caller goes back to music at the head of the
        queue (a second ENTERQUEUE, priority "2"); the agent gets no wrap-up."""
        s = self._s
        self._control.cancel_side_offers(call)
        if call.hold_started_s is not None:
            call.hold_s += s.now - call.hold_started_s
            call.hold_started_s = None
        s.out.append(disconnect_action(call.line, call.position))
        self._control.drop_extras(call)
        talk_s = s.now - call.leg_connected_s
        s.log(
            call.id,
            call.queue,
            seat.id,
            Verb.COMPLETEAGENT,
            seconds_text(call.connect_wait_s),
            seconds_text(talk_s),
            str(call.orig_position),
        )
        s.cancel(call.talk_timer)
        call.talk_timer = 0
        self._ending.agent_done(seat, call, talk_s, 0.0)
        call.returning = True
        call.visited_queues.clear()
        call.stage = CallStage.QUEUED
        self._queueing.enter_queue(call, call.queue)

    def on_log_in(self, command: LogIn) -> None:
        seat = self._s.board.seats.get(command.agent)
        if seat is None:
            log.warning("log-in for unknown agent %r ignored", command.agent)
            return
        self.log_in(seat, command.position)

    def log_in(self, seat: AgentSeat, position_id: str) -> None:
        """Log in at a position. Whoever was logged in there is logged out, and an agent
        logged in elsewhere moves — unless one of them is on a call, then nothing changes."""
        position = self._s.position(position_id)
        if seat.logged_in and seat.position == position_id:
            return
        other = self._s.board.seats.get(position.agent) if position.agent else None
        for busy in (other, seat if seat.logged_in else None):
            if busy is not None and busy.activity is AgentState.ON_CALL:
                log.warning(
                    "%s cannot log in at %s: %s is on a call", seat.id, position_id, busy.id
                )
                return
        if other is not None:
            self.request_log_out(other)
        if seat.logged_in:
            self.request_log_out(seat, moving=True)
        seat.position = position_id
        position.agent = seat.id
        position.keypad = ""
        seat.logged_in_since_s = self._s.now
        seat.idle_since_s = self._s.now
        seat.paused = False
        seat.pause_reason = ""
        seat.missed_offers = 0
        self._s.board.set_logged_in(seat, True)
        self._s.log("", "", seat.id, Verb.AGENTLOGIN, position_id)
        self._s.notice(seat, NoticeKind.STATE_CHANGED, detail="logged_in")
        self.refresh(seat)

    def on_log_out(self, command: LogOut) -> None:
        seat = self._s.board.seats.get(command.agent)
        if seat is not None and seat.logged_in:
            self.request_log_out(seat)

    def request_log_out(self, seat: AgentSeat, moving: bool = False) -> None:
        """Log out now, or after the current call when the agent is talking. `moving`: the
        agent logs in again at once elsewhere, so their queues do not count as empty."""
        s = self._s
        seat.logout_pending = True  # from here on no new offer reaches them
        s.board.set_available(seat, False)
        if seat.id in s.offers:
            self._offering.offer_failed(seat.id, Verb.RINGCANCELED, "")
        if seat.listening_to:
            self._control.stop_listening(seat)
        if seat.activity is AgentState.ON_CALL:
            return
        if seat.activity is AgentState.WRAP_UP:
            s.cancel(seat.wrap_up_timer)
            seat.wrap_up_timer = 0
            s.log("", "", seat.id, Verb.WRAPUPEND, seconds_text(s.now - seat.activity_since_s))
            s.idle(seat)
        self.log_out(seat, moving)

    def log_out(self, seat: AgentSeat, moving: bool = False) -> None:
        s = self._s
        if seat.logged_in_since_s is None:
            return
        s.board.set_available(seat, False)
        s.board.set_logged_in(seat, False)
        s.log(
            "",
            "",
            seat.id,
            Verb.AGENTLOGOFF,
            seat.position,
            seconds_text(s.now - seat.logged_in_since_s),
        )
        position = s.positions.get(seat.position)
        if position is not None and position.agent == seat.id:
            position.agent = ""
        seat.logged_in_since_s = None
        seat.logout_pending = False
        seat.paused = False
        seat.pause_reason = ""
        seat.unpause_when_back = False
        seat.position = ""
        s.notice(seat, NoticeKind.STATE_CHANGED, detail="logged_out")
        if not moving:
            self._queueing.leave_empty_queues(seat.skills)

    def set_paused(self, seat: AgentSeat, reason: str) -> None:
        s = self._s
        seat.paused = True
        seat.pause_reason = reason
        seat.unpause_when_back = False
        seat.paused_since_s = s.now
        s.log("", "", seat.id, Verb.PAUSE, reason)
        s.notice(seat, NoticeKind.STATE_CHANGED, detail=f"paused:{reason}")
        s.board.set_available(seat, False)
        self._queueing.leave_empty_queues(seat.skills)  # the last one taking calls paused

    def on_pause(self, command: Pause) -> None:
        seat = self._s.board.seats.get(command.agent)
        if seat is None or not seat.logged_in:
            return
        if not (seat.paused and seat.pause_reason == command.reason):
            self.set_paused(seat, command.reason)
        if command.by and seat.summary_call_id:  # a supervisor stops the wait for a summary
            self._ending.end_wrap_up(seat)

    def on_ready(self, command: Ready) -> None:
        seat = self._s.board.seats.get(command.agent)
        if seat is not None and seat.logged_in:
            self.make_ready(seat, forced=bool(command.by))

    def make_ready(self, seat: AgentSeat, *, forced: bool = False, reason: str = "") -> None:
        """Unpause and end wrap-up — except a wrap-up waiting for the call summary, which
        only the summary or a supervisor (`forced`) ends. `reason`: why the box unpaused the
        agent itself (the queue log's UNPAUSE shows it); "" when a person did."""
        s = self._s
        seat.unpause_when_back = False
        if seat.paused:
            seat.paused = False
            seat.pause_reason = ""
            seat.paused_since_s = s.now  # the monitor's 就绪 time starts here
            seat.missed_offers = 0
            s.log("", "", seat.id, Verb.UNPAUSE, *([reason] if reason else []))
            s.notice(seat, NoticeKind.STATE_CHANGED, detail="ready")
        if seat.activity is AgentState.WRAP_UP and (forced or not seat.summary_call_id):
            self._ending.end_wrap_up(seat)
        else:
            self.refresh(seat)

    def on_button(self, event: ButtonPressed) -> None:
        """The desk panel: a short press toggles Ready/Pause (and ends wrap-up), a long press
        logs out."""
        seat = self._s.seat_at(event.position)
        if seat is None:
            return
        if event.long_press:
            self.request_log_out(seat)
        elif seat.paused or seat.activity is AgentState.WRAP_UP:
            self.make_ready(seat)
        else:
            self.set_paused(seat, "break")

    def on_position_digit(self, event: PositionDigitPressed) -> None:
        """Keypad login at a persistent position: "<agent id>#<pin>#"; "*" starts again."""
        s = self._s
        position = s.position(event.position)
        if position.agent or not position.persistent:
            return
        if event.digit == "*":
            position.keypad = ""
            return
        position.keypad += event.digit
        if position.keypad.count("#") < 2:
            return
        agent, pin = position.keypad.split("#")[:2]
        position.keypad = ""
        s.out.append(CheckKeypadLogin(position.id, agent, pin))

    def on_keypad_login_checked(self, command: KeypadLoginChecked) -> None:
        seat = self._s.board.seats.get(command.agent)
        if command.accepted and seat is not None:
            self.log_in(seat, command.position)

"""The end of a call: the caller or the agent hangs up, the conversation ends, the agent
wraps up, and the call record is written."""

from __future__ import annotations

from appliance.engine.agents import AgentSeat
from appliance.engine.calls import TALKING, WAITING, Call, seconds_text
from appliance.engine.commands import HangUp, SummarySaved
from appliance.engine.devices import (
    disconnect_action,
    hang_up_line_action,
    hang_up_position_action,
)
from appliance.engine.records import CallEnded, EndReason, NoticeKind, Verb
from appliance.engine.state import EngineParts, EngineState
from appliance.engine.views import AgentState, CallStage
from drivers.roles import CallerHungUp, HangUpCause, PositionHungUp, StopRecording

# Hang-ups the line reports that are not the caller's: each ends the call with its own reason.
BOX_ENDINGS = {
    HangUpCause.HARD_CAP: EndReason.CALL_CAP,
    HangUpCause.DEVICE_LOST: EndReason.LINE_FAULT,
    HangUpCause.SILENCE: EndReason.LINE_SILENT,
}


class Ending:
    """Hang-ups, the end of conversations, wrap-up and the call record."""

    def __init__(self, state: EngineState) -> None:
        self._s = state

    def wire(self, parts: EngineParts) -> None:
        self._arrival = parts.arrival
        self._control = parts.control
        self._offering = parts.offering
        self._outbound = parts.outbound
        self._queueing = parts.queueing
        self._staffing = parts.staffing

    def on_caller_hung_up(self, event: CallerHungUp) -> None:
        call = self._s.call_on(event.line)
        if call is None:
            return
        cause = event.cause
        if cause is HangUpCause.NORMAL or cause is HangUpCause.BYE or cause not in BOX_ENDINGS:
            self.caller_gone(call)  # (identity first: an enum's hash is Python code)
        else:
            self.interrupted(call, BOX_ENDINGS[cause])

    def interrupted(self, call: Call, reason: EndReason) -> None:
        """The box, not the caller, ended the call (line fault, call cap, silent line,
        shutdown): never an abandon, no agent charged. A caller who can be called back and was
        not through with the call gets a callback task naming the reason — except on a silent
        line, where nobody was there. The line is not touched again: it is gone or hung up by
        whoever reported the end."""
        stage = call.stage
        if call.direction == "out":
            self._outbound.drop_outbound_agent(call)
            self.end_call(call, reason)
            return
        unfinished = stage not in (CallStage.ENDING, CallStage.SURVEY)
        if stage in WAITING:
            self._queueing.leave_queue_logged(call, Verb.EXITINTERRUPTED, reason.value)
        elif stage is CallStage.GREETING:
            self._s.cancel(call.menu_timer)
        elif stage in TALKING:
            self.end_conversation(call, Verb.COMPLETECALLER, hang_up_position=True)
        elif stage is CallStage.VOICEMAIL:
            unfinished = call.voicemail_started_s is None  # a message started is kept
            self._arrival.voicemail_done(call, None)
        if unfinished and reason is not EndReason.LINE_SILENT:
            self._queueing.request_callback(call, reason.value)
        self.end_call(call, reason)

    def caller_gone(self, call: Call) -> None:
        """The caller hung up (or the line reported the far end gone)."""
        stage = call.stage
        if call.direction == "out":
            if stage in TALKING:
                self._outbound.drop_outbound_agent(call)
                self.end_call(call, EndReason.ANSWERED)
            else:
                self._outbound.drop_outbound_agent(call)
                self.end_call(call, EndReason.OUTBOUND_FAILED)
            return
        if stage is CallStage.RINGING_LINE:
            self.end_call(
                call, EndReason.CLOSED_HOURS if call.closed else EndReason.ABANDONED_IN_MENU
            )
        elif stage is CallStage.GREETING and call.waybill_step == "heard":
            self._s.cancel(call.menu_timer)  # heard their waybill's status: served, no task
            self.end_call(call, EndReason.SELF_SERVED)
        elif stage is CallStage.GREETING:
            self._s.cancel(call.menu_timer)
            self._queueing.request_callback(call, "abandoned")
            self.end_call(call, EndReason.ABANDONED_IN_MENU)
        elif stage in WAITING:
            ringing = bool(call.ringing)
            self._queueing.leave_queue_logged(call, Verb.ABANDON)
            self._queueing.request_callback(call, "abandoned")
            if call.connected_s is not None:
                # back in line after their agent's phone failed: the call was answered once
                self.end_call(call, EndReason.ANSWERED)
            else:
                self.end_call(
                    call, EndReason.ABANDONED_RINGING if ringing else EndReason.ABANDONED_IN_QUEUE
                )
        elif stage in TALKING:
            self.end_conversation(call, Verb.COMPLETECALLER, hang_up_position=True)
            self.end_call(call, EndReason.ANSWERED)
        elif stage is CallStage.VOICEMAIL and call.voicemail_started_s is None:
            self.abandoned_before_message(call)
        elif stage is CallStage.VOICEMAIL:
            self._arrival.voicemail_done(call, None)
            self.end_call(call, EndReason.OVERFLOWED)
        elif stage is CallStage.SURVEY:
            self.end_call(call, EndReason.ANSWERED)
        else:
            self.end_call(call, call.ending_reason)

    def abandoned_before_message(self, call: Call) -> None:
        """Sent on to voicemail, the caller hung up in "all busy, leave a message" before the
        beep: they gave up unserved, an abandon (ABANDON with place 0: no longer in line, and
        the wait they had in the queue) with a callback task."""
        s = self._s
        waited_s = (call.left_queue_s or s.now) - (call.entered_s or s.now)
        s.log(
            call.id, call.queue, "", Verb.ABANDON, "0", str(call.orig_position),
            seconds_text(waited_s),
        )  # fmt: skip
        self._queueing.request_callback(call, "abandoned")
        self.end_call(call, EndReason.ABANDONED_IN_QUEUE)

    def end_conversation(self, call: Call, verb: Verb, *, hang_up_position: bool) -> None:
        """The conversation with the agent ends (COMPLETECALLER or COMPLETEAGENT); the agent
        goes to wrap-up. The caller's line is left to the caller of this method."""
        s = self._s
        seat = s.board.seats[call.agent]
        self._control.cancel_side_offers(call)
        if call.hold_started_s is not None:
            call.hold_s += s.now - call.hold_started_s
            call.hold_started_s = None
        s.out.append(disconnect_action(call.line, call.position))
        if hang_up_position:
            s.out.append(hang_up_position_action(call.position))
        self._control.drop_extras(call)
        self.stop_recording(call)
        talk_s = s.now - call.leg_connected_s
        s.log(
            call.id,
            call.queue,
            seat.id,
            verb,
            seconds_text(call.connect_wait_s),
            seconds_text(talk_s),
            str(call.orig_position),
        )
        queue = s.queue(call.queue)
        conversation_s = s.now - call.connected_s if call.connected_s is not None else talk_s
        s.handle_times.add(queue.id, conversation_s + queue.wrap_up_s)
        s.cancel(call.talk_timer)
        call.talk_timer = 0
        call.talk_ended_s = s.now
        call.stage = CallStage.ENDING
        self.agent_done(seat, call, talk_s, queue.wrap_up_s, led_call=True)

    def agent_done(
        self,
        seat: AgentSeat,
        call: Call,
        talk_s: float,
        wrap_up_s: float,
        *,
        led_call: bool = False,
    ) -> None:
        """The agent's part of a call is over: its talk counts for the agent's day (the call
        itself was counted when the agent was connected), then wrap-up (or log out). An agent
        who led the conversation to its end (hung up, or handed the caller on) owes the call
        summary where the queue requires one: the wrap-up then lasts until it is saved, even
        with a wrap-up time of 0."""
        s = self._s
        seat.talk_s_today += talk_s
        seat.idle_since_s = s.now
        seat.call_id = ""
        s.notice(seat, NoticeKind.CALL_ENDED, call)
        summary_due = led_call and self.summary_due(seat, call)
        if seat.logout_pending or not seat.logged_in or (wrap_up_s <= 0 and not summary_due):
            s.idle(seat)
            if seat.logout_pending:
                self._staffing.log_out(seat)
            else:
                self._staffing.refresh(seat)
            return
        seat.activity = AgentState.WRAP_UP
        seat.activity_since_s = s.now
        seat.call_id = call.id  # the call being wrapped up, for the desk's record form
        seat.wrap_up_until_s = s.now + max(wrap_up_s, 0.0)
        seat.summary_call_id = call.id if summary_due else ""
        if wrap_up_s > 0:
            seat.wrap_up_timer = s.schedule(wrap_up_s, "wrap", seat.id)
        s.log("", call.queue, seat.id, Verb.WRAPUPSTART, seconds_text(max(wrap_up_s, 0.0)))

    def summary_due(self, seat: AgentSeat, call: Call) -> bool:
        """The call's queue wants a 通话小结 before the agent's next call, and the desk has not
        saved it yet (an agent may save it while still talking)."""
        queue = self._s.known_queue(call.queue)
        if queue is None or not queue.summary_required or call.direction != "in":
            return False
        return seat.summary_saved_call_id != call.id

    def wrap_up_over(self, agent_id: str) -> None:
        seat = self._s.board.seats.get(agent_id)
        if seat is not None and seat.activity is AgentState.WRAP_UP:
            seat.wrap_up_timer = 0
            if not seat.summary_call_id:  # else the wrap-up waits for the summary
                self.end_wrap_up(seat)

    def on_summary_saved(self, command: SummarySaved) -> None:
        """The desk saved a call summary: a wrap-up waiting for it ends if its time is up."""
        seat = self._s.board.seats.get(command.agent)
        if seat is None:
            return
        seat.summary_saved_call_id = command.call_id
        if seat.summary_call_id != command.call_id:
            return
        seat.summary_call_id = ""
        if seat.activity is AgentState.WRAP_UP and not seat.wrap_up_timer:
            self.end_wrap_up(seat)

    def end_wrap_up(self, seat: AgentSeat) -> None:
        s = self._s
        s.cancel(seat.wrap_up_timer)
        seat.wrap_up_timer = 0
        s.log("", "", seat.id, Verb.WRAPUPEND, seconds_text(s.now - seat.activity_since_s))
        s.idle(seat)
        self._staffing.refresh(seat)

    def stop_recording(self, call: Call) -> None:
        """The recording ends with the conversation — or, for a caller transferred to a queue
        (recorded on through the wait), with the call."""
        if call.recording:
            call.recording = False
            self._s.out.append(StopRecording(call.line))

    def hang_up_line(self, call: Call, reason: EndReason) -> None:
        self.stop_recording(call)
        self._s.out.append(hang_up_line_action(call.line))
        self.end_call(call, reason)

    def end_call(self, call: Call, reason: EndReason) -> None:
        """HANGUP and the call record, always together; the engine then forgets the call."""
        s = self._s
        cancel = s.timers.cancel
        for handle in (
            call.menu_timer,
            call.max_wait_timer,
            call.announce_timer,
            call.escalate_timer,
            call.retry_timer,
            call.talk_timer,
            call.survey_timer,
            call.dial_timer,
        ):
            if handle:
                cancel(handle)
        self._control.cancel_side_offers(call)
        for supervisor in list(call.listeners):
            self._control.stop_listening(s.board.seats[supervisor])
        self.stop_recording(call)
        line = s.lines.get(call.line)
        if line is not None and line.call_id == call.id:
            line.call_id = ""
        s.log(call.id, call.queue, call.agent, Verb.HANGUP, reason.value)
        s.out.append(CallEnded(call.record(s.now, reason)))
        call.stage = CallStage.ENDING
        s.calls.pop(call.id, None)

    def agent_hangs_up(self, seat: AgentSeat, from_desk: bool) -> None:
        """The agent ends their part: PositionHungUp, or the HangUp command from the desk."""
        s = self._s
        if seat.id in s.offers:
            offer = s.offers[seat.id]
            if offer.kind == "outbound":
                self._offering.offer_failed(seat.id, Verb.RINGCANCELED, "")
            else:
                self._offering.offer_failed(seat.id, Verb.RINGREJECTED, "hung_up")
            return
        call = s.calls.get(seat.call_id)
        if call is None:
            return
        if seat.id in call.extras:
            self._control.leave_three_way(call, seat, hang_up_position=from_desk)
            return
        if call.agent != seat.id:
            return
        if call.direction == "out":
            if call.stage in TALKING:
                s.out.append(disconnect_action(call.line, call.position))
                self._outbound.log_outbound_talk_end(call, seat, Verb.COMPLETEAGENT)
            if from_desk:
                s.out.append(hang_up_position_action(call.position))
            self.agent_done(seat, call, s.leg_talk_s(call), 0.0)
            self.hang_up_line(
                call, EndReason.ANSWERED if call.stage in TALKING else EndReason.OUTBOUND_FAILED
            )
            return
        if call.stage not in TALKING:
            return
        queue = s.queue(call.queue)
        self.end_conversation(call, Verb.COMPLETEAGENT, hang_up_position=from_desk)
        if queue.survey:
            call.stage = CallStage.SURVEY
            s.play(call, ("survey",), "survey", barge_in=True)
        else:
            self.hang_up_line(call, EndReason.ANSWERED)

    def on_position_hung_up(self, event: PositionHungUp) -> None:
        """The agent's leg ended. A hang-up naming a leg the agent is no longer on (an offer
        gone, an "answered elsewhere" leg) changes nothing."""
        s = self._s
        seat = s.seat_at(event.position)
        if seat is None:
            return
        if event.offer_id:
            offer = s.offers.get(seat.id)
            ringing_id = offer.id if offer is not None else ""
            if event.offer_id not in (ringing_id, seat.leg_offer_id):
                return
        self.agent_hangs_up(seat, from_desk=False)

    def on_hang_up_command(self, command: HangUp) -> None:
        seat = self._s.board.seats.get(command.agent)
        if seat is not None:
            self.agent_hangs_up(seat, from_desk=True)

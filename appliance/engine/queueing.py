"""Callers in a queue: joining, waiting, announcements, tier escalation, leaving (abandon,
time-out, nobody logged in, virtual hold), overflow, and callback requests."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from appliance.engine.agents import AgentSeat
from appliance.engine.announce import position_prompts
from appliance.engine.calls import WAITING, Call, seconds_text
from appliance.engine.devices import play_music_action, stop_ringing_action
from appliance.engine.hours import is_open
from appliance.engine.records import CallbackRequested, EndReason, Verb
from appliance.engine.setup import OverflowKind, Queue, Tier
from appliance.engine.state import EngineParts, EngineState
from appliance.engine.views import CallStage
from appliance.engine.waiting import NORMAL, RETURNING, VIP
from drivers.roles import MediaCapability

log = logging.getLogger(__name__)

PRIORITY_DATA = {RETURNING: "2", VIP: "1", NORMAL: "0"}  # higher is served first, as app_queue


class Queueing:
    """Joining and leaving queues; what happens to a caller while they wait."""

    def __init__(self, state: EngineState) -> None:
        self._s = state

    def wire(self, parts: EngineParts) -> None:
        self._offering = parts.offering
        self._staffing = parts.staffing

    def enter_queue(self, call: Call, queue_id: str) -> None:
        s = self._s
        if s.closing_sends_home and call.entered_s is None and not is_open(s.setup.hours, s.now):
            # still in the menu at closing time: as those already waiting then
            s.log(call.id, "", "", Verb.CLOSED)
            self.send_home_closed(call)
            return
        queue = s.queues.get(queue_id)
        if queue is None:
            log.warning("call %s asked for unknown queue %r", call.id, queue_id)
            call.stage = CallStage.ENDING
            s.play(call, ("sorry_try_later",), "hang_up")
            return
        call.queue = queue.id
        call.visited_queues.append(queue.id)
        call.stage = CallStage.QUEUED
        priority = RETURNING if call.returning else VIP if call.vip else NORMAL
        waiting = s.waiting[queue.id]
        enter_data = ("", call.caller.number, PRIORITY_DATA[priority])
        if queue.max_length and len(waiting) >= queue.max_length:
            # the caller asked for an agent (ENTERQUEUE) but never got a place in line
            s.log(call.id, queue.id, "", Verb.ENTERQUEUE, *enter_data)
            s.log(call.id, queue.id, "", Verb.EXITFULL)
            self.overflow(call, queue)
            return
        line = s.lines.get(call.line)
        if line is not None and line.media is MediaCapability.HALF_DUPLEX:
            # A half-duplex modem line cannot carry a conversation: no agent can take it.
            s.log(call.id, queue.id, "", Verb.ENTERQUEUE, *enter_data)
            self.overflow(call, queue)
            return
        if not queue.join_when_no_agents and self.nobody_to_answer(queue):
            s.log(call.id, queue.id, "", Verb.ENTERQUEUE, *enter_data)
            s.log(call.id, queue.id, "", Verb.EXITEMPTY, "1", "1", "0.000")
            self.overflow(call, queue)
            return
        if call.entered_s is None:
            call.entered_s = s.now
        call.queue_entered_s = s.now
        call.left_queue_s = None
        call.wait_key = (priority, call.entered_s, call.seq)
        call.orig_position = waiting.add(call.wait_key, call.id)
        call.tried.clear()
        call.not_before_s = 0.0
        s.log(call.id, queue.id, "", Verb.ENTERQUEUE, *enter_data)
        s.out.append(play_music_action(call.line))
        if queue.max_wait_s > 0:
            call.max_wait_timer = s.schedule(queue.max_wait_s, "max_wait", call.id)
        if queue.announce_every_s > 0:
            call.announce_timer = s.schedule(queue.announce_every_s, "announce", call.id)
        self.schedule_escalation(call, queue)
        s.dispatch_due.add(queue.id)

    def refusal_for_transfer(self, call: Call, queue_id: str, time_s: float) -> str:
        """Why `queue_id` would not take this caller handed on by their agent now ("" if it
        would): the same rules as a caller joining (closed, full, nobody to answer)."""
        s = self._s
        queue = s.queues.get(queue_id)
        if queue is None:
            return f"there is no queue {queue_id!r}"
        if s.closing_sends_home and not is_open(s.setup.hours, time_s):
            return f"queue {queue_id} is closed now"
        if queue.max_length and len(s.waiting[queue.id]) >= queue.max_length:
            return f"queue {queue_id} is full ({queue.max_length} callers waiting)"
        if not queue.join_when_no_agents and self.nobody_to_answer(queue):
            return f"nobody is taking calls in queue {queue_id}"
        return ""

    def leave_queue(self, call: Call) -> int:
        """Take a waiting caller out of the queue: offers withdrawn, queue timers stopped.
        Returns the place in line the caller had."""
        s = self._s
        place = 0
        if call.wait_key is not None:
            place = s.waiting[call.queue].remove(call.wait_key)
            call.wait_key = None
            call.left_queue_s = s.now
            if call.connected_s is not None:  # back in line after an agent had them
                call.rewait_s += s.now - call.queue_entered_s
        self.withdraw_offers(call)  # after leaving the line: freed agents must not re-offer it
        cancel = s.timers.cancel
        for handle in (
            call.max_wait_timer,
            call.announce_timer,
            call.escalate_timer,
            call.retry_timer,
        ):
            if handle:
                cancel(handle)
        call.max_wait_timer = call.announce_timer = call.escalate_timer = call.retry_timer = 0
        return place

    def leave_queue_logged(self, call: Call, verb: Verb, *before: str) -> None:
        """Leave the queue and log how: ABANDON, EXITWITHTIMEOUT, EXITEMPTY or EXITWITHKEY,
        with data (*before, place, original place, wait_s) as app_queue writes them."""
        s = self._s
        place = self.leave_queue(call)
        wait_s = seconds_text(s.wait_s(call))
        s.log(call.id, call.queue, "", verb, *before, str(place), str(call.orig_position), wait_s)

    def withdraw_offers(self, call: Call) -> None:
        s = self._s
        if call.stage is CallStage.OFFERED:
            call.stage = CallStage.QUEUED
        if not call.ringing:  # the usual case: the caller was connected or nobody rang
            return
        freed: list[AgentSeat] = []
        for agent_id in call.ringing:
            offer = s.offers.pop(agent_id)
            s.cancel(offer.timer)
            seat = s.board.seats[agent_id]
            s.out.append(stop_ringing_action(seat.position))
            s.log(call.id, call.queue, seat.id, Verb.RINGCANCELED)
            s.idle(seat)
            freed.append(seat)
        call.ringing.clear()
        for seat in freed:
            self._staffing.refresh(seat)

    def overflow(self, call: Call, queue: Queue) -> None:
        """The caller leaves `queue` for its overflow target."""
        s = self._s
        kind = queue.overflow.kind
        target = queue.overflow.target_queue
        line = s.lines.get(call.line)
        half_duplex = line is not None and line.media is MediaCapability.HALF_DUPLEX
        if half_duplex and kind is not OverflowKind.VOICEMAIL:
            kind = OverflowKind.CALLBACK
        if kind is OverflowKind.QUEUE and (target not in s.queues or target in call.visited_queues):
            kind = OverflowKind.CALLBACK
        s.log(
            call.id,
            queue.id,
            "",
            Verb.OVERFLOW,
            kind.value,
            target if kind is OverflowKind.QUEUE else "",
        )
        if kind is OverflowKind.QUEUE:
            self.enter_queue(call, target)
            return
        call.ending_reason = EndReason.OVERFLOWED
        if kind is OverflowKind.VOICEMAIL:
            call.stage = CallStage.VOICEMAIL
            s.play(call, ("all_busy",), "record")
            return
        call.stage = CallStage.ENDING
        if kind is OverflowKind.CALLBACK and call.can_be_called_back:
            self.request_callback(call, "callback_request")
            s.play(call, ("callback_confirmed",), "hang_up")
        else:
            s.play(call, ("sorry_try_later",), "hang_up")

    def request_callback(self, call: Call, reason: str, due_now: bool = False) -> None:
        s = self._s
        if not call.can_be_called_back and reason != "voicemail":
            return
        due_s = s.now if due_now else s.now + s.setup.callback_due_s
        s.out.append(
            CallbackRequested(
                task_id=f"{call.id}-cb",
                number=call.caller.number,
                name=call.caller.name,
                reason=reason,
                call_id=call.id,
                queue=call.queue,
                created_s=s.now,
                due_s=due_s,
                entered_s=call.entered_s,
            )
        )
        s.log(call.id, call.queue, "", Verb.CALLBACKREQUEST, reason)

    def virtual_hold(self, call: Call) -> None:
        """Keep the place: the callback task is due at once and carries the original entry
        time, so the callback list, ordered by entry time, keeps the caller's turn."""
        s = self._s
        queue = s.queue(call.queue)
        self.leave_queue_logged(call, Verb.EXITWITHKEY, queue.virtual_hold_key)
        self.request_callback(call, "virtual_hold", due_now=True)
        call.stage = CallStage.ENDING
        call.ending_reason = EndReason.VIRTUAL_HOLD
        s.play(call, ("callback_confirmed",), "hang_up")

    def max_wait_reached(self, call_id: str) -> None:
        s = self._s
        call = s.calls.get(call_id)
        if call is None or call.stage not in WAITING:
            return
        call.max_wait_timer = 0
        queue = s.queue(call.queue)
        self.leave_queue_logged(call, Verb.EXITWITHTIMEOUT)
        self.overflow(call, queue)

    def announce(self, call_id: str) -> None:
        s = self._s
        call = s.calls.get(call_id)
        if call is None or call.stage not in WAITING or call.wait_key is None:
            return
        queue = s.queue(call.queue)
        call.announce_timer = 0
        if queue.announce_every_s <= 0:
            return  # turned off while this caller waited
        if call.stage is CallStage.OFFERED:
            # an agent's phone is ringing: do not talk over the moment they answer
            call.announce_timer = s.schedule(queue.announce_every_s, "announce", call.id)
            return
        place = s.waiting[queue.id].position(call.wait_key)
        estimate_s = s.handle_times.estimate_wait_s(
            queue.id, place, s.board.taking_calls_count(queue.id)
        )
        hold_key = queue.virtual_hold_key if call.can_be_called_back else ""
        # the key leaves the queue only once this caller was told about it (not, say, a
        # menu digit pressed twice)
        call.virtual_hold_offered = call.virtual_hold_offered or bool(hold_key)
        prompts = position_prompts(place, estimate_s, call.language, hold_key)
        s.play(call, prompts, "music", barge_in=True)

    def schedule_escalation(self, call: Call, queue: Queue) -> None:
        """Tiers open up by the caller's whole wait (from the first queue entry), one more
        every tier_escalation_s, until every tier is open."""
        s = self._s
        escalation_s = queue.tier_escalation_s
        if escalation_s <= 0 or call.entered_s is None:
            return
        step = int((s.now - call.entered_s) / escalation_s + 1e-9) + 1
        if step < len(Tier):
            due_s = call.entered_s + step * escalation_s
            call.escalate_timer = s.timers.schedule(due_s, "escalate", call.id)

    def escalate(self, call_id: str) -> None:
        s = self._s
        call = s.calls.get(call_id)
        if call is None or call.stage not in WAITING:
            return
        queue = s.queue(call.queue)
        call.escalate_timer = 0
        self.schedule_escalation(call, queue)
        s.dispatch_due.add(queue.id)

    def retry(self, call_id: str) -> None:
        s = self._s
        call = s.calls.get(call_id)
        if call is None or call.stage not in WAITING:
            return
        call.retry_timer = 0
        s.dispatch_due.add(call.queue)

    def close_waiting(self) -> None:
        """Closing time: every caller still waiting hears "closed", gets a callback task and
        is hung up (closed_hours). Callers talking to an agent are not touched."""
        s = self._s
        for waiting in s.waiting.values():
            for _key, call_id in waiting.in_order():
                call = s.calls[call_id]
                self.leave_queue_logged(call, Verb.EXITCLOSED)
                self.send_home_closed(call)

    def send_home_closed(self, call: Call) -> None:
        self.request_callback(call, EndReason.CLOSED_HOURS.value)
        call.stage = CallStage.ENDING
        call.ending_reason = EndReason.CLOSED_HOURS
        self._s.play(call, ("closed",), "hang_up")

    def move_on_from_removed(self, queue: Queue) -> None:
        """The settings removed this queue: its waiting callers leave it (EXITEMPTY: nobody
        will answer there any more) for its overflow."""
        s = self._s
        for _key, call_id in s.waiting[queue.id].in_order():
            call = s.calls[call_id]
            self.leave_queue_logged(call, Verb.EXITEMPTY)
            self.overflow(call, queue)

    def nobody_to_answer(self, queue: Queue) -> bool:
        """Nobody logged in to the queue, or (paused_is_empty) everybody logged in paused."""
        board = self._s.board
        if board.logged_in_count(queue.id) == 0:
            return True
        if not queue.paused_is_empty or board.has_free(queue.id):
            return False
        return not board.anyone_taking_calls(queue.id)

    def leave_empty_queues(self, queue_ids: Iterable[str]) -> None:
        """After the last agent of a queue logged out (or, paused_is_empty, paused): its
        callers leave (leave_when_no_agents)."""
        s = self._s
        for queue_id in queue_ids:
            queue = s.known_queue(queue_id)
            if queue is None or not queue.leave_when_no_agents:
                continue
            if not self.nobody_to_answer(queue):
                continue
            waiting = s.waiting[queue_id]
            for _key, call_id in waiting.in_order():
                call = s.calls[call_id]
                self.leave_queue_logged(call, Verb.EXITEMPTY)
                self.overflow(call, queue)

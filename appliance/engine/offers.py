"""Offers: which free agent is rung for which waiting caller, an offer that is not answered,
and an answer that connects the caller."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Collection

from appliance.engine.agents import AgentSeat
from appliance.engine.calls import TALKING, Call, Offer, seconds_text
from appliance.engine.devices import connect_action, stop_media_action, stop_ringing_action
from appliance.engine.records import CallbackSettled, EndReason, NoticeKind, Verb
from appliance.engine.routing import choose
from appliance.engine.setup import Queue
from appliance.engine.state import EngineParts, EngineState, file_in
from appliance.engine.views import AgentState, CallStage
from drivers.roles import (
    HangUpPosition,
    OfferNotPlaced,
    PositionAnswered,
    PositionRejected,
    RingPosition,
    StartRecording,
)

log = logging.getLogger(__name__)

NOT_PLACED = "not_placed"  # RINGCANCELED data: the box could not place the agent's leg


class Offering:
    """Routing waiting callers to free agents, ringing them, and their answers."""

    def __init__(self, state: EngineState) -> None:
        self._s = state

    def wire(self, parts: EngineParts) -> None:
        self._control = parts.control
        self._ending = parts.ending
        self._outbound = parts.outbound
        self._queueing = parts.queueing
        self._staffing = parts.staffing

    def dispatch(self, queue_ids: Collection[str]) -> None:
        """Offer calls to free agents in these queues: the heaviest queue (`Queue.weight`)
        first, among equal weights the queue whose first caller is most urgent (priority, then
        entry time)."""
        s = self._s
        if len(queue_ids) == 1:
            for queue_id in queue_ids:
                queue = s.queues.get(queue_id) or s.retired_queues.get(queue_id)
                if queue is not None:
                    self.dispatch_queue(queue)
            return
        ordered = []
        for queue_id in queue_ids:
            waiting = s.waiting.get(queue_id)
            queue = s.known_queue(queue_id)
            if waiting and queue is not None:
                head = waiting.head_key()
                if head is not None:
                    ordered.append((-queue.weight, head, queue))
        ordered.sort(key=lambda entry: entry[:2])
        for _weight, _head, queue in ordered:
            self.dispatch_queue(queue)

    def dispatch_queue(self, queue: Queue) -> None:
        s = self._s
        waiting = s.waiting[queue.id]
        if not waiting:
            return
        board = s.board
        levels = board.logged_in_tiers(queue.id)
        if not levels:
            return
        if not board.has_free(queue.id):
            return
        free_by_tier = board.free_by_tier(queue.id)
        seats = board.seats
        calls = s.calls
        now = s.now
        escalation_s = queue.tier_escalation_s
        keys, call_of = waiting.snapshot()  # offers never add or remove waiting callers
        index = 0
        while index < len(keys):
            key = keys[index]
            call = calls[call_of[key]]
            if call.ringing or call.not_before_s > now:
                index += 1
                continue
            if escalation_s > 0:
                waited_s = now - key[1]
                eligible = min(len(levels), 1 + int(waited_s / escalation_s + 1e-9))
            else:
                eligible = len(levels)
            free = [
                seats[agent_id]
                for tier in levels[:eligible]
                for agent_id in free_by_tier.get(tier, ())
            ]
            if not free:
                # Within a priority class callers further back waited less and may use no
                # more tiers than this one: go on with the next class.
                index = bisect.bisect_left(keys, (key[0] + 1,), index + 1)
                continue
            index += 1
            tried = call.tried
            candidates = [seat for seat in free if seat.id not in tried] if tried else free
            if not candidates:
                tried.clear()  # everyone had a turn: start a new round
                candidates = free
            for seat in choose(queue.strategy, queue.id, candidates, s.round_robin, s.rng):
                self.offer(call, seat, queue)
            if not board.has_free(queue.id):
                return

    def offer(self, call: Call, seat: AgentSeat, queue: Queue) -> None:
        call.ringing.append(seat.id)
        call.tried.add(seat.id)
        call.stage = CallStage.OFFERED
        self.ring(seat, call, "queue", queue.ring_timeout_s)
        self._s.log(call.id, queue.id, seat.id, Verb.OFFER)

    def ring(self, seat: AgentSeat, call: Call, kind: str, timeout_s: float) -> None:
        s = self._s
        timer = s.schedule(timeout_s, "ring", seat.id)
        s.offer_seq += 1
        offer_id = f"{call.id}/{s.offer_seq}"
        s.offers[seat.id] = Offer(offer_id, call.id, kind, s.now, timer)
        seat.activity = AgentState.RINGING
        seat.activity_since_s = s.now
        seat.call_id = call.id
        s.board.set_available(seat, False)
        s.out.append(RingPosition(seat.position, call.id, call.caller, timeout_s, offer_id))
        s.notice(seat, NoticeKind.SCREEN_POP, call)
        if kind != "queue":
            # a colleague rung to take over or join, or the agent's own outbound call: the
            # queue log shows the ring too, so figures see the agent busy
            s.log(call.id, call.queue, seat.id, Verb.OFFER)

    def ring_timed_out(self, agent_id: str) -> None:
        self.offer_failed(agent_id, Verb.RINGNOANSWER, "")

    def offer_failed(self, agent_id: str, verb: Verb, reason: str) -> None:
        """An offer ended unanswered: timed out, rejected by the phone, or withdrawn
        (RINGCANCELED, not counted as missed: the position failed, the agent logged out, or
        with reason NOT_PLACED the box could not place the leg, and then the caller keeps
        their place until the queue's retry pause is over)."""
        s = self._s
        offer = s.offers.pop(agent_id)
        s.cancel(offer.timer)
        seat = s.board.seats[agent_id]
        call = s.calls[offer.call_id]
        s.out.append(stop_ringing_action(seat.position))
        s.idle(seat)
        if offer.kind == "queue":
            queue = s.queue(call.queue)
            if verb is Verb.RINGNOANSWER:
                s.log(
                    call.id,
                    queue.id,
                    seat.id,
                    verb,
                    str(round((s.now - offer.started_s) * 1000)),
                )
            elif verb is Verb.RINGREJECTED or reason:
                s.log(call.id, queue.id, seat.id, verb, reason)
            else:
                s.log(call.id, queue.id, seat.id, verb)
            call.ringing.remove(seat.id)
            if not call.ringing:
                call.stage = CallStage.QUEUED
                pause = verb is not Verb.RINGCANCELED or reason.startswith(NOT_PLACED)
                if pause and queue.retry_s > 0:
                    call.not_before_s = s.now + queue.retry_s
                    call.retry_timer = s.schedule(queue.retry_s, "retry", call.id)
            if verb is not Verb.RINGCANCELED:
                self.missed(seat)
            self._staffing.refresh(seat)
            if verb is Verb.RINGCANCELED:
                s.dispatch_due.add(queue.id)
        elif offer.kind == "outbound":
            s.log(call.id, call.queue, seat.id, Verb.RINGCANCELED)
            self._ending.end_call(call, EndReason.OUTBOUND_FAILED)
            self._staffing.refresh(seat)
        else:
            s.log(call.id, call.queue, seat.id, Verb.RINGCANCELED)
            caller_agent = s.board.seats.get(call.agent)
            if caller_agent is not None:
                s.notice(
                    caller_agent,
                    NoticeKind.STATE_CHANGED,
                    call,
                    detail=f"{offer.kind}_not_answered",
                )
            self._staffing.refresh(seat)

    def missed(self, seat: AgentSeat) -> None:
        seat.missed_offers += 1
        limit = seat.config.max_missed_offers
        if limit > 0 and seat.missed_offers >= limit and not seat.paused:
            self._staffing.set_paused(seat, "missed")

    def on_position_answered(self, event: PositionAnswered) -> None:
        """Connect the offer the answer names. An answer for an offer that is gone (taken by
        another agent, the caller left, the ring timed out) ends that leg and nothing else:
        "answered elsewhere", as app_queue and mod_callcenter do."""
        s = self._s
        seat = s.seat_at(event.position)
        offer = s.offers.get(seat.id) if seat is not None else None
        if event.offer_id and (offer is None or offer.id != event.offer_id):
            log.info("%s answered offer %s, gone already", event.position, event.offer_id)
            s.out.append(HangUpPosition(event.position, offer_id=event.offer_id))
            return
        if seat is None or offer is None:
            return
        seat.leg_offer_id = offer.id
        call = s.calls[offer.call_id]
        if offer.kind == "queue":
            self.connect(call, seat)
        elif offer.kind == "transfer":
            self._control.complete_transfer(call, seat)
        elif offer.kind == "three_way":
            self._control.join_three_way(call, seat)
        else:
            self._outbound.outbound_agent_answered(call, seat)

    def on_position_rejected(self, event: PositionRejected) -> None:
        seat = self.offered_seat(event.position, event.offer_id)
        if seat is not None:
            self.offer_failed(seat.id, Verb.RINGREJECTED, event.reason or "rejected")

    def on_offer_not_placed(self, event: OfferNotPlaced) -> None:
        """The box could not place the leg: withdrawn, not the agent's miss."""
        seat = self.offered_seat(event.position, event.offer_id)
        if seat is not None:
            log.warning("offer %s to %s not placed: %s", event.offer_id, seat.id, event.reason)
            self.offer_failed(seat.id, Verb.RINGCANCELED, NOT_PLACED)

    def offered_seat(self, position_id: str, offer_id: str) -> AgentSeat | None:
        """The agent at the position if the offer named (or, unnamed, any offer) rings there."""
        s = self._s
        seat = s.seat_at(position_id)
        if seat is None:
            return None
        offer = s.offers.get(seat.id)
        if offer is None or (offer_id and offer.id != offer_id):
            return None
        return seat

    def connect(self, call: Call, seat: AgentSeat) -> None:
        s = self._s
        offer = s.offers.pop(seat.id)
        s.cancel(offer.timer)
        call.ringing.remove(seat.id)
        queue = s.queue(call.queue)
        others = list(call.ringing)
        call.ringing.clear()
        for agent_id in others:  # ring-all: the others stop ringing
            other_offer = s.offers.pop(agent_id)
            s.cancel(other_offer.timer)
            other = s.board.seats[agent_id]
            s.out.append(stop_ringing_action(other.position))
            s.log(call.id, queue.id, other.id, Verb.RINGCANCELED)
            s.idle(other)
        self._queueing.leave_queue(call)
        call.play_id = 0
        call.after_prompt = ""
        wait_s = s.wait_s(call)
        s.out.append(stop_media_action(call.line))
        s.out.append(connect_action(call.line, seat.position))
        s.log(
            call.id,
            queue.id,
            seat.id,
            Verb.CONNECT,
            seconds_text(wait_s),
            "",
            seconds_text(s.now - offer.started_s),
        )
        call.stage = CallStage.CONNECTED
        call.agent = seat.id
        call.position = seat.position
        if call.connected_s is None:
            call.connected_s = s.now
            call.connect_wait_s = wait_s
            caller = call.caller
            if caller.number and not caller.withheld:
                # the customer reached us themselves: their open callback task is done
                s.out.append(CallbackSettled(caller.number, call.id, s.now))
        call.leg_connected_s = s.now
        seat.activity = AgentState.ON_CALL
        seat.activity_since_s = s.now
        seat.call_id = call.id
        seat.missed_offers = 0
        seat.calls_today += 1
        s.notice(seat, NoticeKind.CONNECTED, call)
        if queue.record_calls and not call.recording:
            call.recording = True
            call.recording_path = file_in(s.recordings_dir, f"{call.id}.wav")
            s.out.append(StartRecording(call.line, call.recording_path))
        if queue.talk_time_limit_s > 0 and not call.talk_warned and not call.talk_timer:
            call.talk_timer = s.schedule(queue.talk_time_limit_s, "talk", call.id)
        for agent_id in others:
            self._staffing.refresh(s.board.seats[agent_id])

    def talk_time_exceeded(self, call_id: str) -> None:
        s = self._s
        call = s.calls.get(call_id)
        if call is None or call.stage not in TALKING:
            return
        call.talk_timer = 0
        call.talk_warned = True
        talk_s = s.now - (call.connected_s or s.now)
        s.log(call.id, call.queue, call.agent, Verb.TALKWARNING, seconds_text(talk_s))
        seat = s.board.seats.get(call.agent)
        if seat is not None:
            s.notice(seat, NoticeKind.TALK_TIME_WARNING, call, detail=seconds_text(talk_s))

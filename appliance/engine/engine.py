"""The engine: events in, actions out. Follows every call from the first ring through menu,
queue, offers, conversation and wrap-up to its call record, and every agent through login,
pause and calls. Pure and synchronous; all time comes in with the events.

This module routes each event to the part that handles its concern (arrival and menu,
queueing, offers, the end of a call, agents, call control, outbound) and rolls the day."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from appliance.engine.arrival import Arrival
from appliance.engine.call_control import CallControl
from appliance.engine.commands import (
    Block,
    BoxStopping,
    Command,
    HangUp,
    Hold,
    KeypadLoginChecked,
    Listen,
    LogIn,
    LogOut,
    Mute,
    Pause,
    PlaceCall,
    Ready,
    SetupChanged,
    StopListening,
    SummarySaved,
    ThreeWay,
    Tick,
    Transfer,
    TransferToQueue,
    Unhold,
    WaybillFound,
    WaybillUnknown,
)
from appliance.engine.devices import hang_up_line_action
from appliance.engine.ending import Ending
from appliance.engine.hours import is_open, next_close_s, next_midnight_s
from appliance.engine.memory import AgentDay
from appliance.engine.offers import Offering
from appliance.engine.outbound import Outbound
from appliance.engine.queueing import Queueing
from appliance.engine.records import EndReason
from appliance.engine.setup import DepotSetup, check_setup
from appliance.engine.staffing import Staffing
from appliance.engine.state import EngineParts, EngineState, sends_home_at_closing
from appliance.engine.timers import RunawayTimers
from appliance.engine.types import Action, Event
from appliance.engine.views import EngineSnapshot, LineView
from appliance.engine.waiting import WaitingList
from drivers.roles import (
    ButtonPressed,
    CallArrived,
    CallerHungUp,
    CallTurnedAway,
    DialFailed,
    DigitPressed,
    LineAnswered,
    LineFaulted,
    LineInService,
    MediaCapability,
    OfferNotPlaced,
    PositionAnswered,
    PositionDigitPressed,
    PositionFaulted,
    PositionHungUp,
    PositionInService,
    PositionRejected,
    PromptFinished,
    RecordingFinished,
)

log = logging.getLogger(__name__)

RUNAWAY_SLACK = 1000  # timers set and fired within one instant, beyond those already pending


class Engine:
    """The depot's decisions: `handle(event) -> [action]`, `next_deadline()`, `snapshot()`.
    What it does and why is in docs/engine.md."""

    def __init__(
        self,
        setup: DepotSetup,
        *,
        seed: int = 0,
        recordings_dir: str = "",
        voicemail_dir: str = "",
        strict: bool = False,
        agents_today: Mapping[str, AgentDay] | None = None,
    ) -> None:
        """`strict`: a fault in the engine's own working (timers running away) raises, for
        tests; otherwise it is logged and dropped so the box keeps answering.
        `agents_today`: each agent's calls and talk so far today (memory.agents_today over
        today's queue log), so fewest-calls and least-talk-time survive a restart."""
        check_setup(setup)
        self._strict = strict
        state = EngineState(
            setup, seed=seed, recordings_dir=recordings_dir, voicemail_dir=voicemail_dir
        )
        self._s = state
        for agent_id, day in (agents_today or {}).items():
            seat = state.board.seats.get(agent_id)
            if seat is not None:
                seat.calls_today = day.calls
                seat.talk_s_today = day.talk_s
        parts = EngineParts(
            arrival=Arrival(state),
            queueing=Queueing(state),
            offering=Offering(state),
            ending=Ending(state),
            staffing=Staffing(state),
            control=CallControl(state),
            outbound=Outbound(state),
        )
        for part in (
            parts.arrival,
            parts.queueing,
            parts.offering,
            parts.ending,
            parts.staffing,
            parts.control,
            parts.outbound,
        ):
            part.wire(parts)
        self._parts = parts
        state.checks.queue_refusal = parts.queueing.refusal_for_transfer
        self._dispatch = parts.offering.dispatch
        arrival, queueing, offering = parts.arrival, parts.queueing, parts.offering
        ending, staffing, control = parts.ending, parts.staffing, parts.control
        outbound = parts.outbound
        self._handlers: dict[type, Callable[[Any], None]] = {
            Tick: self._on_tick,
            LineInService: arrival.on_line_in_service,
            LineFaulted: arrival.on_line_faulted,
            CallArrived: arrival.on_call_arrived,
            LineAnswered: arrival.on_line_answered,
            DialFailed: outbound.on_dial_failed,
            DigitPressed: arrival.on_digit,
            PromptFinished: arrival.on_prompt_finished,
            RecordingFinished: arrival.on_recording_finished,
            CallerHungUp: ending.on_caller_hung_up,
            PositionInService: staffing.on_position_in_service,
            PositionFaulted: staffing.on_position_faulted,
            PositionAnswered: offering.on_position_answered,
            PositionRejected: offering.on_position_rejected,
            OfferNotPlaced: offering.on_offer_not_placed,
            PositionHungUp: ending.on_position_hung_up,
            PositionDigitPressed: staffing.on_position_digit,
            ButtonPressed: staffing.on_button,
            SetupChanged: self._on_setup_changed,
            BoxStopping: self._on_box_stopping,
            CallTurnedAway: arrival.on_call_turned_away,
            LogIn: staffing.on_log_in,
            LogOut: staffing.on_log_out,
            Pause: staffing.on_pause,
            Ready: staffing.on_ready,
            KeypadLoginChecked: staffing.on_keypad_login_checked,
            Hold: control.on_hold,
            Unhold: control.on_unhold,
            Mute: control.on_mute,
            Transfer: control.on_transfer,
            TransferToQueue: control.on_transfer_to_queue,
            SummarySaved: ending.on_summary_saved,
            ThreeWay: control.on_three_way,
            HangUp: ending.on_hang_up_command,
            Block: control.on_block,
            Listen: control.on_listen,
            StopListening: control.on_stop_listening,
            PlaceCall: outbound.on_place_call,
            WaybillFound: arrival.self_service.on_found,
            WaybillUnknown: arrival.self_service.on_unknown,
        }
        self._timer_handlers: dict[str, Callable[[Any], None]] = {
            "menu": arrival.menu_timed_out,
            "prompt_cut": arrival.prompt_cut_over,
            "max_wait": queueing.max_wait_reached,
            "announce": queueing.announce,
            "escalate": queueing.escalate,
            "retry": queueing.retry,
            "talk": offering.talk_time_exceeded,
            "survey": arrival.survey_timed_out,
            "ring": offering.ring_timed_out,
            "wrap": ending.wrap_up_over,
            "close": self._closing_time,
            "dial": outbound.dial_timed_out,
            "waybill": arrival.self_service.timed_out,
        }
        self._close_timer = 0
        self._runaway_instant_s = float("nan")  # the instant _runaway counts timers of
        self._runaway_fired = 0

    # -----------------------------------------------------------------------------------------
    # Public interface

    def handle(self, event: Event) -> list[Action]:
        """Fire every timer due by the event's time, then handle the event. A person's
        command that cannot apply raises CommandRefused, and then nothing has changed."""
        s = self._s
        if isinstance(event, Command):
            s.checks.check(event)  # raises CommandRefused before anything changes
        out: list[Action] = []
        s.out = out
        # Time never runs backwards: an event stamped before one already handled (two drivers'
        # clocks, a thread's late report) happens now, so no wait comes out negative.
        now = event.time_s
        if now < s.now:
            now = s.now
        timers = s.timers
        if timers.earliest_s() <= now:
            handlers = self._timer_handlers
            fired = 0
            while (due := timers.pop_due(now)) is not None:
                due_s, _handle, kind, subject = due
                fired += 1
                if fired > RUNAWAY_SLACK and self._runaway(due_s, kind, subject, fired):
                    continue
                s.now = due_s
                if due_s >= s.day_ends_s:
                    self._roll_day()
                handlers[kind](subject)
                if s.dispatch_due:
                    self._dispatch_due()
        s.now = now
        if now >= s.day_ends_s:
            self._roll_day()
        handler = self._handlers.get(type(event))
        if handler is None:
            log.warning("engine ignores an event it does not know: %r", event)
        else:
            handler(event)
        if s.dispatch_due:
            self._dispatch_due()
        return out

    def _dispatch_due(self) -> None:
        """Offer waiting callers to the agents the event just freed, now that it is done."""
        s = self._s
        while True:
            queue_ids = s.dispatch_due
            s.dispatch_due = set()
            self._dispatch(queue_ids)
            if not s.dispatch_due:
                return

    def _runaway(self, due_s: float, kind: str, subject: object, fired: int) -> bool:
        """Many timers fired in one handle(): are they one instant's, beyond all that were
        pending (plus RUNAWAY_SLACK)? No setup makes a timer fire again at the instant it
        fired (setup_problems), so that is a fault: raise (strict) or drop that instant."""
        if fired == RUNAWAY_SLACK + 1 or due_s != self._runaway_instant_s:
            self._runaway_instant_s = due_s
            self._runaway_fired = 0
        self._runaway_fired += 1
        if self._runaway_fired <= self._s.timers.live_count() + RUNAWAY_SLACK:
            return False
        self._drop_runaway(due_s, kind, subject)
        return True

    def _drop_runaway(self, due_s: float, kind: str, subject: object) -> None:
        message = f"more than {RUNAWAY_SLACK} timers beyond those pending fired at {due_s}: "
        message += f"{kind} for {subject!r} keeps setting itself again"
        if self._strict:
            raise RunawayTimers(message)
        log.error("%s; the rest of that instant's timers are dropped", message)
        timers = self._s.timers
        while timers.pop_due(due_s) is not None:
            pass

    @property
    def now_s(self) -> float:
        """The instant of the last event handled: the engine's time, which never runs back."""
        return self._s.now

    def next_deadline(self) -> float | None:
        return self._s.timers.next_due()

    def snapshot(self, time_s: float) -> EngineSnapshot:
        s = self._s
        # Time never runs backwards here either: asked on a clock set back since the last
        # event (NTP stepping a Pi's clock), the picture is of the engine's now, so no time in
        # a state and no wait comes out negative on the phone bar, monitor or wallboard.
        time_s = max(time_s, s.now)
        agents = tuple(seat.view() for seat in s.board.seats.values())
        calls = tuple(
            call.view(s.waiting[call.queue].position(call.wait_key) if call.wait_key else 0)
            for call in s.calls.values()
        )
        lines = tuple(
            LineView(
                id=line.id,
                in_service=line.in_service,
                full_duplex=line.media is MediaCapability.FULL_DUPLEX,
                call_id=line.call_id,
                fault=line.fault,
            )
            for line in sorted(s.lines.values(), key=lambda line: line.id)
        )
        return EngineSnapshot(
            time_s=time_s,
            agents=agents,
            calls=calls,
            lines=lines,
            open_now=is_open(s.setup.hours, time_s),
        )

    # -----------------------------------------------------------------------------------------
    # The day's roll and new settings

    def _roll_day(self) -> None:
        """The depot's midnight has passed: reset the agents' "today" counts (not on the first
        event, which only learns when today ends)."""
        s = self._s
        if s.day_ends_s != float("-inf"):
            for seat in s.board.seats.values():
                seat.calls_today = 0
                seat.talk_s_today = 0.0
        s.day_ends_s = next_midnight_s(s.now, s.setup.hours.timezone)
        if not self._close_timer:  # the first event: learn when the depot next closes
            self._schedule_closing()

    def _schedule_closing(self) -> None:
        s = self._s
        s.cancel(self._close_timer)
        self._close_timer = 0
        close_s = next_close_s(s.setup.hours, s.now)
        if close_s != float("inf"):
            self._close_timer = s.timers.schedule(close_s, "close", "depot")

    def _closing_time(self, _subject: object) -> None:
        """An opening range ended: unless the depot serves callers already waiting after
        closing, they hear "closed" (queueing.close_waiting)."""
        s = self._s
        self._close_timer = 0
        hours = s.setup.hours
        if not is_open(hours, s.now) and not hours.serve_waiting_after_close:
            self._parts.queueing.close_waiting()
        self._schedule_closing()

    def _on_box_stopping(self, command: BoxStopping) -> None:
        """Every call ends now (box_shutdown); lines with a call are hung up."""
        s = self._s
        ending = self._parts.ending
        for call in list(s.calls.values()):
            if call.id not in s.calls:
                continue  # ended with another (a transfer's or three-way's side)
            line = call.line
            ending.interrupted(call, EndReason.SHUTDOWN)
            if line:
                s.out.append(hang_up_line_action(line))

    def _on_tick(self, event: Tick) -> None:
        """Timers have fired already."""

    def _on_setup_changed(self, command: SetupChanged) -> None:
        """New settings take effect at once; calls in progress keep their queue (a removed
        queue's callers wait on under its old settings), removed agents are logged out (after
        their call, if they are on one)."""
        s = self._s
        staffing = self._parts.staffing
        setup = command.setup
        for queue in s.queues.values():
            s.retired_queues[queue.id] = queue
        s.setup = setup
        s.closing_sends_home = sends_home_at_closing(setup)
        s.queues = {queue.id: queue for queue in setup.queues}
        for queue in setup.queues:
            s.waiting.setdefault(queue.id, WaitingList())
        s.blacklist = set(setup.blacklist)
        s.vips = set(setup.vip_numbers)
        s.line_queues = dict(setup.line_queues)
        s.day_ends_s = next_midnight_s(s.now, setup.hours.timezone)  # zone may change
        self._schedule_closing()  # the hours may have changed
        for queue_id, queue in s.retired_queues.items():
            if queue_id not in s.queues:
                self._parts.queueing.move_on_from_removed(queue)
        removed = s.board.replace_agents(setup.agents)
        for seat in removed:
            staffing.request_log_out(seat)
        for seat in list(s.board.seats.values()):
            staffing.refresh(seat)
        s.dispatch_due.update(s.queues)

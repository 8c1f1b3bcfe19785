"""The engine: events in, actions out. Follows every call from the first ring through menu,
queue, offers, conversation and wrap-up to its call record, and every agent through login,
pause and calls. Pure and synchronous; all time comes in with the events."""

from __future__ import annotations

import bisect
import logging
import random
from collections.abc import Callable, Collection, Hashable, Iterable
from typing import Any

from appliance.engine.agents import AgentBoard, AgentSeat
from appliance.engine.announce import HandleTimeAverage, position_prompts
from appliance.engine.calls import TALKING, WAITING, Call, Offer, seconds_text
from appliance.engine.commands import (
    Block,
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
    ThreeWay,
    Tick,
    Transfer,
    Unhold,
)
from appliance.engine.devices import (
    LineState,
    PositionState,
    answer_line_action,
    connect_action,
    disconnect_action,
    hang_up_line_action,
    hang_up_position_action,
    play_music_action,
    stop_media_action,
    stop_ringing_action,
)
from appliance.engine.hours import is_open, next_midnight_s
from appliance.engine.records import (
    AgentNotice,
    CallbackRequested,
    CallEnded,
    CheckKeypadLogin,
    EndReason,
    FaultCleared,
    FaultRecorded,
    NoticeKind,
    NumberBlocked,
    QueueLogEntry,
    Verb,
)
from appliance.engine.refusals import CommandChecks
from appliance.engine.routing import RoundRobinMemory, choose
from appliance.engine.setup import DepotSetup, OverflowKind, Queue, Tier
from appliance.engine.timers import TimerQueue
from appliance.engine.types import Action, Event
from appliance.engine.views import (
    AgentState,
    CallStage,
    EngineSnapshot,
    LineView,
)
from appliance.engine.waiting import NORMAL, RETURNING, VIP, WaitingList
from drivers.roles import (
    ButtonPressed,
    CallArrived,
    CallerHungUp,
    CallerId,
    DialFailed,
    DialOut,
    DigitPressed,
    HoldCaller,
    JoinSupervisor,
    LineAnswered,
    LineFaulted,
    LineInService,
    MediaCapability,
    MuteCaller,
    PlayPrompt,
    PlayTone,
    PositionAnswered,
    PositionDigitPressed,
    PositionFaulted,
    PositionHungUp,
    PositionInService,
    PositionRejected,
    PromptFinished,
    RecordingFinished,
    RecordMessage,
    RefuseCall,
    RingPosition,
    StartRecording,
    StopRecording,
    Tone,
)

log = logging.getLogger(__name__)

OUTBOUND_RING_S = 30.0  # the agent's own phone rings this long before an outbound call
SURVEY_WAIT_S = 10.0  # no key after the survey prompt: hang up without a score
VOICEMAIL_MAX_S = 120.0
PRIORITY_DATA = {RETURNING: "2", VIP: "1", NORMAL: "0"}  # higher is served first, as app_queue


def _file_in(folder: str, name: str) -> str:
    """A recording's path; just the name when no folder is set (never the file-system root)."""
    return f"{folder}/{name}" if folder else name


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
    ) -> None:
        self._setup = setup
        self._rng = random.Random(seed)
        self._recordings_dir = recordings_dir.rstrip("/")
        self._voicemail_dir = voicemail_dir.rstrip("/")
        self._timers = TimerQueue()
        self._board = AgentBoard(setup.agents)
        self._queues: dict[str, Queue] = {queue.id: queue for queue in setup.queues}
        self._retired_queues: dict[str, Queue] = {}
        self._waiting: dict[str, WaitingList] = {queue.id: WaitingList() for queue in setup.queues}
        self._calls: dict[str, Call] = {}
        self._lines: dict[str, LineState] = {}
        self._positions: dict[str, PositionState] = {}
        self._faulted_positions: set[str] = set()
        self._offers: dict[str, Offer] = {}  # agent id -> the call ringing at that agent
        self._blacklist: set[str] = set(setup.blacklist)
        self._vips: set[str] = set(setup.vip_numbers)
        self._line_queues: dict[str, str] = dict(setup.line_queues)
        self._round_robin = RoundRobinMemory()
        self._handle_times = HandleTimeAverage()
        self._seq = 0
        self._play_seq = 0
        self._out: list[Action] = []
        self._now = 0.0
        self._day_ends_s = float("-inf")  # the first event learns when today ends
        self._handlers: dict[type, Callable[[Any], None]] = {
            Tick: self._on_tick,
            LineInService: self._on_line_in_service,
            LineFaulted: self._on_line_faulted,
            CallArrived: self._on_call_arrived,
            LineAnswered: self._on_line_answered,
            DialFailed: self._on_dial_failed,
            DigitPressed: self._on_digit,
            PromptFinished: self._on_prompt_finished,
            RecordingFinished: self._on_recording_finished,
            CallerHungUp: self._on_caller_hung_up,
            PositionInService: self._on_position_in_service,
            PositionFaulted: self._on_position_faulted,
            PositionAnswered: self._on_position_answered,
            PositionRejected: self._on_position_rejected,
            PositionHungUp: self._on_position_hung_up,
            PositionDigitPressed: self._on_position_digit,
            ButtonPressed: self._on_button,
            SetupChanged: self._on_setup_changed,
            LogIn: self._on_log_in,
            LogOut: self._on_log_out,
            Pause: self._on_pause,
            Ready: self._on_ready,
            KeypadLoginChecked: self._on_keypad_login_checked,
            Hold: self._on_hold,
            Unhold: self._on_unhold,
            Mute: self._on_mute,
            Transfer: self._on_transfer,
            ThreeWay: self._on_three_way,
            HangUp: self._on_hang_up_command,
            Block: self._on_block,
            Listen: self._on_listen,
            StopListening: self._on_stop_listening,
            PlaceCall: self._on_place_call,
        }
        self._checks = CommandChecks(self._board, self._positions, self._calls, self._offers)
        self._timer_handlers: dict[str, Callable[[Any], None]] = {
            "menu": self._menu_timed_out,
            "max_wait": self._max_wait_reached,
            "announce": self._announce,
            "escalate": self._escalate,
            "retry": self._retry,
            "talk": self._talk_time_exceeded,
            "survey": self._survey_timed_out,
            "ring": self._ring_timed_out,
            "wrap": self._wrap_up_over,
        }

    # -----------------------------------------------------------------------------------------
    # Public interface

    def handle(self, event: Event) -> list[Action]:
        """Fire every timer due by the event's time, then handle the event. A person's
        command that cannot apply raises CommandRefused, and then nothing has changed."""
        if isinstance(event, Command):
            self._checks.check(event)  # raises CommandRefused before anything changes
        out: list[Action] = []
        self._out = out
        now = event.time_s
        timers = self._timers
        if timers.earliest_s() <= now:
            while (due := timers.pop_due(now)) is not None:
                due_s, _handle, kind, subject = due
                self._now = due_s
                if due_s >= self._day_ends_s:
                    self._roll_day()
                self._timer_handlers[kind](subject)
        self._now = now
        if now >= self._day_ends_s:
            self._roll_day()
        handler = self._handlers.get(type(event))
        if handler is None:
            log.warning("engine ignores an event it does not know: %r", event)
        else:
            handler(event)
        return out

    def next_deadline(self) -> float | None:
        return self._timers.next_due()

    def snapshot(self, time_s: float) -> EngineSnapshot:
        agents = tuple(seat.view() for seat in self._board.seats.values())
        calls = tuple(
            call.view(self._waiting[call.queue].position(call.wait_key) if call.wait_key else 0)
            for call in self._calls.values()
        )
        lines = tuple(
            LineView(
                id=line.id,
                in_service=line.in_service,
                full_duplex=line.media is MediaCapability.FULL_DUPLEX,
                call_id=line.call_id,
                fault=line.fault,
            )
            for line in sorted(self._lines.values(), key=lambda line: line.id)
        )
        return EngineSnapshot(
            time_s=time_s,
            agents=agents,
            calls=calls,
            lines=lines,
            open_now=is_open(self._setup.hours, time_s),
        )

    # -----------------------------------------------------------------------------------------
    # Output helpers

    def _log(self, call_id: str, queue: str, agent: str, verb: Verb, *data: str) -> None:
        self._out.append(
            QueueLogEntry(
                self._now, call_id or "NONE", queue or "NONE", agent or "NONE", verb, data
            )
        )

    def _notice(
        self, seat: AgentSeat, kind: NoticeKind, call: Call | None = None, detail: str = ""
    ) -> None:
        if call is None:
            self._out.append(AgentNotice(seat.id, kind, self._now, detail=detail))
        else:
            caller = call.caller
            self._out.append(
                AgentNotice(
                    seat.id,
                    kind,
                    self._now,
                    call.id,
                    caller.number,
                    caller.name,
                    call.queue,
                    detail,
                )
            )

    def _schedule(self, delay_s: float, kind: str, subject: Hashable) -> int:
        return self._timers.schedule(self._now + delay_s, kind, subject)

    def _cancel(self, handle: int) -> None:
        if handle:
            self._timers.cancel(handle)

    def _play(self, call: Call, prompts: Iterable[str], after: str, barge_in: bool = False) -> None:
        self._play_seq += 1
        call.play_id = self._play_seq
        call.after_prompt = after
        self._out.append(
            PlayPrompt(call.line, tuple(prompts), call.language, self._play_seq, barge_in)
        )

    def _queue(self, queue_id: str) -> Queue:
        queue = self._queues.get(queue_id)
        if queue is None:
            queue = self._retired_queues[queue_id]
        return queue

    def _known_queue(self, queue_id: str) -> Queue | None:
        """The queue's settings, old ones if settings removed it while callers still wait."""
        return self._queues.get(queue_id) or self._retired_queues.get(queue_id)

    def _roll_day(self) -> None:
        """The depot's midnight has passed: reset the agents' "today" counts (not on the first
        event, which only learns when today ends)."""
        if self._day_ends_s != float("-inf"):
            for seat in self._board.seats.values():
                seat.calls_today = 0
                seat.talk_s_today = 0.0
        self._day_ends_s = next_midnight_s(self._now, self._setup.hours.timezone)

    # -----------------------------------------------------------------------------------------
    # Lines

    def _line(self, line_id: str) -> LineState:
        line = self._lines.get(line_id)
        if line is None:
            line = self._lines[line_id] = LineState(line_id)
        return line

    def _call_on(self, line_id: str) -> Call | None:
        line = self._lines.get(line_id)
        if line is None or not line.call_id:
            return None
        return self._calls.get(line.call_id)

    def _on_tick(self, event: Tick) -> None:
        """Timers have fired already."""

    def _on_line_in_service(self, event: LineInService) -> None:
        line = self._line(event.line)
        if line.fault:
            self._log("", "", line.id, Verb.LINERESTORED)
            self._out.append(FaultCleared(line.id, self._now))
        line.in_service = True
        line.fault = ""
        line.media = event.media

    def _on_line_faulted(self, event: LineFaulted) -> None:
        line = self._line(event.line)
        reason = event.reason or "fault"
        if not line.fault:
            self._log("", "", line.id, Verb.LINEFAULT, reason)
            self._out.append(FaultRecorded(line.id, reason, self._now))
        line.in_service = False
        line.fault = reason
        call = self._call_on(line.id)
        if call is not None:
            self._line_lost(call)

    def _line_lost(self, call: Call) -> None:
        """The line failed under a call: end it without touching the line again."""
        if call.stage in WAITING:
            self._leave_queue_logged(call, Verb.ABANDON)
            self._request_callback(call, "line_fault")
        elif call.stage in TALKING and call.direction == "in":
            self._end_conversation(call, Verb.COMPLETECALLER, hang_up_position=True)
        elif call.stage in TALKING or call.stage is CallStage.DIALLING:
            self._drop_outbound_agent(call)
        elif call.stage is CallStage.VOICEMAIL:
            self._voicemail_done(call, None)
        self._end_call(call, EndReason.LINE_FAULT)

    # -----------------------------------------------------------------------------------------
    # Arrival, greeting and menu

    def _on_call_arrived(self, event: CallArrived) -> None:
        line = self._line(event.line)
        stale = self._calls.get(line.call_id) if line.call_id else None
        if stale is not None:
            log.warning("line %s rang while call %s was still on it", line.id, stale.id)
            self._caller_gone(stale)
        self._seq += 1
        number = event.caller.number
        call = Call(
            id=f"{int(self._now * 1000)}.{self._seq}",
            line=line.id,
            caller=event.caller,
            direction="in",
            arrived_s=self._now,
            language=self._setup.language,
            vip=bool(number) and number in self._vips,
            seq=self._seq,
        )
        self._calls[call.id] = call
        line.call_id = call.id
        self._log(call.id, "", "", Verb.INBOUND, number, event.caller.name)
        if number and number in self._blacklist:
            self._out.append(RefuseCall(line.id))
            self._log(call.id, "", "", Verb.BLOCKED, "blacklist")
            self._end_call(call, EndReason.BLOCKED)
            return
        if not is_open(self._setup.hours, self._now):
            call.closed = True
            self._log(call.id, "", "", Verb.CLOSED)
        self._out.append(answer_line_action(line.id))

    def _on_line_answered(self, event: LineAnswered) -> None:
        call = self._call_on(event.line)
        if call is None:
            return
        if call.direction == "out":
            self._outbound_answered(call)
            return
        if call.stage is not CallStage.RINGING_LINE:
            return
        call.stage = CallStage.GREETING
        if call.closed:
            call.stage = CallStage.ENDING
            call.ending_reason = EndReason.CLOSED_HOURS
            self._play(call, ("closed",), "hang_up")
            return
        fixed_queue = self._line_queues.get(call.line)
        if fixed_queue:
            call.chosen_queue = fixed_queue
            self._play(call, (self._setup.menu.greeting_prompt,), "enter_queue")
            return
        menu = self._setup.menu
        if not menu.options:
            call.chosen_queue = self._default_queue()
            self._play(call, (menu.greeting_prompt,), "enter_queue")
            return
        call.menu_plays = 1
        self._play(call, (menu.greeting_prompt, *self._menu_prompts(call)), "menu", True)

    def _menu_prompts(self, call: Call) -> tuple[str, ...]:
        options = tuple(option.prompt for option in self._setup.menu.options)
        if call.language != "en" and self._setup.menu.language_key:
            return (*options, "menu_language")
        return options

    def _default_queue(self) -> str:
        menu = self._setup.menu
        if menu.default_queue:
            return menu.default_queue
        if menu.options:
            return menu.options[0].queue
        return self._setup.queues[0].id if self._setup.queues else ""

    def _menu_digit(self, call: Call, digit: str) -> None:
        menu = self._setup.menu
        self._cancel(call.menu_timer)
        call.menu_timer = 0
        for option in menu.options:
            if option.digit == digit:
                call.play_id = 0
                self._enter_queue(call, option.queue)
                return
        if digit == menu.language_key and call.language != "en":
            call.language = "en"
            self._play(call, (menu.greeting_prompt, *self._menu_prompts(call)), "menu", True)
            return
        if call.menu_plays >= menu.attempts:
            call.play_id = 0
            self._enter_queue(call, self._default_queue())
            return
        call.menu_plays += 1
        self._play(call, ("menu_invalid", *self._menu_prompts(call)), "menu", True)

    def _menu_timed_out(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is None or call.stage is not CallStage.GREETING:
            return
        call.menu_timer = 0
        if call.menu_plays >= self._setup.menu.attempts:
            self._enter_queue(call, self._default_queue())
            return
        call.menu_plays += 1
        self._play(call, self._menu_prompts(call), "menu", True)

    def _on_prompt_finished(self, event: PromptFinished) -> None:
        call = self._call_on(event.line)
        if call is None or event.play_id != call.play_id:
            return
        after = call.after_prompt
        call.after_prompt = ""
        if after == "menu":
            call.menu_timer = self._schedule(self._setup.menu.timeout_s, "menu", call.id)
        elif after == "enter_queue":
            self._enter_queue(call, call.chosen_queue)
        elif after == "hang_up":
            self._hang_up_line(call, call.ending_reason)
        elif after == "music":
            self._out.append(play_music_action(call.line))
            queue = self._queue(call.queue)
            if queue.announce_every_s > 0:
                call.announce_timer = self._schedule(queue.announce_every_s, "announce", call.id)
        elif after == "record":
            call.voicemail_path = _file_in(self._voicemail_dir, f"{call.id}-voicemail.wav")
            call.voicemail_started_s = self._now
            self._out.append(PlayTone(call.line, Tone.BEEP, 0.5))
            self._out.append(RecordMessage(call.line, call.voicemail_path, VOICEMAIL_MAX_S))
        elif after == "survey":
            call.survey_timer = self._schedule(SURVEY_WAIT_S, "survey", call.id)

    def _on_digit(self, event: DigitPressed) -> None:
        call = self._call_on(event.line)
        if call is None:
            return
        stage = call.stage
        if stage is CallStage.GREETING and call.menu_plays:
            self._menu_digit(call, event.digit)
        elif stage in WAITING:
            queue = self._queue(call.queue)
            if event.digit == queue.virtual_hold_key and call.can_be_called_back:
                self._virtual_hold(call)
        elif stage is CallStage.SURVEY and event.digit in ("1", "2", "3", "4", "5"):
            self._cancel(call.survey_timer)
            call.survey_timer = 0
            call.survey_score = int(event.digit)
            self._log(call.id, call.queue, call.agent, Verb.SURVEY, event.digit)
            call.stage = CallStage.ENDING
            call.ending_reason = EndReason.ANSWERED
            self._play(call, ("survey_thanks",), "hang_up")

    def _survey_timed_out(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is not None and call.stage is CallStage.SURVEY:
            call.survey_timer = 0
            self._hang_up_line(call, EndReason.ANSWERED)

    # -----------------------------------------------------------------------------------------
    # Queues

    def _enter_queue(self, call: Call, queue_id: str) -> None:
        queue = self._queues.get(queue_id)
        if queue is None:
            log.warning("call %s asked for unknown queue %r", call.id, queue_id)
            call.stage = CallStage.ENDING
            self._play(call, ("sorry_try_later",), "hang_up")
            return
        call.queue = queue.id
        call.visited_queues.append(queue.id)
        call.stage = CallStage.QUEUED
        priority = RETURNING if call.returning else VIP if call.vip else NORMAL
        waiting = self._waiting[queue.id]
        enter_data = ("", call.caller.number, PRIORITY_DATA[priority])
        if queue.max_length and len(waiting) >= queue.max_length:
            # the caller asked for an agent (ENTERQUEUE) but never got a place in line
            self._log(call.id, queue.id, "", Verb.ENTERQUEUE, *enter_data)
            self._log(call.id, queue.id, "", Verb.EXITFULL)
            self._overflow(call, queue)
            return
        line = self._lines.get(call.line)
        if line is not None and line.media is MediaCapability.HALF_DUPLEX:
            # A half-duplex modem line cannot carry a conversation: no agent can take it.
            self._log(call.id, queue.id, "", Verb.ENTERQUEUE, *enter_data)
            self._overflow(call, queue)
            return
        if not queue.join_when_no_agents and self._board.logged_in_count(queue.id) == 0:
            self._log(call.id, queue.id, "", Verb.ENTERQUEUE, *enter_data)
            self._log(call.id, queue.id, "", Verb.EXITEMPTY, "1", "1", "0.000")
            self._overflow(call, queue)
            return
        if call.entered_s is None:
            call.entered_s = self._now
        call.queue_entered_s = self._now
        call.left_queue_s = None
        call.wait_key = (priority, call.entered_s, call.seq)
        call.orig_position = waiting.add(call.wait_key, call.id)
        call.tried.clear()
        call.not_before_s = 0.0
        self._log(call.id, queue.id, "", Verb.ENTERQUEUE, *enter_data)
        self._out.append(play_music_action(call.line))
        if queue.max_wait_s > 0:
            call.max_wait_timer = self._schedule(queue.max_wait_s, "max_wait", call.id)
        if queue.announce_every_s > 0:
            call.announce_timer = self._schedule(queue.announce_every_s, "announce", call.id)
        self._schedule_escalation(call, queue)
        self._dispatch_queue(queue)

    def _wait_s(self, call: Call) -> float:
        return self._now - call.entered_s if call.entered_s is not None else 0.0

    def _leave_queue(self, call: Call) -> int:
        """Take a waiting caller out of the queue: offers withdrawn, queue timers stopped.
        Returns the place in line the caller had."""
        place = 0
        if call.wait_key is not None:
            place = self._waiting[call.queue].remove(call.wait_key)
            call.wait_key = None
            call.left_queue_s = self._now
        self._withdraw_offers(call)  # after leaving the line: freed agents must not re-offer it
        cancel = self._timers.cancel
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

    def _leave_queue_logged(self, call: Call, verb: Verb, *before: str) -> None:
        """Leave the queue and log how: ABANDON, EXITWITHTIMEOUT, EXITEMPTY or EXITWITHKEY,
        with data (*before, place, original place, wait_s) as app_queue writes them."""
        place = self._leave_queue(call)
        wait_s = seconds_text(self._wait_s(call))
        self._log(
            call.id, call.queue, "", verb, *before, str(place), str(call.orig_position), wait_s
        )

    def _withdraw_offers(self, call: Call) -> None:
        if call.stage is CallStage.OFFERED:
            call.stage = CallStage.QUEUED
        if not call.ringing:  # the usual case: the caller was connected or nobody rang
            return
        freed: list[AgentSeat] = []
        for agent_id in call.ringing:
            offer = self._offers.pop(agent_id)
            self._cancel(offer.timer)
            seat = self._board.seats[agent_id]
            self._out.append(stop_ringing_action(seat.position))
            self._log(call.id, call.queue, seat.id, Verb.RINGCANCELED)
            self._idle(seat)
            freed.append(seat)
        call.ringing.clear()
        for seat in freed:
            self._refresh(seat)

    def _overflow(self, call: Call, queue: Queue) -> None:
        """The caller leaves `queue` for its overflow target."""
        kind = queue.overflow.kind
        target = queue.overflow.target_queue
        line = self._lines.get(call.line)
        half_duplex = line is not None and line.media is MediaCapability.HALF_DUPLEX
        if half_duplex and kind is not OverflowKind.VOICEMAIL:
            kind = OverflowKind.CALLBACK
        if kind is OverflowKind.QUEUE and (
            target not in self._queues or target in call.visited_queues
        ):
            kind = OverflowKind.CALLBACK
        self._log(
            call.id,
            queue.id,
            "",
            Verb.OVERFLOW,
            kind.value,
            target if kind is OverflowKind.QUEUE else "",
        )
        if kind is OverflowKind.QUEUE:
            self._enter_queue(call, target)
            return
        call.ending_reason = EndReason.OVERFLOWED
        if kind is OverflowKind.VOICEMAIL:
            call.stage = CallStage.VOICEMAIL
            self._play(call, ("all_busy",), "record")
            return
        call.stage = CallStage.ENDING
        if kind is OverflowKind.CALLBACK and call.can_be_called_back:
            self._request_callback(call, "callback_request")
            self._play(call, ("callback_confirmed",), "hang_up")
        else:
            self._play(call, ("sorry_try_later",), "hang_up")

    def _request_callback(self, call: Call, reason: str, due_now: bool = False) -> None:
        if not call.can_be_called_back and reason != "voicemail":
            return
        due_s = self._now if due_now else self._now + self._setup.callback_due_s
        self._out.append(
            CallbackRequested(
                task_id=f"{call.id}-cb",
                number=call.caller.number,
                name=call.caller.name,
                reason=reason,
                call_id=call.id,
                queue=call.queue,
                created_s=self._now,
                due_s=due_s,
                entered_s=call.entered_s,
            )
        )
        self._log(call.id, call.queue, "", Verb.CALLBACKREQUEST, reason)

    def _virtual_hold(self, call: Call) -> None:
        """Keep the place: the callback task is due at once and carries the original entry
        time, so the callback list, ordered by entry time, keeps the caller's turn."""
        queue = self._queue(call.queue)
        self._leave_queue_logged(call, Verb.EXITWITHKEY, queue.virtual_hold_key)
        self._request_callback(call, "virtual_hold", due_now=True)
        call.stage = CallStage.ENDING
        call.ending_reason = EndReason.VIRTUAL_HOLD
        self._play(call, ("callback_confirmed",), "hang_up")

    def _max_wait_reached(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is None or call.stage not in WAITING:
            return
        call.max_wait_timer = 0
        queue = self._queue(call.queue)
        self._leave_queue_logged(call, Verb.EXITWITHTIMEOUT)
        self._overflow(call, queue)

    def _announce(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is None or call.stage not in WAITING or call.wait_key is None:
            return
        queue = self._queue(call.queue)
        call.announce_timer = 0
        if call.stage is CallStage.OFFERED:
            # an agent's phone is ringing: do not talk over the moment they answer
            call.announce_timer = self._schedule(queue.announce_every_s, "announce", call.id)
            return
        place = self._waiting[queue.id].position(call.wait_key)
        estimate_s = self._handle_times.estimate_wait_s(
            queue.id, place, self._board.logged_in_count(queue.id)
        )
        offer_hold = bool(queue.virtual_hold_key) and call.can_be_called_back
        prompts = position_prompts(place, estimate_s, call.language, offer_hold)
        self._play(call, prompts, "music", barge_in=True)

    def _schedule_escalation(self, call: Call, queue: Queue) -> None:
        """Tiers open up by the caller's whole wait (from the first queue entry), one more
        every tier_escalation_s, until every tier is open."""
        escalation_s = queue.tier_escalation_s
        if escalation_s <= 0 or call.entered_s is None:
            return
        step = int((self._now - call.entered_s) / escalation_s + 1e-9) + 1
        if step < len(Tier):
            due_s = call.entered_s + step * escalation_s
            call.escalate_timer = self._timers.schedule(due_s, "escalate", call.id)

    def _escalate(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is None or call.stage not in WAITING:
            return
        queue = self._queue(call.queue)
        call.escalate_timer = 0
        self._schedule_escalation(call, queue)
        self._dispatch_queue(queue)

    def _retry(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is None or call.stage not in WAITING:
            return
        call.retry_timer = 0
        self._dispatch_queue(self._queue(call.queue))

    def _leave_empty_queues(self, queue_ids: Iterable[str]) -> None:
        """After the last agent of a queue logged out: its callers leave (leave_when_no_agents)."""
        for queue_id in queue_ids:
            queue = self._known_queue(queue_id)
            if queue is None or not queue.leave_when_no_agents:
                continue
            if self._board.logged_in_count(queue_id) > 0:
                continue
            waiting = self._waiting[queue_id]
            for _key, call_id in waiting.in_order():
                call = self._calls[call_id]
                self._leave_queue_logged(call, Verb.EXITEMPTY)
                self._overflow(call, queue)

    # -----------------------------------------------------------------------------------------
    # Routing and offers

    def _dispatch(self, queue_ids: Collection[str]) -> None:
        """Offer calls to free agents in these queues, the queue whose first caller is most
        urgent (priority, then entry time) first."""
        if len(queue_ids) == 1:
            for queue_id in queue_ids:
                queue = self._known_queue(queue_id)
                if queue is not None:
                    self._dispatch_queue(queue)
            return
        ordered = []
        for queue_id in queue_ids:
            waiting = self._waiting.get(queue_id)
            if waiting:
                head = waiting.head_key()
                if head is not None:
                    ordered.append((head, queue_id))
        ordered.sort()
        for _head, queue_id in ordered:
            queue = self._known_queue(queue_id)
            if queue is not None:
                self._dispatch_queue(queue)

    def _dispatch_queue(self, queue: Queue) -> None:
        waiting = self._waiting[queue.id]
        if not waiting:
            return
        board = self._board
        levels = board.logged_in_tiers(queue.id)
        if not levels:
            return
        if not board.has_free(queue.id):
            return
        free_by_tier = board.free_by_tier(queue.id)
        seats = board.seats
        calls = self._calls
        now = self._now
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
            for seat in choose(queue.strategy, queue.id, candidates, self._round_robin, self._rng):
                self._offer(call, seat, queue)
            if not board.has_free(queue.id):
                return

    def _offer(self, call: Call, seat: AgentSeat, queue: Queue) -> None:
        call.ringing.append(seat.id)
        call.tried.add(seat.id)
        call.stage = CallStage.OFFERED
        self._ring(seat, call, "queue", queue.ring_timeout_s)
        self._log(call.id, queue.id, seat.id, Verb.OFFER)

    def _ring(self, seat: AgentSeat, call: Call, kind: str, timeout_s: float) -> None:
        timer = self._schedule(timeout_s, "ring", seat.id)
        self._offers[seat.id] = Offer(call.id, kind, self._now, timer)
        seat.activity = AgentState.RINGING
        seat.activity_since_s = self._now
        seat.call_id = call.id
        self._board.set_available(seat, False)
        self._out.append(RingPosition(seat.position, call.id, call.caller, timeout_s))
        self._notice(seat, NoticeKind.SCREEN_POP, call)
        if kind != "queue":
            # a colleague rung to take over or join, or the agent's own outbound call: the
            # queue log shows the ring too, so figures see the agent busy
            self._log(call.id, call.queue, seat.id, Verb.OFFER)

    def _ring_timed_out(self, agent_id: str) -> None:
        self._offer_failed(agent_id, Verb.RINGNOANSWER, "")

    def _offer_failed(self, agent_id: str, verb: Verb, reason: str) -> None:
        """An offer ended unanswered: timed out, rejected by the phone, or the position
        failed (RINGCANCELED, not counted as missed)."""
        offer = self._offers.pop(agent_id)
        self._cancel(offer.timer)
        seat = self._board.seats[agent_id]
        call = self._calls[offer.call_id]
        self._out.append(stop_ringing_action(seat.position))
        self._idle(seat)
        if offer.kind == "queue":
            queue = self._queue(call.queue)
            if verb is Verb.RINGNOANSWER:
                self._log(
                    call.id,
                    queue.id,
                    seat.id,
                    verb,
                    str(round((self._now - offer.started_s) * 1000)),
                )
            elif verb is Verb.RINGREJECTED:
                self._log(call.id, queue.id, seat.id, verb, reason)
            else:
                self._log(call.id, queue.id, seat.id, verb)
            call.ringing.remove(seat.id)
            if not call.ringing:
                call.stage = CallStage.QUEUED
                if verb is not Verb.RINGCANCELED and queue.retry_s > 0:
                    call.not_before_s = self._now + queue.retry_s
                    call.retry_timer = self._schedule(queue.retry_s, "retry", call.id)
            if verb is not Verb.RINGCANCELED:
                self._missed(seat)
            self._refresh(seat)
            if verb is Verb.RINGCANCELED:
                self._dispatch_queue(queue)
        elif offer.kind == "outbound":
            self._log(call.id, call.queue, seat.id, Verb.RINGCANCELED)
            self._end_call(call, EndReason.OUTBOUND_FAILED)
            self._refresh(seat)
        else:
            self._log(call.id, call.queue, seat.id, Verb.RINGCANCELED)
            caller_agent = self._board.seats.get(call.agent)
            if caller_agent is not None:
                self._notice(
                    caller_agent,
                    NoticeKind.STATE_CHANGED,
                    call,
                    detail=f"{offer.kind}_not_answered",
                )
            self._refresh(seat)

    def _missed(self, seat: AgentSeat) -> None:
        seat.missed_offers += 1
        limit = seat.config.max_missed_offers
        if limit > 0 and seat.missed_offers >= limit and not seat.paused:
            self._set_paused(seat, "missed")

    def _on_position_answered(self, event: PositionAnswered) -> None:
        seat = self._seat_at(event.position)
        if seat is None:
            return
        offer = self._offers.get(seat.id)
        if offer is None:
            return
        call = self._calls[offer.call_id]
        if offer.kind == "queue":
            self._connect(call, seat)
        elif offer.kind == "transfer":
            self._complete_transfer(call, seat)
        elif offer.kind == "three_way":
            self._join_three_way(call, seat)
        else:
            self._outbound_agent_answered(call, seat)

    def _on_position_rejected(self, event: PositionRejected) -> None:
        seat = self._seat_at(event.position)
        if seat is not None and seat.id in self._offers:
            self._offer_failed(seat.id, Verb.RINGREJECTED, event.reason or "rejected")

    def _connect(self, call: Call, seat: AgentSeat) -> None:
        offer = self._offers.pop(seat.id)
        self._cancel(offer.timer)
        call.ringing.remove(seat.id)
        queue = self._queue(call.queue)
        others = list(call.ringing)
        call.ringing.clear()
        for agent_id in others:  # ring-all: the others stop ringing
            other_offer = self._offers.pop(agent_id)
            self._cancel(other_offer.timer)
            other = self._board.seats[agent_id]
            self._out.append(stop_ringing_action(other.position))
            self._log(call.id, queue.id, other.id, Verb.RINGCANCELED)
            self._idle(other)
        self._leave_queue(call)
        call.play_id = 0
        call.after_prompt = ""
        wait_s = self._wait_s(call)
        self._out.append(stop_media_action(call.line))
        self._out.append(connect_action(call.line, seat.position))
        self._log(
            call.id,
            queue.id,
            seat.id,
            Verb.CONNECT,
            seconds_text(wait_s),
            "",
            seconds_text(self._now - offer.started_s),
        )
        call.stage = CallStage.CONNECTED
        call.agent = seat.id
        call.position = seat.position
        if call.connected_s is None:
            call.connected_s = self._now
            call.connect_wait_s = wait_s
        call.leg_connected_s = self._now
        seat.activity = AgentState.ON_CALL
        seat.activity_since_s = self._now
        seat.call_id = call.id
        seat.missed_offers = 0
        self._notice(seat, NoticeKind.CONNECTED, call)
        if queue.record_calls and not call.recording:
            call.recording = True
            call.recording_path = _file_in(self._recordings_dir, f"{call.id}.wav")
            self._out.append(StartRecording(call.line, call.recording_path))
        if queue.talk_time_limit_s > 0 and not call.talk_warned and not call.talk_timer:
            call.talk_timer = self._schedule(queue.talk_time_limit_s, "talk", call.id)
        for agent_id in others:
            self._refresh(self._board.seats[agent_id])

    def _talk_time_exceeded(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is None or call.stage not in TALKING:
            return
        call.talk_timer = 0
        call.talk_warned = True
        talk_s = self._now - (call.connected_s or self._now)
        self._log(call.id, call.queue, call.agent, Verb.TALKWARNING, seconds_text(talk_s))
        seat = self._board.seats.get(call.agent)
        if seat is not None:
            self._notice(seat, NoticeKind.TALK_TIME_WARNING, call, detail=seconds_text(talk_s))

    # -----------------------------------------------------------------------------------------
    # The end of a call

    def _on_caller_hung_up(self, event: CallerHungUp) -> None:
        call = self._call_on(event.line)
        if call is not None:
            self._caller_gone(call)

    def _caller_gone(self, call: Call) -> None:
        """The caller hung up (or the line reported the far end gone)."""
        stage = call.stage
        if call.direction == "out":
            if stage in TALKING:
                self._drop_outbound_agent(call)
                self._end_call(call, EndReason.ANSWERED)
            else:
                self._drop_outbound_agent(call)
                self._end_call(call, EndReason.OUTBOUND_FAILED)
            return
        if stage is CallStage.RINGING_LINE:
            self._end_call(
                call, EndReason.CLOSED_HOURS if call.closed else EndReason.ABANDONED_IN_MENU
            )
        elif stage is CallStage.GREETING:
            self._cancel(call.menu_timer)
            self._request_callback(call, "abandoned")
            self._end_call(call, EndReason.ABANDONED_IN_MENU)
        elif stage in WAITING:
            ringing = bool(call.ringing)
            self._leave_queue_logged(call, Verb.ABANDON)
            self._request_callback(call, "abandoned")
            self._end_call(
                call, EndReason.ABANDONED_RINGING if ringing else EndReason.ABANDONED_IN_QUEUE
            )
        elif stage in TALKING:
            self._end_conversation(call, Verb.COMPLETECALLER, hang_up_position=True)
            self._end_call(call, EndReason.ANSWERED)
        elif stage is CallStage.VOICEMAIL:
            self._voicemail_done(call, None)
            self._end_call(call, EndReason.OVERFLOWED)
        elif stage is CallStage.SURVEY:
            self._end_call(call, EndReason.ANSWERED)
        else:
            self._end_call(call, call.ending_reason)

    def _end_conversation(self, call: Call, verb: Verb, *, hang_up_position: bool) -> None:
        """The conversation with the agent ends (COMPLETECALLER or COMPLETEAGENT); the agent
        goes to wrap-up. The caller's line is left to the caller of this method."""
        seat = self._board.seats[call.agent]
        self._cancel_side_offers(call)
        if call.hold_started_s is not None:
            call.hold_s += self._now - call.hold_started_s
            call.hold_started_s = None
        self._out.append(disconnect_action(call.line, call.position))
        if hang_up_position:
            self._out.append(hang_up_position_action(call.position))
        self._drop_extras(call)
        if call.recording:
            call.recording = False
            self._out.append(StopRecording(call.line))
        talk_s = self._now - call.leg_connected_s
        self._log(
            call.id,
            call.queue,
            seat.id,
            verb,
            seconds_text(call.connect_wait_s),
            seconds_text(talk_s),
            str(call.orig_position),
        )
        queue = self._queue(call.queue)
        conversation_s = self._now - call.connected_s if call.connected_s is not None else talk_s
        self._handle_times.add(queue.id, conversation_s + queue.wrap_up_s)
        self._cancel(call.talk_timer)
        call.talk_timer = 0
        call.talk_ended_s = self._now
        call.stage = CallStage.ENDING
        self._agent_done(seat, call, talk_s, queue.wrap_up_s)

    def _agent_done(self, seat: AgentSeat, call: Call, talk_s: float, wrap_up_s: float) -> None:
        """The agent's part of a call is over: count it, then wrap-up (or log out)."""
        seat.calls_today += 1
        seat.talk_s_today += talk_s
        seat.idle_since_s = self._now
        seat.call_id = ""
        self._notice(seat, NoticeKind.CALL_ENDED, call)
        if seat.logout_pending or wrap_up_s <= 0 or not seat.logged_in:
            self._idle(seat)
            if seat.logout_pending:
                self._log_out(seat)
            else:
                self._refresh(seat)
            return
        seat.activity = AgentState.WRAP_UP
        seat.activity_since_s = self._now
        seat.call_id = call.id  # the call being wrapped up, for the desk's record form
        seat.wrap_up_until_s = self._now + wrap_up_s
        seat.wrap_up_timer = self._schedule(wrap_up_s, "wrap", seat.id)
        self._log("", call.queue, seat.id, Verb.WRAPUPSTART, seconds_text(wrap_up_s))

    def _wrap_up_over(self, agent_id: str) -> None:
        seat = self._board.seats.get(agent_id)
        if seat is not None and seat.activity is AgentState.WRAP_UP:
            seat.wrap_up_timer = 0
            self._end_wrap_up(seat)

    def _end_wrap_up(self, seat: AgentSeat) -> None:
        self._cancel(seat.wrap_up_timer)
        seat.wrap_up_timer = 0
        self._log("", "", seat.id, Verb.WRAPUPEND, seconds_text(self._now - seat.activity_since_s))
        self._idle(seat)
        self._refresh(seat)

    def _idle(self, seat: AgentSeat) -> None:
        seat.activity = None
        seat.call_id = ""
        seat.wrap_up_until_s = None

    def _hang_up_line(self, call: Call, reason: EndReason) -> None:
        self._out.append(hang_up_line_action(call.line))
        self._end_call(call, reason)

    def _end_call(self, call: Call, reason: EndReason) -> None:
        """HANGUP and the call record, always together; the engine then forgets the call."""
        cancel = self._timers.cancel
        for handle in (
            call.menu_timer,
            call.max_wait_timer,
            call.announce_timer,
            call.escalate_timer,
            call.retry_timer,
            call.talk_timer,
            call.survey_timer,
        ):
            if handle:
                cancel(handle)
        self._cancel_side_offers(call)
        for supervisor in list(call.listeners):
            self._stop_listening(self._board.seats[supervisor])
        line = self._lines.get(call.line)
        if line is not None and line.call_id == call.id:
            line.call_id = ""
        self._log(call.id, call.queue, call.agent, Verb.HANGUP, reason.value)
        self._out.append(CallEnded(call.record(self._now, reason)))
        call.stage = CallStage.ENDING
        self._calls.pop(call.id, None)

    def _agent_hangs_up(self, seat: AgentSeat, from_desk: bool) -> None:
        """The agent ends their part: PositionHungUp, or the HangUp command from the desk."""
        if seat.id in self._offers:
            offer = self._offers[seat.id]
            if offer.kind == "outbound":
                self._offer_failed(seat.id, Verb.RINGCANCELED, "")
            else:
                self._offer_failed(seat.id, Verb.RINGREJECTED, "hung_up")
            return
        call = self._calls.get(seat.call_id)
        if call is None:
            return
        if seat.id in call.extras:
            self._leave_three_way(call, seat, hang_up_position=from_desk)
            return
        if call.agent != seat.id:
            return
        if call.direction == "out":
            if call.stage in TALKING:
                self._out.append(disconnect_action(call.line, call.position))
                self._log_outbound_talk_end(call, seat, Verb.COMPLETEAGENT)
            if from_desk:
                self._out.append(hang_up_position_action(call.position))
            self._agent_done(seat, call, self._leg_talk_s(call), 0.0)
            self._hang_up_line(
                call, EndReason.ANSWERED if call.stage in TALKING else EndReason.OUTBOUND_FAILED
            )
            return
        if call.stage not in TALKING:
            return
        queue = self._queue(call.queue)
        self._end_conversation(call, Verb.COMPLETEAGENT, hang_up_position=from_desk)
        if queue.survey:
            call.stage = CallStage.SURVEY
            self._play(call, ("survey",), "survey", barge_in=True)
        else:
            self._hang_up_line(call, EndReason.ANSWERED)

    def _leg_talk_s(self, call: Call) -> float:
        return self._now - call.leg_connected_s if call.stage in TALKING else 0.0

    def _on_position_hung_up(self, event: PositionHungUp) -> None:
        seat = self._seat_at(event.position)
        if seat is not None:
            self._agent_hangs_up(seat, from_desk=False)

    def _on_hang_up_command(self, command: HangUp) -> None:
        seat = self._board.seats.get(command.agent)
        if seat is not None:
            self._agent_hangs_up(seat, from_desk=True)

    # -----------------------------------------------------------------------------------------
    # Voicemail

    def _on_recording_finished(self, event: RecordingFinished) -> None:
        call = self._call_on(event.line)
        if call is None or call.stage is not CallStage.VOICEMAIL or call.voicemail_logged:
            return
        self._voicemail_done(call, event.duration_s)
        call.ending_reason = EndReason.OVERFLOWED
        call.stage = CallStage.ENDING
        self._play(call, ("voicemail_saved",), "hang_up")

    def _voicemail_done(self, call: Call, duration_s: float | None) -> None:
        """Log the message (if recording began) and make it a callback task."""
        if call.voicemail_logged or call.voicemail_started_s is None:
            return
        call.voicemail_logged = True
        if duration_s is None:
            duration_s = self._now - call.voicemail_started_s
        self._log(
            call.id, call.queue, "", Verb.VOICEMAIL, call.voicemail_path, seconds_text(duration_s)
        )
        self._request_callback(call, "voicemail")

    # -----------------------------------------------------------------------------------------
    # Positions, login and agent states

    def _seat_at(self, position_id: str) -> AgentSeat | None:
        position = self._positions.get(position_id)
        if position is None or not position.agent:
            return None
        return self._board.seats.get(position.agent)

    def _position(self, position_id: str) -> PositionState:
        position = self._positions.get(position_id)
        if position is None:
            position = self._positions[position_id] = PositionState(position_id)
        return position

    def _refresh(self, seat: AgentSeat) -> None:
        """Recompute whether the agent can be offered a call; offer one if they now can."""
        position = self._positions.get(seat.position)
        available = (
            seat.logged_in
            and not seat.paused
            and seat.activity is None
            and not seat.listening_to
            and not seat.logout_pending
            and position is not None
            and position.in_service
        )
        if self._board.set_available(seat, available) and available:
            self._dispatch(seat.skills)

    def _on_position_in_service(self, event: PositionInService) -> None:
        position = self._position(event.position)
        if position.id in self._faulted_positions:
            self._faulted_positions.discard(position.id)
            self._log("", "", position.id, Verb.LINERESTORED)
            self._out.append(FaultCleared(position.id, self._now))
        position.in_service = True
        position.persistent = event.persistent
        position.keypad = ""
        seat = self._seat_at(position.id)
        if seat is not None:
            self._refresh(seat)

    def _on_position_faulted(self, event: PositionFaulted) -> None:
        position = self._position(event.position)
        position.in_service = False
        position.keypad = ""
        reason = event.reason or "fault"
        if position.id not in self._faulted_positions:
            self._faulted_positions.add(position.id)
            self._log("", "", position.id, Verb.LINEFAULT, reason)
            self._out.append(FaultRecorded(position.id, reason, self._now))
        seat = self._seat_at(position.id)
        if seat is None:
            return
        self._board.set_available(seat, False)
        if seat.id in self._offers:
            self._offer_failed(seat.id, Verb.RINGCANCELED, "")
            return
        if seat.listening_to:
            self._stop_listening(seat)
        call = self._calls.get(seat.call_id)
        if call is None or seat.activity is not AgentState.ON_CALL:
            return  # idle, or wrapping up a call that goes on without them
        if seat.id in call.extras:
            self._leave_three_way(call, seat, hang_up_position=False)
        elif call.agent != seat.id:
            return
        elif call.direction == "out":
            self._drop_outbound_agent(call, Verb.COMPLETEAGENT)
            self._hang_up_line(
                call, EndReason.ANSWERED if call.stage in TALKING else EndReason.OUTBOUND_FAILED
            )
        elif call.stage in TALKING:
            self._requeue_after_position_fault(call, seat)

    def _requeue_after_position_fault(self, call: Call, seat: AgentSeat) -> None:
        """The agent's phone failed mid-call: the caller goes back to music at the head of the
        queue (a second ENTERQUEUE, priority "2"); the agent gets no wrap-up."""
        self._cancel_side_offers(call)
        if call.hold_started_s is not None:
            call.hold_s += self._now - call.hold_started_s
            call.hold_started_s = None
        self._out.append(disconnect_action(call.line, call.position))
        self._drop_extras(call)
        talk_s = self._now - call.leg_connected_s
        self._log(
            call.id,
            call.queue,
            seat.id,
            Verb.COMPLETEAGENT,
            seconds_text(call.connect_wait_s),
            seconds_text(talk_s),
            str(call.orig_position),
        )
        self._cancel(call.talk_timer)
        call.talk_timer = 0
        self._agent_done(seat, call, talk_s, 0.0)
        call.returning = True
        call.visited_queues.clear()
        call.stage = CallStage.QUEUED
        self._enter_queue(call, call.queue)

    def _on_log_in(self, command: LogIn) -> None:
        seat = self._board.seats.get(command.agent)
        if seat is None:
            log.warning("log-in for unknown agent %r ignored", command.agent)
            return
        self._log_in(seat, command.position)

    def _log_in(self, seat: AgentSeat, position_id: str) -> None:
        """Log in at a position. Whoever was logged in there is logged out, and an agent
        logged in elsewhere moves — unless one of them is on a call, then nothing changes."""
        position = self._position(position_id)
        if seat.logged_in and seat.position == position_id:
            return
        other = self._board.seats.get(position.agent) if position.agent else None
        for busy in (other, seat if seat.logged_in else None):
            if busy is not None and busy.activity is AgentState.ON_CALL:
                log.warning(
                    "%s cannot log in at %s: %s is on a call", seat.id, position_id, busy.id
                )
                return
        if other is not None:
            self._request_log_out(other)
        if seat.logged_in:
            self._request_log_out(seat, moving=True)
        seat.position = position_id
        position.agent = seat.id
        position.keypad = ""
        seat.logged_in_since_s = self._now
        seat.idle_since_s = self._now
        seat.paused = False
        seat.pause_reason = ""
        seat.missed_offers = 0
        self._board.set_logged_in(seat, True)
        self._log("", "", seat.id, Verb.AGENTLOGIN, position_id)
        self._notice(seat, NoticeKind.STATE_CHANGED, detail="logged_in")
        self._refresh(seat)

    def _on_log_out(self, command: LogOut) -> None:
        seat = self._board.seats.get(command.agent)
        if seat is not None and seat.logged_in:
            self._request_log_out(seat)

    def _request_log_out(self, seat: AgentSeat, moving: bool = False) -> None:
        """Log out now, or after the current call when the agent is talking. `moving`: the
        agent logs in again at once elsewhere, so their queues do not count as empty."""
        seat.logout_pending = True  # from here on no new offer reaches them
        self._board.set_available(seat, False)
        if seat.id in self._offers:
            self._offer_failed(seat.id, Verb.RINGCANCELED, "")
        if seat.listening_to:
            self._stop_listening(seat)
        if seat.activity is AgentState.ON_CALL:
            return
        if seat.activity is AgentState.WRAP_UP:
            self._cancel(seat.wrap_up_timer)
            seat.wrap_up_timer = 0
            self._log(
                "", "", seat.id, Verb.WRAPUPEND, seconds_text(self._now - seat.activity_since_s)
            )
            self._idle(seat)
        self._log_out(seat, moving)

    def _log_out(self, seat: AgentSeat, moving: bool = False) -> None:
        if seat.logged_in_since_s is None:
            return
        self._board.set_available(seat, False)
        self._board.set_logged_in(seat, False)
        self._log(
            "",
            "",
            seat.id,
            Verb.AGENTLOGOFF,
            seat.position,
            seconds_text(self._now - seat.logged_in_since_s),
        )
        position = self._positions.get(seat.position)
        if position is not None and position.agent == seat.id:
            position.agent = ""
        seat.logged_in_since_s = None
        seat.logout_pending = False
        seat.paused = False
        seat.pause_reason = ""
        seat.position = ""
        self._notice(seat, NoticeKind.STATE_CHANGED, detail="logged_out")
        if not moving:
            self._leave_empty_queues(seat.skills)

    def _set_paused(self, seat: AgentSeat, reason: str) -> None:
        seat.paused = True
        seat.pause_reason = reason
        seat.paused_since_s = self._now
        self._log("", "", seat.id, Verb.PAUSE, reason)
        self._notice(seat, NoticeKind.STATE_CHANGED, detail=f"paused:{reason}")
        self._board.set_available(seat, False)

    def _on_pause(self, command: Pause) -> None:
        seat = self._board.seats.get(command.agent)
        if seat is None or not seat.logged_in:
            return
        if seat.paused and seat.pause_reason == command.reason:
            return
        self._set_paused(seat, command.reason)

    def _on_ready(self, command: Ready) -> None:
        seat = self._board.seats.get(command.agent)
        if seat is not None and seat.logged_in:
            self._make_ready(seat)

    def _make_ready(self, seat: AgentSeat) -> None:
        if seat.paused:
            seat.paused = False
            seat.pause_reason = ""
            seat.paused_since_s = self._now  # the monitor's 就绪 time starts here
            seat.missed_offers = 0
            self._log("", "", seat.id, Verb.UNPAUSE)
            self._notice(seat, NoticeKind.STATE_CHANGED, detail="ready")
        if seat.activity is AgentState.WRAP_UP:
            self._end_wrap_up(seat)
        else:
            self._refresh(seat)

    def _on_button(self, event: ButtonPressed) -> None:
        """The desk panel: a short press toggles Ready/Pause (and ends wrap-up), a long press
        logs out."""
        seat = self._seat_at(event.position)
        if seat is None:
            return
        if event.long_press:
            self._request_log_out(seat)
        elif seat.paused or seat.activity is AgentState.WRAP_UP:
            self._make_ready(seat)
        else:
            self._set_paused(seat, "break")

    def _on_position_digit(self, event: PositionDigitPressed) -> None:
        """Keypad login at a persistent position: "<agent id>#<pin>#"; "*" starts again."""
        position = self._position(event.position)
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
        self._out.append(CheckKeypadLogin(position.id, agent, pin))

    def _on_keypad_login_checked(self, command: KeypadLoginChecked) -> None:
        seat = self._board.seats.get(command.agent)
        if command.accepted and seat is not None:
            self._log_in(seat, command.position)

    def _on_setup_changed(self, command: SetupChanged) -> None:
        """New settings take effect at once; calls in progress keep their queue (a removed
        queue's callers wait on under its old settings), removed agents are logged out (after
        their call, if they are on one)."""
        setup = command.setup
        for queue in self._queues.values():
            self._retired_queues[queue.id] = queue
        self._setup = setup
        self._queues = {queue.id: queue for queue in setup.queues}
        for queue in setup.queues:
            self._waiting.setdefault(queue.id, WaitingList())
        self._blacklist = set(setup.blacklist)
        self._vips = set(setup.vip_numbers)
        self._line_queues = dict(setup.line_queues)
        self._day_ends_s = next_midnight_s(self._now, setup.hours.timezone)  # zone may change
        removed = self._board.replace_agents(setup.agents)
        for seat in removed:
            self._request_log_out(seat)
        for seat in list(self._board.seats.values()):
            self._refresh(seat)
        self._dispatch(self._queues)

    # -----------------------------------------------------------------------------------------
    # Call control: hold, mute, transfer, three-way, listen, block

    def _on_hold(self, command: Hold) -> None:
        found = self._checks.talking_call(command.agent)
        if found is None or found[1].stage is not CallStage.CONNECTED:
            return
        seat, call = found
        call.stage = CallStage.ON_HOLD
        call.hold_started_s = self._now
        self._out.append(HoldCaller(call.line, call.position))
        self._out.append(play_music_action(call.line))
        self._log(call.id, call.queue, seat.id, Verb.HOLD)

    def _on_unhold(self, command: Unhold) -> None:
        found = self._checks.talking_call(command.agent)
        if found is None or found[1].stage is not CallStage.ON_HOLD:
            return
        seat, call = found
        if call.hold_started_s is not None:
            call.hold_s += self._now - call.hold_started_s
        call.hold_started_s = None
        call.stage = CallStage.CONNECTED
        self._out.append(stop_media_action(call.line))
        self._out.append(connect_action(call.line, call.position))
        self._log(call.id, call.queue, seat.id, Verb.UNHOLD)

    def _on_mute(self, command: Mute) -> None:
        found = self._checks.talking_call(command.agent)
        if found is None:
            return
        seat, call = found
        seconds = self._setup.mute_s
        self._out.append(MuteCaller(call.line, call.position, seconds))
        self._log(call.id, call.queue, seat.id, Verb.MUTE, seconds_text(seconds))

    def _free_colleague(self, agent_id: str) -> AgentSeat | None:
        seat = self._board.seats.get(agent_id)
        if seat is None or not seat.available:
            log.info("agent %s is not free to join a call", agent_id)
            return None
        return seat

    def _inbound_talking_call(self, agent_id: str) -> tuple[AgentSeat, Call] | None:
        """Transfer, three-way and block apply to inbound calls (a caller in a queue)."""
        found = self._checks.talking_call(agent_id)
        if found is None or found[1].direction != "in":
            return None
        return found

    def _on_transfer(self, command: Transfer) -> None:
        self._ring_colleague(command.agent, command.to_agent, "transfer")

    def _on_three_way(self, command: ThreeWay) -> None:
        self._ring_colleague(command.agent, command.with_agent, "three_way")

    def _ring_colleague(self, agent_id: str, colleague_id: str, purpose: str) -> None:
        """Ring a free colleague into an agent's inbound call (transfer or three-way); one
        such side offer at a time."""
        found = self._inbound_talking_call(agent_id)
        target = self._free_colleague(colleague_id)
        if found is None or target is None or self._checks.side_offer_of(found[1]):
            return
        call = found[1]
        self._ring(target, call, purpose, self._queue(call.queue).ring_timeout_s)

    def _cancel_side_offers(self, call: Call) -> None:
        agent_id = self._checks.side_offer_of(call)
        if agent_id:
            offer = self._offers.pop(agent_id)
            self._cancel(offer.timer)
            seat = self._board.seats[agent_id]
            self._out.append(stop_ringing_action(seat.position))
            self._log(call.id, call.queue, seat.id, Verb.RINGCANCELED)
            self._idle(seat)
            self._refresh(seat)

    def _complete_transfer(self, call: Call, target: AgentSeat) -> None:
        """One call id, one call record: the old agent's leg ends with TRANSFER (data: the new
        agent), the new agent is on the call from then on; the record names the last agent."""
        offer = self._offers.pop(target.id)
        self._cancel(offer.timer)
        old = self._board.seats[call.agent]
        if call.hold_started_s is not None:
            call.hold_s += self._now - call.hold_started_s
            call.hold_started_s = None
        talk_s = self._now - call.leg_connected_s
        self._out.append(disconnect_action(call.line, old.position))
        self._out.append(hang_up_position_action(old.position))
        self._out.append(stop_media_action(call.line))
        self._out.append(connect_action(call.line, target.position))
        self._log(
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
        self._log(
            call.id,
            call.queue,
            target.id,
            Verb.CONNECT,
            seconds_text(call.connect_wait_s),
            "",
            seconds_text(self._now - offer.started_s),
        )
        call.stage = CallStage.CONNECTED
        call.agent = target.id
        call.position = target.position
        call.leg_connected_s = self._now
        target.activity = AgentState.ON_CALL
        target.activity_since_s = self._now
        target.call_id = call.id
        self._notice(target, NoticeKind.CONNECTED, call, detail=f"transferred_from:{old.id}")
        self._agent_done(old, call, talk_s, self._queue(call.queue).wrap_up_s)

    def _join_three_way(self, call: Call, seat: AgentSeat) -> None:
        offer = self._offers.pop(seat.id)
        self._cancel(offer.timer)
        self._out.append(connect_action(call.line, seat.position))
        call.extras.append(seat.id)
        seat.activity = AgentState.ON_CALL
        seat.activity_since_s = self._now
        seat.call_id = call.id
        self._notice(seat, NoticeKind.CONNECTED, call, detail="three_way")
        self._log(
            call.id,
            call.queue,
            seat.id,
            Verb.CONNECT,
            seconds_text(call.connect_wait_s),
            "",
            seconds_text(self._now - offer.started_s),
        )

    def _leave_three_way(self, call: Call, seat: AgentSeat, hang_up_position: bool) -> None:
        """A three-way agent leaves: their own COMPLETEAGENT (their talk counts for them)."""
        self._out.append(disconnect_action(call.line, seat.position))
        if hang_up_position:
            self._out.append(hang_up_position_action(seat.position))
        call.extras.remove(seat.id)
        talk_s = self._now - seat.activity_since_s
        self._log(
            call.id,
            call.queue,
            seat.id,
            Verb.COMPLETEAGENT,
            seconds_text(call.connect_wait_s),
            seconds_text(talk_s),
            str(call.orig_position),
        )
        self._agent_done(seat, call, talk_s, 0.0)

    def _drop_extras(self, call: Call) -> None:
        if not call.extras:  # most calls never had a three-way colleague
            return
        for agent_id in list(call.extras):
            self._leave_three_way(call, self._board.seats[agent_id], hang_up_position=True)

    def _on_listen(self, command: Listen) -> None:
        supervisor = self._board.seats.get(command.supervisor)
        found = self._checks.talking_call(command.agent)
        if supervisor is None or found is None or not supervisor.config.supervisor:
            return
        position = self._positions.get(supervisor.position)
        if not supervisor.logged_in or position is None or not position.in_service:
            return
        if supervisor.activity is not None:
            return
        agent, call = found
        if supervisor.listening_to and supervisor.listening_to != call.id:
            self._stop_listening(supervisor)
        supervisor.listening_to = call.id
        call.listeners[supervisor.id] = supervisor.position
        self._board.set_available(supervisor, False)
        self._out.append(
            JoinSupervisor(call.line, agent.position, supervisor.position, command.mode)
        )

    def _on_stop_listening(self, command: StopListening) -> None:
        supervisor = self._board.seats.get(command.supervisor)
        if supervisor is not None and supervisor.listening_to:
            self._stop_listening(supervisor)

    def _stop_listening(self, supervisor: AgentSeat) -> None:
        call = self._calls.get(supervisor.listening_to)
        supervisor.listening_to = ""
        if call is not None:
            position = call.listeners.pop(supervisor.id, supervisor.position)
            self._out.append(disconnect_action(call.line, position))
        self._refresh(supervisor)

    def _on_block(self, command: Block) -> None:
        """闭塞: busy tone, hang up, number on the blacklist."""
        found = self._inbound_talking_call(command.agent)
        if found is None:
            return
        seat, call = found
        self._end_conversation(call, Verb.COMPLETEAGENT, hang_up_position=True)
        self._out.append(PlayTone(call.line, Tone.BUSY, 3.0))
        number = call.caller.number
        if number:
            self._blacklist.add(number)
            self._out.append(NumberBlocked(number, seat.id, call.id, self._now))
        self._log(call.id, call.queue, seat.id, Verb.BLOCKED, seat.id)
        self._hang_up_line(call, EndReason.BLOCKED)

    # -----------------------------------------------------------------------------------------
    # Outbound calls: ring the agent, then dial out on a free line

    def _on_place_call(self, command: PlaceCall) -> None:
        seat = self._board.seats.get(command.agent)
        if seat is None or not seat.logged_in or seat.listening_to:
            return
        position = self._positions.get(seat.position)
        if position is None or not position.in_service:
            return
        if seat.activity is AgentState.WRAP_UP:
            self._end_wrap_up(seat)
        if seat.activity is not None:
            return
        self._seq += 1
        call = Call(
            id=f"{int(self._now * 1000)}.{self._seq}",
            line="",
            caller=CallerId(number=command.number),
            direction="out",
            arrived_s=self._now,
            language=self._setup.language,
            vip=command.number in self._vips,
            seq=self._seq,
            stage=CallStage.DIALLING,
            purpose=command.purpose,
            task_id=command.task_id,
        )
        self._calls[call.id] = call
        call.agent = seat.id
        call.position = seat.position
        self._log(call.id, "", seat.id, Verb.OUTBOUND, command.number, command.purpose)
        self._ring(seat, call, "outbound", OUTBOUND_RING_S)

    def _outbound_agent_answered(self, call: Call, seat: AgentSeat) -> None:
        offer = self._offers.pop(seat.id)
        self._cancel(offer.timer)
        seat.activity = AgentState.ON_CALL
        seat.activity_since_s = self._now
        line = next(
            (
                line
                for line in sorted(self._lines.values(), key=lambda line: line.id)
                if line.in_service
                and not line.call_id
                and line.media is MediaCapability.FULL_DUPLEX
            ),
            None,
        )
        if line is None:
            self._out.append(hang_up_position_action(seat.position))
            self._agent_done(seat, call, 0.0, 0.0)
            self._end_call(call, EndReason.OUTBOUND_FAILED)
            return
        call.line = line.id
        line.call_id = call.id
        self._out.append(DialOut(line.id, call.caller.number))

    def _outbound_answered(self, call: Call) -> None:
        """The far end picked up: the agent and the line are joined. CONNECT (no queue) marks
        the agent ON_CALL in the queue log; figures count answered calls only for calls
        that entered a queue."""
        if call.stage is not CallStage.DIALLING:
            return
        call.stage = CallStage.CONNECTED
        call.connected_s = self._now
        call.leg_connected_s = self._now
        self._out.append(connect_action(call.line, call.position))
        self._log(call.id, "", call.agent, Verb.CONNECT, "0.000", "", "0.000")
        seat = self._board.seats.get(call.agent)
        if seat is not None:
            self._notice(seat, NoticeKind.CONNECTED, call)

    def _on_dial_failed(self, event: DialFailed) -> None:
        call = self._call_on(event.line)
        if call is None or call.direction != "out":
            return
        self._drop_outbound_agent(call)
        self._end_call(call, EndReason.OUTBOUND_FAILED)

    def _drop_outbound_agent(self, call: Call, verb: Verb = Verb.COMPLETECALLER) -> None:
        """An outbound call ends from the line's side (or the agent's phone failed): release
        the agent (no wrap-up)."""
        seat = self._board.seats.get(call.agent)
        if seat is None or seat.call_id != call.id:
            return
        if seat.id in self._offers:
            offer = self._offers.pop(seat.id)
            self._cancel(offer.timer)
            self._out.append(stop_ringing_action(seat.position))
            self._log(call.id, call.queue, seat.id, Verb.RINGCANCELED)
            self._idle(seat)
            self._refresh(seat)
            return
        if call.stage in TALKING:
            self._out.append(disconnect_action(call.line, call.position))
            self._log_outbound_talk_end(call, seat, verb)
        self._out.append(hang_up_position_action(call.position))
        self._agent_done(seat, call, self._leg_talk_s(call), 0.0)

    def _log_outbound_talk_end(self, call: Call, seat: AgentSeat, verb: Verb) -> None:
        """COMPLETECALLER/COMPLETEAGENT for an outbound conversation, so the agent's ON_CALL
        time in the queue log ends (no queue: it counts for the agent, not for a queue)."""
        call.talk_ended_s = self._now
        self._log(call.id, "", seat.id, verb, "0.000", seconds_text(self._leg_talk_s(call)), "0")

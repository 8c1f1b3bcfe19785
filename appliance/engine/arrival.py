"""A call from its first ring to its queue: the line answering, the greeting and menu,
prompts finishing, keys the caller presses, voicemail and the survey after the call; a line
failing under a call."""

from __future__ import annotations

import logging

from appliance.engine.calls import WAITING, Call, seconds_text
from appliance.engine.devices import answer_line_action, play_music_action
from appliance.engine.hours import is_open
from appliance.engine.records import EndReason, FaultCleared, FaultRecorded, Verb
from appliance.engine.self_service import WaybillSelfService
from appliance.engine.state import EngineParts, EngineState, file_in
from appliance.engine.views import CallStage
from drivers.roles import (
    CallArrived,
    CallerId,
    CallTurnedAway,
    DigitPressed,
    LineAnswered,
    LineFaulted,
    LineInService,
    PlayTone,
    PromptFinished,
    RecordingFinished,
    RecordMessage,
    RefuseCall,
    Tone,
    TurnedAwayReason,
)

log = logging.getLogger(__name__)

SURVEY_WAIT_S = 10.0  # no key after the survey prompt: hang up without a score
VOICEMAIL_MAX_S = 120.0


TURNED_AWAY_ENDINGS = {
    TurnedAwayReason.BOX_FULL: EndReason.BOX_FULL,
    TurnedAwayReason.MISSED_AT_LINE: EndReason.MISSED_AT_LINE,
    TurnedAwayReason.LINES_BUSY: EndReason.LINES_BUSY,
}
# A prompt the caller could not cut short ended early all the same: the line cut it (the
# caller hanging up, whose CallerHungUp follows). Go on only if the call is still there then.
PROMPT_CUT_GRACE_S = 2.0


class Arrival:
    """Lines, arrival, greeting, menu, caller keys, voicemail and survey."""

    def __init__(self, state: EngineState) -> None:
        self._s = state
        self.self_service = WaybillSelfService(state)

    def wire(self, parts: EngineParts) -> None:
        self._ending = parts.ending
        self._outbound = parts.outbound
        self._queueing = parts.queueing
        self.self_service.wire(parts.queueing.enter_queue, parts.ending.hang_up_line)

    def on_line_in_service(self, event: LineInService) -> None:
        s = self._s
        line = s.line(event.line)
        if line.fault:
            s.log("", "", line.id, Verb.LINERESTORED)
            s.out.append(FaultCleared(line.id, s.now))
        line.in_service = True
        line.fault = ""
        line.media = event.media

    def on_line_faulted(self, event: LineFaulted) -> None:
        s = self._s
        line = s.line(event.line)
        reason = event.reason or "fault"
        if not line.fault:
            s.log("", "", line.id, Verb.LINEFAULT, reason)
            s.out.append(FaultRecorded(line.id, reason, s.now))
        line.in_service = False
        line.fault = reason
        call = s.call_on(line.id)
        if call is not None:
            self._ending.interrupted(call, EndReason.LINE_FAULT)

    def on_call_arrived(self, event: CallArrived) -> None:
        line = self._s.line(event.line)
        stale = self._s.calls.get(line.call_id) if line.call_id else None
        if stale is not None:
            log.warning("line %s rang while call %s was still on it", line.id, stale.id)
            self._ending.caller_gone(stale)
        call = self.new_call(line.id, event.caller)
        line.call_id = call.id
        number = event.caller.number
        if number and number in self._s.blacklist:
            self._s.out.append(RefuseCall(line.id))
            self._s.log(call.id, "", "", Verb.BLOCKED, "blacklist")
            self._ending.end_call(call, EndReason.BLOCKED)
            return
        if not is_open(self._s.setup.hours, self._s.now):
            call.closed = True
            self._s.log(call.id, "", "", Verb.CLOSED)
        self._s.out.append(answer_line_action(line.id))

    def new_call(self, line_id: str, caller: CallerId) -> Call:
        """An inbound call the engine follows from now on, logged INBOUND(number, name)."""
        s = self._s
        s.seq += 1
        number = caller.number
        call = Call(
            id=f"{int(s.now * 1000)}.{s.seq}",
            line=line_id,
            caller=caller,
            direction="in",
            arrived_s=s.now,
            language=s.setup.language,
            vip=bool(number) and number in s.vips,
            seq=s.seq,
        )
        s.calls[call.id] = call
        s.log(call.id, "", "", Verb.INBOUND, number, caller.name)
        return call

    def on_call_turned_away(self, event: CallTurnedAway) -> None:
        """A call reached the line and the box never took it (full, or it rang and stopped):
        INBOUND, HANGUP and a call record with that reason, and a callback task for a number
        that can be called back — every missed call is dealt with. The line is not touched:
        the call was never on it."""
        call = self.new_call(event.line, event.caller)
        reason = TURNED_AWAY_ENDINGS[event.reason]
        if call.number not in self._s.blacklist:
            self._queueing.request_callback(call, reason.value)
        self._ending.end_call(call, reason)

    def on_line_answered(self, event: LineAnswered) -> None:
        s = self._s
        call = s.call_on(event.line)
        if call is None:
            return
        if call.direction == "out":
            self._outbound.outbound_answered(call)
            return
        if call.stage is not CallStage.RINGING_LINE:
            return
        call.stage = CallStage.GREETING
        if call.closed:
            call.stage = CallStage.ENDING
            call.ending_reason = EndReason.CLOSED_HOURS
            s.play(call, ("closed",), "hang_up")
            return
        fixed_queue = s.line_queues.get(call.line)
        if fixed_queue:
            call.chosen_queue = fixed_queue
            s.play(call, (s.setup.menu.greeting_prompt,), "enter_queue")
            return
        menu = s.setup.menu
        if not menu.options:
            call.chosen_queue = self.default_queue()
            s.play(call, (menu.greeting_prompt,), "enter_queue")
            return
        call.menu_plays = 1
        s.play(call, (menu.greeting_prompt, *self.menu_prompts(call)), "menu", True)

    def menu_prompts(self, call: Call) -> tuple[str, ...]:
        s = self._s
        options = tuple(option.prompt for option in s.setup.menu.options)
        if call.language != "en" and s.setup.menu.language_key:
            return (*options, "menu_language")
        return options

    def default_queue(self) -> str:
        s = self._s
        menu = s.setup.menu
        if menu.default_queue:
            return menu.default_queue
        if menu.options:
            return menu.options[0].queue
        return s.setup.queues[0].id if s.setup.queues else ""

    def menu_digit(self, call: Call, digit: str) -> None:
        s = self._s
        menu = s.setup.menu
        s.cancel(call.menu_timer)
        call.menu_timer = 0
        for option in menu.options:
            if option.digit == digit:
                call.play_id = 0
                queue = s.known_queue(option.queue)
                if queue is not None and queue.waybill_self_service:
                    self.self_service.start(call, option.queue)
                    return
                self._queueing.enter_queue(call, option.queue)
                return
        if digit == menu.language_key and call.language != "en":
            call.language = "en"
            s.play(call, (menu.greeting_prompt, *self.menu_prompts(call)), "menu", True)
            return
        if call.menu_plays >= menu.attempts:
            call.play_id = 0
            self._queueing.enter_queue(call, self.default_queue())
            return
        call.menu_plays += 1
        s.play(call, ("menu_invalid", *self.menu_prompts(call)), "menu", True)

    def menu_timed_out(self, call_id: str) -> None:
        s = self._s
        call = s.calls.get(call_id)
        if call is None or call.stage is not CallStage.GREETING:
            return
        call.menu_timer = 0
        if call.menu_plays >= s.setup.menu.attempts:
            self._queueing.enter_queue(call, self.default_queue())
            return
        call.menu_plays += 1
        s.play(call, self.menu_prompts(call), "menu", True)

    def on_prompt_finished(self, event: PromptFinished) -> None:
        s = self._s
        call = s.call_on(event.line)
        if call is None or event.play_id != call.play_id:
            return
        after = call.after_prompt
        if event.interrupted and after == "enter_queue":
            # this prompt takes no key: the line cut it, most likely the caller hanging up
            call.menu_timer = s.schedule(PROMPT_CUT_GRACE_S, "prompt_cut", call.id)
            return
        call.after_prompt = ""
        if after in ("waybill_keys", "waybill_heard"):
            self.self_service.prompt_done(call, after)
        elif after == "menu":
            call.menu_timer = s.schedule(s.setup.menu.timeout_s, "menu", call.id)
        elif after == "enter_queue":
            self._queueing.enter_queue(call, call.chosen_queue)
        elif after == "hang_up":
            self._ending.hang_up_line(call, call.ending_reason)
        elif after == "music":
            s.out.append(play_music_action(call.line))
            queue = s.queue(call.queue)
            if queue.announce_every_s > 0:
                call.announce_timer = s.schedule(queue.announce_every_s, "announce", call.id)
        elif after == "record":
            call.voicemail_path = file_in(s.voicemail_dir, f"{call.id}-voicemail.wav")
            call.voicemail_started_s = s.now
            s.out.append(PlayTone(call.line, Tone.BEEP, 0.5))
            s.out.append(RecordMessage(call.line, call.voicemail_path, VOICEMAIL_MAX_S))
        elif after == "survey":
            call.survey_timer = s.schedule(SURVEY_WAIT_S, "survey", call.id)

    def prompt_cut_over(self, call_id: str) -> None:
        """The line cut the greeting and the call is still there: on to the queue."""
        call = self._s.calls.get(call_id)
        if call is None or call.stage is not CallStage.GREETING:
            return
        call.menu_timer = 0
        if call.after_prompt == "enter_queue":
            call.after_prompt = ""
            self._queueing.enter_queue(call, call.chosen_queue)

    def on_digit(self, event: DigitPressed) -> None:
        s = self._s
        call = s.call_on(event.line)
        if call is None:
            return
        stage = call.stage
        if stage is CallStage.GREETING and call.menu_plays:
            self.menu_digit(call, event.digit)
        elif stage is CallStage.GREETING and call.waybill_step:
            self.self_service.digit(call, event.digit)
        elif stage in WAITING:
            queue = s.queue(call.queue)
            if event.digit == queue.virtual_hold_key and call.virtual_hold_offered:
                self._queueing.virtual_hold(call)
        elif stage is CallStage.SURVEY and event.digit in ("1", "2", "3", "4", "5"):
            s.cancel(call.survey_timer)
            call.survey_timer = 0
            call.survey_score = int(event.digit)
            s.log(call.id, call.queue, call.agent, Verb.SURVEY, event.digit)
            call.stage = CallStage.ENDING
            call.ending_reason = EndReason.ANSWERED
            s.play(call, ("survey_thanks",), "hang_up")

    def survey_timed_out(self, call_id: str) -> None:
        call = self._s.calls.get(call_id)
        if call is not None and call.stage is CallStage.SURVEY:
            call.survey_timer = 0
            self._ending.hang_up_line(call, EndReason.ANSWERED)

    def on_recording_finished(self, event: RecordingFinished) -> None:
        s = self._s
        call = s.call_on(event.line)
        if call is None or call.stage is not CallStage.VOICEMAIL or call.voicemail_logged:
            return
        self.voicemail_done(call, event.duration_s)
        call.ending_reason = EndReason.OVERFLOWED
        call.stage = CallStage.ENDING
        s.play(call, ("voicemail_saved",), "hang_up")

    def voicemail_done(self, call: Call, duration_s: float | None) -> None:
        """Log the message (if recording began) and make it a callback task."""
        s = self._s
        if call.voicemail_logged or call.voicemail_started_s is None:
            return
        call.voicemail_logged = True
        if duration_s is None:
            duration_s = s.now - call.voicemail_started_s
        s.log(
            call.id, call.queue, "", Verb.VOICEMAIL, call.voicemail_path, seconds_text(duration_s)
        )
        self._queueing.request_callback(call, "voicemail")

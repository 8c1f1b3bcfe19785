"""Simulated phone lines (demo mode, tests): full duplex, prompts that take time to play,
recordings that end after a few seconds, and a caller side that scripts can drive."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    CallerId,
    Clock,
    DialFailed,
    DialOut,
    DigitPressed,
    DriverError,
    HangUpCause,
    HangUpLine,
    LineAction,
    LineAnswered,
    LineEvent,
    LineEventSink,
    LineFaulted,
    LineInService,
    MediaCapability,
    PlayMusic,
    PlayPrompt,
    PlayTone,
    PromptFinished,
    RecordingFinished,
    RecordMessage,
    RefuseCall,
    SendDigits,
    StopMedia,
)
from drivers.sim.transcript import Transcript

log = logging.getLogger(__name__)

# How long a prompt plays, in simulated seconds. Real prompts run 1–4 s; spoken numbers are
# short. A fixed time per prompt keeps the simulation independent of the prompt files.
PROMPT_S = 2.0
NUMBER_PROMPT_S = 0.6
ANSWER_DELAY_S = 0.3  # from AnswerLine to audio flowing, as a modem going off-hook
RECORDING_S = 4.0  # a simulated caller speaks for this long before pressing #


def prompt_duration_s(prompts: tuple[str, ...]) -> float:
    """How long the simulated line takes to play these prompts one after another."""
    return sum(NUMBER_PROMPT_S if name.startswith("num_") else PROMPT_S for name in prompts)


class LineState(enum.Enum):
    IDLE = "idle"
    RINGING = "ringing"  # CallArrived sent, the box has not answered yet
    DIALLING = "dialling"
    CONNECTED = "connected"  # off-hook, audio flows
    OUT_OF_SERVICE = "out_of_service"


class SimLineError(DriverError):
    """A simulated line was asked to do something a real line would refuse."""


@dataclass(frozen=True, slots=True)
class BoxDid:
    """What the caller's side of a simulated line hears the box do (for scripted callers)."""

    line: str
    action: LineAction


BoxListener = Callable[[BoxDid], None]


class _Line:
    def __init__(self, line_id: str) -> None:
        self.id = line_id
        self.state = LineState.IDLE
        self.media: asyncio.Task[None] | None = None
        self.play_id = 0  # the PlayPrompt being played, 0 when none
        self.barge_in = False
        self.timer: asyncio.TimerHandle | None = None


class SimulatedLines:
    """N simulated lines. The box drives them through `perform`; the caller's side through
    `incoming_call`, `press`, `hang_up`, and answers outbound calls by `answer_outbound`."""

    def __init__(
        self,
        line_ids: tuple[str, ...],
        *,
        clock: Clock,
        speed: float = 1.0,
        transcript: Transcript | None = None,
        outbound_answer: Callable[[str, str], bool] = lambda line, number: True,
    ) -> None:
        if not line_ids:
            raise ValueError("simulated lines need at least one line id")
        self._lines = {line_id: _Line(line_id) for line_id in line_ids}
        self._clock = clock
        self._speed = speed
        self._emit: LineEventSink | None = None
        self._listeners: list[BoxListener] = []
        self._outbound_answer = outbound_answer
        self.transcript = transcript if transcript is not None else Transcript(clock)

    # -----------------------------------------------------------------------------------------
    # LineDriver

    @property
    def line_ids(self) -> tuple[str, ...]:
        return tuple(self._lines)

    async def run(self, emit: LineEventSink) -> None:
        self._emit = emit
        for line in self._lines.values():
            self._send(LineInService(self._clock(), line.id, media=MediaCapability.FULL_DUPLEX))
        try:
            await asyncio.Event().wait()
        finally:
            for line in self._lines.values():
                self._stop_media(line, report=False)
                line.state = LineState.IDLE
            self._emit = None

    async def perform(self, action: LineAction) -> None:
        line = self._lines.get(action.line)
        if line is None:
            raise SimLineError(f"no simulated line {action.line!r}")
        self.transcript.add(f"box {type(action).__name__} {_describe(action)}")
        if line.state is LineState.OUT_OF_SERVICE:
            raise SimLineError(f"simulated line {line.id} is out of service")
        match action:
            case AnswerLine():
                if line.state is LineState.RINGING:
                    line.state = LineState.CONNECTED
                    self._later(line, ANSWER_DELAY_S, LineAnswered(0.0, line.id))
            case RefuseCall() | HangUpLine():
                self._stop_media(line, report=False)
                self._cancel_timer(line)
                line.state = LineState.IDLE
            case DialOut(number=number):
                if line.state is not LineState.IDLE:
                    # a call rang in first: the dial attempt fails, as on a real line
                    self._send(DialFailed(self._clock(), line.id, reason="line in use"))
                    return
                line.state = LineState.DIALLING
                if self._outbound_answer(line.id, number):
                    self._later(line, 6.0, LineAnswered(0.0, line.id), connect=True)
                else:
                    self._later(line, 20.0, DialFailed(0.0, line.id, reason="no answer"))
            case PlayPrompt():
                self._stop_media(line, report=True)
                line.play_id = action.play_id
                line.barge_in = action.barge_in
                line.media = asyncio.create_task(
                    self._play(line, action.play_id, prompt_duration_s(action.prompts))
                )
            case PlayMusic() | PlayTone() | SendDigits():
                self._stop_media(line, report=True)
            case StopMedia():
                self._stop_media(line, report=True)
            case RecordMessage(path=path, max_s=max_s):
                self._stop_media(line, report=True)
                line.media = asyncio.create_task(self._record(line, path, min(RECORDING_S, max_s)))
            case _:
                log.debug("simulated line %s ignores %s", line.id, action)
        for listener in tuple(self._listeners):
            listener(BoxDid(line.id, action))

    # -----------------------------------------------------------------------------------------
    # The caller's side

    def listen(self, listener: BoxListener) -> None:
        """Hear every action the box takes on any line (scripted callers use this)."""
        self._listeners.append(listener)

    def state(self, line_id: str) -> LineState:
        return self._lines[line_id].state

    def free_lines(self) -> list[str]:
        return [line.id for line in self._lines.values() if line.state is LineState.IDLE]

    def incoming_call(self, line_id: str, caller: CallerId) -> bool:
        """A call rings in on an idle line; False (busy) if the line is in use or down."""
        line = self._lines[line_id]
        if line.state is not LineState.IDLE or self._emit is None:
            return False
        line.state = LineState.RINGING
        self.transcript.add(f"caller rings {line_id} {caller.number or '(no number)'}")
        self._send(CallArrived(self._clock(), line_id, caller=caller))
        return True

    def press(self, line_id: str, digit: str) -> None:
        line = self._lines[line_id]
        if line.state is not LineState.CONNECTED:
            return
        self.transcript.add(f"caller presses {digit} on {line_id}")
        if line.barge_in and line.play_id and line.media is not None:
            play_id = line.play_id
            self._cancel_media(line)
            self._send(DigitPressed(self._clock(), line_id, digit=digit))
            self._send(PromptFinished(self._clock(), line_id, play_id=play_id, interrupted=True))
            return
        self._send(DigitPressed(self._clock(), line_id, digit=digit))

    def hang_up(self, line_id: str) -> None:
        line = self._lines[line_id]
        if line.state in (LineState.IDLE, LineState.OUT_OF_SERVICE):
            return
        self.transcript.add(f"caller hangs up {line_id}")
        self._stop_media(line, report=False)
        self._cancel_timer(line)
        line.state = LineState.IDLE
        self._send(CallerHungUp(self._clock(), line_id, cause=HangUpCause.NORMAL))

    def unplug(self, line_id: str) -> None:
        """The line's device goes away: the call on it ends, the line is out of service."""
        line = self._lines[line_id]
        self._stop_media(line, report=False)
        self._cancel_timer(line)
        line.state = LineState.OUT_OF_SERVICE
        self.transcript.add(f"{line_id} unplugged")
        self._send(LineFaulted(self._clock(), line_id, reason="simulated line unplugged"))

    def plug_in(self, line_id: str) -> None:
        line = self._lines[line_id]
        if line.state is not LineState.OUT_OF_SERVICE:
            return
        line.state = LineState.IDLE
        self.transcript.add(f"{line_id} back in service")
        self._send(LineInService(self._clock(), line_id))

    # -----------------------------------------------------------------------------------------

    def _send(self, event: LineEvent) -> None:
        if self._emit is not None:
            self._emit(event)

    def _later(
        self, line: _Line, delay_s: float, event: LineEvent, *, connect: bool = False
    ) -> None:
        self._cancel_timer(line)

        def fire() -> None:
            line.timer = None
            if connect:
                line.state = LineState.CONNECTED
            elif isinstance(event, DialFailed):
                line.state = LineState.IDLE
            self._send(dataclasses.replace(event, time_s=self._clock()))

        line.timer = asyncio.get_running_loop().call_later(delay_s / self._speed, fire)

    def _cancel_timer(self, line: _Line) -> None:
        if line.timer is not None:
            line.timer.cancel()
            line.timer = None

    async def _play(self, line: _Line, play_id: int, duration_s: float) -> None:
        await asyncio.sleep(duration_s / self._speed)
        line.media = None
        line.play_id = 0
        self._send(PromptFinished(self._clock(), line.id, play_id=play_id))

    async def _record(self, line: _Line, path: str, duration_s: float) -> None:
        await asyncio.sleep(duration_s / self._speed)
        line.media = None
        self._send(RecordingFinished(self._clock(), line.id, path=path, duration_s=duration_s))

    def _cancel_media(self, line: _Line) -> None:
        if line.media is not None:
            line.media.cancel()
            line.media = None
        line.play_id = 0

    def _stop_media(self, line: _Line, *, report: bool) -> None:
        """End whatever plays; a prompt cut short reports PromptFinished(interrupted)."""
        play_id = line.play_id
        was_playing = line.media is not None and play_id != 0
        self._cancel_media(line)
        if report and was_playing:
            self._send(PromptFinished(self._clock(), line.id, play_id=play_id, interrupted=True))


def _describe(action: LineAction) -> str:
    details = {
        name: getattr(action, name)
        for name in action.__dataclass_fields__
        if name != "line" and getattr(action, name) not in ("", (), 0, False)
    }
    return action.line + ("" if not details else " " + repr(details))

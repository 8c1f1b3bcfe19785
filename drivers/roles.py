"""The roles a device plays — line, position, display, lamp, button — and the events and actions
that cross between drivers and the engine.

Every event carries `time_s`: seconds since the Unix epoch, real in production, virtual in
simulation. Drivers stamp events with the clock the shell gives them; the engine never reads a
clock of its own. A *line* carries at most one call at a time (a SIP trunk with N channels is
N lines); a *position* is one agent's phone or headset.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


class DriverError(Exception):
    """A device failed in a way a depot owner can act on; the message says what and where."""


# ---------------------------------------------------------------------------------------------
# Shared value types


@dataclass(frozen=True, slots=True)
class CallerId:
    """Who is calling, as the line reported it. Empty number = not delivered by the line."""

    number: str = ""
    name: str = ""
    # "private" (P), "unavailable" (O) or "" when a number was delivered or nothing was sent.
    withheld: str = ""


class HangUpCause(enum.Enum):
    """Why a line or position reported that the far end went away."""

    LOOP_BREAK = "loop_break"
    BUSY_TONE = "busy_tone"
    DIAL_TONE = "dial_tone"
    SILENCE = "silence"
    POLARITY_REVERSAL = "polarity_reversal"
    HARD_CAP = "hard_cap"
    BYE = "bye"  # SIP BYE / CANCEL from the far end
    DEVICE_LOST = "device_lost"
    NORMAL = "normal"  # simulated callers and positions


class Tone(enum.Enum):
    BUSY = "busy"
    ZIP = "zip"  # announces a call to a persistent position
    BEEP = "beep"  # before a voicemail recording
    RINGBACK = "ringback"


class MediaCapability(enum.Enum):
    """What audio a line can carry. A half-duplex modem can greet, take keys and record, but
    cannot carry a conversation with an agent."""

    FULL_DUPLEX = "full_duplex"
    HALF_DUPLEX = "half_duplex"


class PositionLampState(enum.Enum):
    OFF = "off"  # logged out
    READY = "ready"
    RINGING = "ringing"  # blinking
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


class StackLight(enum.Enum):
    OFF = "off"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class AlertLevel(enum.Enum):
    NORMAL = "normal"
    WARNING = "warning"  # colour change
    ALARM = "alarm"  # blinking


# ---------------------------------------------------------------------------------------------
# Line events (driver → engine)


@dataclass(frozen=True, slots=True)
class LineEvent:
    time_s: float
    line: str


@dataclass(frozen=True, slots=True)
class LineInService(LineEvent):
    """The line's device is up (at start or after a fault) and can take and make calls."""

    media: MediaCapability = MediaCapability.FULL_DUPLEX


@dataclass(frozen=True, slots=True)
class LineFaulted(LineEvent):
    """The device is gone or silent; any call on it has ended. `reason` is for people."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class CallArrived(LineEvent):
    """An inbound call rings on the line, with whatever caller ID came (after the driver waited
    the configured rings for it). The engine answers or refuses it."""

    caller: CallerId = field(default_factory=CallerId)


@dataclass(frozen=True, slots=True)
class LineAnswered(LineEvent):
    """The line is off-hook and audio flows (after AnswerLine, or the far end picked up after
    DialOut)."""


@dataclass(frozen=True, slots=True)
class DialFailed(LineEvent):
    """An outbound call did not connect: busy, no answer, no dial tone."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class DigitPressed(LineEvent):
    """The caller pressed a key: one of 0-9 * # A-D."""

    digit: str = ""


@dataclass(frozen=True, slots=True)
class PromptFinished(LineEvent):
    """A PlayPrompt ended: played to the end, or cut short by a key (barge-in) or StopMedia."""

    play_id: int = 0
    interrupted: bool = False


@dataclass(frozen=True, slots=True)
class RecordingFinished(LineEvent):
    """A RecordMessage ended (caller hung up, pressed #, silence, or the time limit)."""

    path: str = ""
    duration_s: float = 0.0


@dataclass(frozen=True, slots=True)
class CallerHungUp(LineEvent):
    """The far end of the line's call went away; the driver has put the line on-hook."""

    cause: HangUpCause = HangUpCause.NORMAL


class TurnedAwayReason(enum.Enum):
    """Why a call that reached a line was never taken by the box."""

    # no leg left for the caller's agent leg: SIP 486, or a modem line bridged to SIP phones
    # left ringing unanswered
    BOX_FULL = "box_full"
    MISSED_AT_LINE = "missed_at_line"  # it rang and stopped before the box answered
    # every line of the gateway it came on was busy (more calls than its channels): SIP 486
    LINES_BUSY = "lines_busy"


@dataclass(frozen=True, slots=True)
class CallTurnedAway(LineEvent):
    """A call reached the line and the box did not take it. The engine records it (queue log and
    CDR with its own end reason) so the supervisor sees every caller the box lost."""

    caller: CallerId = field(default_factory=CallerId)
    reason: TurnedAwayReason = TurnedAwayReason.BOX_FULL


# ---------------------------------------------------------------------------------------------
# Line actions (engine → driver)


@dataclass(frozen=True, slots=True)
class LineAction:
    line: str


@dataclass(frozen=True, slots=True)
class AnswerLine(LineAction):
    pass


@dataclass(frozen=True, slots=True)
class HangUpLine(LineAction):
    pass


@dataclass(frozen=True, slots=True)
class RefuseCall(LineAction):
    """Refuse an inbound call: the caller hears busy (answer, busy tone, hang up on a modem;
    486 Busy Here on SIP)."""


@dataclass(frozen=True, slots=True)
class DialOut(LineAction):
    number: str = ""


@dataclass(frozen=True, slots=True)
class PlayPrompt(LineAction):
    """Play prompts one after another, e.g. ("position_is", "num_2", "in_line").
    Names resolve to WAV files in the prompt set of `language` ("zh-CN" or "en").
    With `barge_in` a key stops playback at once (the key still arrives as DigitPressed)."""

    prompts: tuple[str, ...] = ()
    language: str = "zh-CN"
    play_id: int = 0
    barge_in: bool = False


@dataclass(frozen=True, slots=True)
class PlayMusic(LineAction):
    """Music on hold, looping until StopMedia or another PlayPrompt/PlayMusic."""


@dataclass(frozen=True, slots=True)
class PlayTone(LineAction):
    tone: Tone = Tone.BUSY
    duration_s: float = 1.0


@dataclass(frozen=True, slots=True)
class SendDigits(LineAction):
    """DTMF out on the line (e.g. an extension after a dispatch call connects)."""

    digits: str = ""


@dataclass(frozen=True, slots=True)
class StopMedia(LineAction):
    pass


@dataclass(frozen=True, slots=True)
class RecordMessage(LineAction):
    """Record the caller (voicemail, callback request) to `path` until # or silence or
    `max_s`."""

    path: str = ""
    max_s: float = 60.0


# ---------------------------------------------------------------------------------------------
# Position events (agent phone → engine)


@dataclass(frozen=True, slots=True)
class PositionEvent:
    time_s: float
    position: str


@dataclass(frozen=True, slots=True)
class PositionInService(PositionEvent):
    """The position's phone is reachable (registered, plugged in, dialled in)."""

    persistent: bool = False  # stays connected between calls (agent dialled in)


@dataclass(frozen=True, slots=True)
class PositionFaulted(PositionEvent):
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PositionAnswered(PositionEvent):
    """The agent picked up the offered call (or a persistent position accepted it).
    `offer_id` is the one the RingPosition carried: the engine connects only that offer."""

    offer_id: str = ""


@dataclass(frozen=True, slots=True)
class PositionRejected(PositionEvent):
    """The phone declined or was busy: counts as a missed offer (of `offer_id`)."""

    offer_id: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class OfferNotPlaced(PositionEvent):
    """The box itself could not place the offer's leg (no call leg, media port or socket left).
    Not the agent's miss: the engine never charges the agent, and the caller keeps their place."""

    offer_id: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PositionHungUp(PositionEvent):
    """The agent hung up (ends the agent's leg; the caller's call ends too unless transferred).
    `offer_id` names the RingPosition that set up the leg ("" for a persistent position hanging
    up while idle)."""

    offer_id: str = ""


@dataclass(frozen=True, slots=True)
class PositionDigitPressed(PositionEvent):
    """A key on the agent's phone: keypad login codes and feature codes."""

    digit: str = ""


# ---------------------------------------------------------------------------------------------
# Position actions (engine → driver)


@dataclass(frozen=True, slots=True)
class PositionAction:
    position: str


@dataclass(frozen=True, slots=True)
class RingPosition(PositionAction):
    """Offer a call: ring the phone (or zip-tone a persistent position). `call_id` lets the
    driver show who is calling on the phone's display."""

    call_id: str = ""
    caller: CallerId = field(default_factory=CallerId)
    timeout_s: float = 15.0
    # Unique per offer; the driver echoes it on the answer, reject and hang-up of this leg.
    offer_id: str = ""


@dataclass(frozen=True, slots=True)
class StopRinging(PositionAction):
    pass


@dataclass(frozen=True, slots=True)
class HangUpPosition(PositionAction):
    """End the agent's leg (a persistent position stays connected and idle). `offer_id` names
    the leg when it is not the position's current one: an answer that came for an offer already
    gone ("answered elsewhere"); "" is the current leg."""

    offer_id: str = ""


class ListenMode(enum.Enum):
    LISTEN = "listen"  # supervisor hears both sides, nobody hears the supervisor
    WHISPER = "whisper"  # the agent hears the supervisor, the caller does not
    BARGE = "barge"  # everybody hears everybody


@dataclass(frozen=True, slots=True)
class MediaAction:
    """Actions on the media bridge; carried out by whichever driver owns the bridge."""


@dataclass(frozen=True, slots=True)
class Connect(MediaAction):
    """Join a line's caller and a position's agent in a conversation."""

    line: str
    position: str


@dataclass(frozen=True, slots=True)
class Disconnect(MediaAction):
    line: str
    position: str


@dataclass(frozen=True, slots=True)
class HoldCaller(MediaAction):
    """The caller hears music; the agent hears nothing."""

    line: str
    position: str


@dataclass(frozen=True, slots=True)
class MuteCaller(MediaAction):
    """The agent stops hearing the caller for `seconds` (静音: a moment to collect oneself);
    the caller keeps hearing the agent's side as silence."""

    line: str
    position: str
    seconds: float = 5.0


@dataclass(frozen=True, slots=True)
class JoinSupervisor(MediaAction):
    line: str
    position: str  # the agent being listened to
    supervisor_position: str
    mode: ListenMode = ListenMode.LISTEN


@dataclass(frozen=True, slots=True)
class StartRecording(MediaAction):
    line: str
    path: str


@dataclass(frozen=True, slots=True)
class StopRecording(MediaAction):
    line: str


# ---------------------------------------------------------------------------------------------
# Devices that are not lines: wallboards, signs, desk panels. Their faults are recorded like
# line faults and shown on the web page; they recover by themselves.


@dataclass(frozen=True, slots=True)
class DeviceFaulted:
    time_s: float
    device: str  # e.g. "wallboard", "sign", "panel"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DeviceRestored:
    time_s: float
    device: str


DeviceStatus = DeviceFaulted | DeviceRestored


# ---------------------------------------------------------------------------------------------
# Buttons, lamps and displays


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    """The Ready/Pause button of a desk panel. A long press means log out."""

    time_s: float
    position: str
    long_press: bool = False


@dataclass(frozen=True, slots=True)
class WallboardFigures:
    """What a wallboard shows. Rates are 0..1, None when there is nothing to divide (shown as
    "—", never 100 %). `levels` maps a field name to its alert level by the thresholds."""

    calls_waiting: int = 0
    longest_wait_s: float = 0.0
    agents_ready: int = 0
    agents_on_call: int = 0
    agents_wrap_up: int = 0
    agents_paused: int = 0
    answered_today: int = 0
    abandoned_today: int = 0
    self_served_today: int = 0  # heard their waybill in the keypad self-service, no agent
    service_level: float | None = None
    answer_rate: float | None = None
    asa_s: float | None = None
    aht_s: float | None = None
    faults: tuple[str, ...] = ()
    ticker: str = ""
    levels: tuple[tuple[str, AlertLevel], ...] = ()
    closed: bool = False  # the daemon is stopping or the depot is closed

    def level(self, name: str) -> AlertLevel:
        return dict(self.levels).get(name, AlertLevel.NORMAL)


# ---------------------------------------------------------------------------------------------
# The interfaces the shell drives. `run` owns the device until cancelled, reporting through
# `emit` (which the shell makes safe to call from the loop thread only: drivers with threads
# hand events over with loop.call_soon_threadsafe). `perform` starts an action and returns
# quickly; what happens later comes back as events.

LineEventSink = Callable[[LineEvent], None]
PositionEventSink = Callable[[PositionEvent], None]
ButtonSink = Callable[[ButtonPressed], None]
DeviceStatusSink = Callable[[DeviceStatus], None]
Clock = Callable[[], float]


@runtime_checkable
class LineDriver(Protocol):
    @property
    def line_ids(self) -> tuple[str, ...]: ...

    def run(self, emit: LineEventSink) -> Awaitable[None]: ...

    async def perform(self, action: LineAction) -> None: ...


@runtime_checkable
class PositionDriver(Protocol):
    @property
    def position_ids(self) -> tuple[str, ...]: ...

    def run(self, emit: PositionEventSink) -> Awaitable[None]: ...

    async def perform(self, action: PositionAction) -> None: ...


@runtime_checkable
class MediaBridge(Protocol):
    async def perform(self, action: MediaAction) -> None: ...


LINE_AUDIO_FRAME_BYTES = 320  # 20 ms of signed 16-bit little-endian mono PCM at 8 kHz


@dataclass(frozen=True, slots=True)
class LineAudio:
    """Full-duplex audio of a line that is not a SIP call (a modem with AT+VTR), joined to the
    media bridge 20 ms at a time: LINE_AUDIO_FRAME_BYTES of signed 16-bit little-endian PCM at
    8 kHz per frame. The bridge calls both on its media thread every 20 ms while the line is
    Connected, so neither may block: `take_received` returns the next frame heard on the line
    (the caller's voice), or None when none is ready (the bridge uses silence);
    `put_to_send` hands over a frame to play to the caller (drop frames when behind)."""

    take_received: Callable[[], bytes | None]
    put_to_send: Callable[[bytes], None]


@dataclass(frozen=True, slots=True)
class AdmissionAnswer:
    """Whether the box took a caller; when not, why (what is in use of what it allows)."""

    taken: bool
    why: str = ""


class CallerAdmission(Protocol):
    """The box's room for callers of a line that is not a SIP call (a modem bridged to SIP
    phones), counted with the SIP lines' callers. `take` before answering: taken, the caller
    keeps room for their agent leg until `release` at the end of their call."""

    async def take(self) -> AdmissionAnswer: ...

    def release(self) -> None: ...


@runtime_checkable
class Display(Protocol):
    """A wallboard: LED board, Alpha sign, console, web page."""

    def run(self, report: DeviceStatusSink) -> Awaitable[None]: ...

    async def show(self, figures: WallboardFigures) -> None: ...


@runtime_checkable
class Lamp(Protocol):
    """The stack light and the desk panels' state LEDs."""

    def run(self, report: DeviceStatusSink) -> Awaitable[None]: ...

    async def set_stack_light(self, colour: StackLight, buzz: bool) -> None: ...

    async def set_position_lamp(self, position: str, state: PositionLampState) -> None: ...


@runtime_checkable
class ButtonPanel(Protocol):
    def run(self, emit: ButtonSink, report: DeviceStatusSink) -> Awaitable[None]: ...

"""Simulated agent positions (demo mode, tests): phones that ring, are answered, rejected and
hung up by a scripted agent side, and a media bridge that notes who talks to whom and writes
a short stand-in WAV for each recorded call."""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import os
import struct
import wave
from collections.abc import Callable
from dataclasses import dataclass

from drivers.roles import (
    CallerId,
    Clock,
    Connect,
    Disconnect,
    DriverError,
    HangUpPosition,
    MediaAction,
    PositionAction,
    PositionAnswered,
    PositionDigitPressed,
    PositionEvent,
    PositionEventSink,
    PositionFaulted,
    PositionHungUp,
    PositionInService,
    PositionRejected,
    RingPosition,
    StartRecording,
    StopRinging,
)
from drivers.sim.transcript import Transcript

log = logging.getLogger(__name__)


class PhoneState(enum.Enum):
    IDLE = "idle"
    RINGING = "ringing"
    TALKING = "talking"
    OUT_OF_SERVICE = "out_of_service"


class SimPositionError(DriverError):
    """A simulated position was asked to do something a real phone would refuse."""


@dataclass(frozen=True, slots=True)
class PhoneRang:
    """The box started ringing a position (what the agent at it notices)."""

    position: str
    call_id: str
    caller: CallerId


@dataclass(frozen=True, slots=True)
class PhoneStopped:
    """The position's ringing or call was ended by the box."""

    position: str


PhoneListener = Callable[[PhoneRang | PhoneStopped], None]


class SimulatedPositions:
    """Agent phones. The box drives them through `perform`; the agent's side answers,
    rejects, hangs up and presses keys."""

    def __init__(
        self,
        position_ids: tuple[str, ...],
        *,
        clock: Clock,
        transcript: Transcript | None = None,
        persistent: frozenset[str] = frozenset(),
    ) -> None:
        """`persistent` positions stay connected between calls (the agent dialled in and logs
        in by keypad); the others ring for each call."""
        if not position_ids:
            raise ValueError("simulated positions need at least one position id")
        self._persistent = persistent
        self._phones = {position_id: PhoneState.IDLE for position_id in position_ids}
        # the offer id of each phone's last ring: echoed on that leg's answer, reject, hang-up
        self._offer_ids = dict.fromkeys(position_ids, "")
        self._clock = clock
        self._emit: PositionEventSink | None = None
        self._listeners: list[PhoneListener] = []
        self.transcript = transcript if transcript is not None else Transcript(clock)

    @property
    def position_ids(self) -> tuple[str, ...]:
        return tuple(self._phones)

    async def run(self, emit: PositionEventSink) -> None:
        self._emit = emit
        for position in self._phones:
            persistent = position in self._persistent
            self._send(PositionInService(self._clock(), position, persistent=persistent))
        try:
            await asyncio.Event().wait()
        finally:
            self._emit = None
            for position in self._phones:
                self._phones[position] = PhoneState.IDLE

    async def perform(self, action: PositionAction) -> None:
        state = self._phones.get(action.position)
        if state is None:
            raise SimPositionError(f"no simulated position {action.position!r}")
        if state is PhoneState.OUT_OF_SERVICE:
            raise SimPositionError(f"simulated position {action.position} is out of service")
        self.transcript.add(f"box {type(action).__name__} {action.position}")
        match action:
            case RingPosition(call_id=call_id, caller=caller, offer_id=offer_id):
                self._phones[action.position] = PhoneState.RINGING
                self._offer_ids[action.position] = offer_id
                self._tell(PhoneRang(action.position, call_id, caller))
            case HangUpPosition(offer_id=offer_id) if offer_id not in (
                "",
                self._offer_ids[action.position],
            ):
                pass  # an earlier leg ("answered elsewhere"): this phone is on a newer one
            case StopRinging() | HangUpPosition():
                self._phones[action.position] = PhoneState.IDLE
                self._tell(PhoneStopped(action.position))
            case _:
                log.debug("simulated position %s ignores %s", action.position, action)

    # -----------------------------------------------------------------------------------------
    # The agent's side

    def listen(self, listener: PhoneListener) -> None:
        self._listeners.append(listener)

    def state(self, position: str) -> PhoneState:
        return self._phones[position]

    def answer(self, position: str) -> bool:
        if self._phones[position] is not PhoneState.RINGING:
            return False
        self._phones[position] = PhoneState.TALKING
        self.transcript.add(f"agent answers {position}")
        self._send(PositionAnswered(self._clock(), position, self._offer_ids[position]))
        return True

    def reject(self, position: str, reason: str = "declined") -> bool:
        if self._phones[position] is not PhoneState.RINGING:
            return False
        self._phones[position] = PhoneState.IDLE
        self.transcript.add(f"agent rejects {position}")
        offer_id = self._offer_ids[position]
        self._send(PositionRejected(self._clock(), position, offer_id=offer_id, reason=reason))
        return True

    def hang_up(self, position: str) -> bool:
        if self._phones[position] is not PhoneState.TALKING:
            return False
        self._phones[position] = PhoneState.IDLE
        self.transcript.add(f"agent hangs up {position}")
        self._send(PositionHungUp(self._clock(), position, self._offer_ids[position]))
        return True

    def press(self, position: str, digit: str) -> None:
        self.transcript.add(f"agent presses {digit} on {position}")
        self._send(PositionDigitPressed(self._clock(), position, digit=digit))

    def unplug(self, position: str) -> None:
        self._phones[position] = PhoneState.OUT_OF_SERVICE
        self.transcript.add(f"{position} unplugged")
        self._send(PositionFaulted(self._clock(), position, reason="simulated phone unplugged"))

    def plug_in(self, position: str) -> None:
        if self._phones[position] is not PhoneState.OUT_OF_SERVICE:
            return
        self._phones[position] = PhoneState.IDLE
        self.transcript.add(f"{position} back in service")
        persistent = position in self._persistent
        self._send(PositionInService(self._clock(), position, persistent=persistent))

    def _send(self, event: PositionEvent) -> None:
        if self._emit is not None:
            self._emit(event)

    def _tell(self, news: PhoneRang | PhoneStopped) -> None:
        for listener in tuple(self._listeners):
            listener(news)


@dataclass(frozen=True, slots=True)
class Conversation:
    line: str
    position: str


BridgeListener = Callable[[MediaAction], None]


RECORDING_STAND_IN_S = 2.0  # a quiet 440 Hz tone stands in for the simulated conversation


def write_stand_in_recording(path: str) -> None:
    """An 8 kHz mono 16-bit WAV where the real bridge would record the call, so the demo's
    recordings page has something to play (without it every link gave 404)."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    rate = 8000
    samples = (
        int(2000 * math.sin(2 * math.pi * 440 * n / rate))
        for n in range(int(RECORDING_STAND_IN_S * rate))
    )
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", sample) for sample in samples))


class SimulatedBridge:
    """The media bridge of an all-simulated box: no audio, it notes who is connected and
    (given a `recordings_dir`, as in the demo) writes a stand-in file for each recording."""

    def __init__(
        self,
        *,
        clock: Clock,
        transcript: Transcript | None = None,
        recordings_dir: str = "",
    ) -> None:
        # the demo: stand-in files to play, written only inside its recordings folder (with no
        # folder the engine names bare files, which would land wherever the process runs)
        self._recordings_dir = os.path.abspath(recordings_dir) if recordings_dir else ""
        self._listeners: list[BridgeListener] = []
        self.conversations: set[Conversation] = set()
        self.transcript = transcript if transcript is not None else Transcript(clock)

    def listen(self, listener: BridgeListener) -> None:
        self._listeners.append(listener)

    def _writes(self, path: str) -> bool:
        folder = self._recordings_dir
        return bool(folder) and os.path.commonpath([folder, os.path.abspath(path)]) == folder

    async def perform(self, action: MediaAction) -> None:
        self.transcript.add(f"bridge {type(action).__name__}")
        match action:
            case Connect(line=line, position=position):
                self.conversations.add(Conversation(line, position))
            case Disconnect(line=line, position=position):
                self.conversations.discard(Conversation(line, position))
            case StartRecording(path=path) if self._writes(path):
                try:
                    await asyncio.to_thread(write_stand_in_recording, path)
                except OSError as error:
                    raise DriverError(f"cannot write the recording {path}: {error}") from error
        for listener in tuple(self._listeners):
            listener(action)

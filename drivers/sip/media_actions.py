"""The media bridge's actions (Q6, Q8): who hears whom on the conference bridge, hold, mute,
listen-in and recording, and full-duplex modem lines joined to the bridge."""

from __future__ import annotations

import logging
import os

from drivers.roles import (
    Connect,
    Disconnect,
    HoldCaller,
    JoinSupervisor,
    MediaAction,
    MuteCaller,
    StartRecording,
    StopRecording,
)
from drivers.sip.errors import SipError
from drivers.sip.line_media import LineMedia
from drivers.sip.mixing import (
    Supervision,
    Talk,
    line_player_port,
    line_port,
    recorder_port,
)
from drivers.sip.stack_state import (
    LineSlot,
    ModemLine,
)

log = logging.getLogger(__name__)


class MediaActions(LineMedia):
    """Carries out MediaActions on the mix plan and the conference bridge."""

    def _media_action(self, action: MediaAction) -> None:
        if isinstance(action, Connect):
            self._connect(action.line, action.position)
        elif isinstance(action, Disconnect):
            talks = self._plan.talks.get(action.line, {})
            talks.pop(action.position, None)
            if not talks:
                self._plan.talks.pop(action.line, None)
            sups = self._plan.supervisions.get(action.line, [])
            self._plan.supervisions[action.line] = [
                s for s in sups if action.position not in (s.agent_position, s.supervisor_position)
            ]
            self._release_modem_line(action.line)
        elif isinstance(action, HoldCaller):
            talk = self._plan.talk(action.line, action.position)
            if talk is None:
                log.info("hold: %s is not talking with %s", action.line, action.position)
                return
            talk.held = True
            slot = self._lines.get(action.line)
            if slot is not None and slot.leg is not None:
                self._play_music(slot)
            elif action.line in self._modem_lines:
                self._modem_music(self._modem_lines[action.line])
        elif isinstance(action, MuteCaller):
            self._mute(action)
        elif isinstance(action, JoinSupervisor):
            sups = self._plan.supervisions.setdefault(action.line, [])
            sups[:] = [s for s in sups if s.supervisor_position != action.supervisor_position]
            sups.append(Supervision(action.position, action.supervisor_position, action.mode))
        elif isinstance(action, StartRecording):
            self._start_recording(action.line, action.path)
        elif isinstance(action, StopRecording):
            slot = self._lines.get(action.line)
            if slot is not None:
                self._end_recording(slot)
        self._remix()

    def _connect(self, line: str, position: str) -> None:
        if position not in self._positions:
            raise SipError(f"{position} is not a SIP position of this box")
        slot = self._lines.get(line)
        if slot is not None:
            self._stop_player(slot, emit=True)
        elif line in self._modem_lines:
            self._open_modem_line(line)
            self._modem_music_off(line)
        else:
            raise SipError(f"{line} is neither a SIP line nor a full-duplex modem line")
        talks = self._plan.talks.setdefault(line, {})
        talk = talks.setdefault(position, Talk())
        talk.held = False  # Connect again after HoldCaller takes the caller off hold

    def _mute(self, action: MuteCaller) -> None:
        talk = self._plan.talk(action.line, action.position)
        if talk is None:
            return
        talk.muted = True

        def unmute() -> None:
            if self._plan.talk(action.line, action.position) is talk:
                talk.muted = False
                self._remix()

        self._worker.call_later(action.seconds, unmute)

    def _start_recording(self, line: str, path: str) -> None:
        from drivers.sip import backend

        slot = self._lines.get(line)
        if slot is None:
            raise SipError(f"{line} is not a SIP line: recording is done by the bridge")
        self._end_recording(slot)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        try:
            slot.recorder = backend.open_recorder(path)
        except backend.Error as error:
            raise SipError(
                f"cannot record {line} to {path}: {backend.describe(error)} — check that the"
                " recordings directory exists and is writable"
            ) from error
        self._plan.recorded_lines.add(line)

    def _end_recording(self, slot: LineSlot) -> None:
        if slot.recorder is None:
            return
        self._forget(recorder_port(slot.line))
        self._plan.recorded_lines.discard(slot.line)
        slot.recorder = None  # deleting the recorder closes the WAV file

    def _open_modem_line(self, line: str) -> None:
        from drivers.sip import backend

        modem = self._modem_lines[line]
        if modem.port is None:
            port = backend.FramePort(modem.audio.take_received, modem.audio.put_to_send)
            port.open(f"line-{line}")
            modem.port = port

    def _release_modem_line(self, line: str) -> None:
        modem = self._modem_lines.get(line)
        if modem is not None and modem.port is not None and line not in self._plan.talks:
            self._modem_music_off(line)
            self._forget(line_port(line))
            modem.port = None

    def _modem_music(self, modem: ModemLine) -> None:
        from drivers.sip import backend

        music = self._playable(self.music_file) if self.music_file else ""
        if music and modem.music is None:
            modem.music = backend.open_player([music], True, lambda: None)

    def _modem_music_off(self, line: str) -> None:
        modem = self._modem_lines[line]
        if modem.music is not None:
            self._forget(line_player_port(line))
            modem.music = None

    def _drop_position_from_plan(self, position: str) -> None:
        for line in self._plan.lines_of(position):
            del self._plan.talks[line][position]
            if not self._plan.talks[line]:
                del self._plan.talks[line]
            self._release_modem_line(line)
        for line, sups in self._plan.supervisions.items():
            self._plan.supervisions[line] = [
                s for s in sups if position not in (s.agent_position, s.supervisor_position)
            ]

"""What a caller on a SIP line hears and leaves: prompts, music, tones and recorded messages."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence

from drivers.roles import (
    PlayPrompt,
    PromptFinished,
    RecordingFinished,
    RecordMessage,
    Tone,
)
from drivers.sip.errors import SipError
from drivers.sip.mixing import (
    line_player_port,
)
from drivers.sip.stack_state import (
    TONES,
    LineSlot,
    StackState,
)

log = logging.getLogger(__name__)


class LineMedia(StackState):
    """Players, tone generators and message recorders feeding or fed by a line's caller."""

    def _first_file(self, relative: str) -> str:
        for directory in self.prompt_dirs:
            path = os.path.join(directory, relative)
            if os.path.exists(path):
                return path
        return ""

    def _playable(self, path: str) -> str:
        try:
            return self._prompt_audio.playable(path)
        except (SipError, OSError) as error:
            log.error("cannot play %s: %s", path, error)
            return ""

    def _prompt_paths(self, names: Sequence[str], language: str) -> list[str]:
        paths = []
        for name in names:
            path = self._first_file(os.path.join(language, f"{name}.wav"))
            if path:
                playable = self._playable(path)
                if playable:
                    paths.append(playable)
            else:
                log.error(
                    "prompt %s/%s.wav is in none of %s: the caller hears nothing in its place",
                    language,
                    name,
                    ", ".join(self.prompt_dirs) or "(no prompt directories)",
                )
        return paths

    def _play_prompt(self, slot: LineSlot, action: PlayPrompt) -> None:
        paths = self._prompt_paths(action.prompts, action.language)
        if not paths:
            self._stop_player(slot, emit=True)
            self._remix()
            self._emit(PromptFinished(self._now(), slot.line, play_id=action.play_id))
            return
        self._play(slot, paths, loop=False)
        if slot.player is None:  # the library refused the files: the caller flow goes on
            self._emit(PromptFinished(self._now(), slot.line, play_id=action.play_id))
        else:
            slot.prompt_id, slot.barge_in = action.play_id, action.barge_in

    def _play(self, slot: LineSlot, paths: list[str], loop: bool) -> None:
        from drivers.sip import backend

        self._stop_player(slot, emit=True)
        self._player_serial += 1
        serial = self._player_serial

        def ended() -> None:  # inside the player's callback: finish on the pjsua thread
            self._worker.post(lambda: self._prompt_ended(slot, serial))

        try:
            player = backend.open_player(paths, loop, ended)
        except backend.Error as error:
            log.error("cannot play %s: %s", ", ".join(paths), backend.describe(error))
            self._remix()
            return
        slot.player, slot.player_serial = player, serial
        self._remix()

    def _play_music(self, slot: LineSlot) -> None:
        music = self._playable(self.music_file) if self.music_file else ""
        if not music:
            log.error(
                "no hold music (music/hold.wav in the prompt directories): callers hear"
                " silence on hold"
            )
            self._stop_player(slot, emit=True)
            self._remix()
            return
        self._play(slot, [music], loop=True)

    def _prompt_ended(self, slot: LineSlot, serial: int) -> None:
        if slot.player is None or slot.player_serial != serial:
            return
        play_id = slot.prompt_id
        slot.player, slot.prompt_id = None, None
        self._remix()
        if play_id is not None:
            self._emit(PromptFinished(self._now(), slot.line, play_id=play_id))

    def _play_tone(self, slot: LineSlot, tone: Tone, duration_s: float) -> None:
        from drivers.sip import backend

        self._stop_player(slot, emit=True)
        parts, loop = TONES[tone]
        self._player_serial += 1
        serial = self._player_serial
        slot.player, slot.player_serial = backend.open_tone(parts, loop), serial
        self._remix()

        def stop() -> None:  # a timer must not hold the generator: it would outlive libDestroy
            if slot.player is not None and slot.player_serial == serial:
                self._stop_player(slot, emit=False)
                self._remix()

        self._worker.call_later(duration_s, stop)

    def _stop_player(self, slot: LineSlot, emit: bool) -> None:
        """Drop what feeds the caller; a prompt cut short reports PromptFinished(interrupted)."""
        if slot.player is None:
            return
        play_id = slot.prompt_id
        slot.player, slot.prompt_id, slot.barge_in = None, None, False
        self._forget(line_player_port(slot.line))
        if emit and play_id is not None:
            self._emit(PromptFinished(self._now(), slot.line, play_id=play_id, interrupted=True))

    def _record_message(self, slot: LineSlot, action: RecordMessage) -> None:
        from drivers.sip import backend

        self._finish_message(slot, emit=True)
        os.makedirs(os.path.dirname(action.path) or ".", exist_ok=True)
        slot.message, slot.message_path = backend.open_recorder(action.path), action.path
        slot.message_started_s = started_s = time.monotonic()
        if slot.leg is not None and slot.leg.media is not None:
            slot.leg.media.startTransmit(slot.message)

        def time_up() -> None:
            if slot.message is not None and slot.message_started_s == started_s:
                self._finish_message(slot, emit=True)

        self._worker.call_later(action.max_s, time_up)

    def _finish_message(self, slot: LineSlot, emit: bool) -> None:
        if slot.message is None:
            return
        duration_s = time.monotonic() - slot.message_started_s
        slot.message = None  # deleting the recorder closes the WAV file
        if emit:
            self._emit(
                RecordingFinished(
                    self._now(), slot.line, path=slot.message_path, duration_s=duration_s
                )
            )

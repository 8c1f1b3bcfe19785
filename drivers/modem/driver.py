"""One USB voice modem = one phone line: rings and caller ID in, answer, prompts, keys,
recordings, tones and dialling out, hang-up detection, and recovery when the modem hangs or is
unplugged. Implements drivers.roles.LineDriver over pyserial (imported when the port opens)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Coroutine, Sequence
from typing import Any

from drivers.modem import audio
from drivers.modem.admission import LineAdmission
from drivers.modem.audio import SampleFormat
from drivers.modem.dialects import (
    Dialect,
    InitCommand,
    base_commands,
    choose_sample_format,
    detect_dialect,
    dialect_commands,
)
from drivers.modem.port import ModemError, ModemNotAnswering, ModemPort
from drivers.modem.protocol import (
    Audio,
    CallerIdCollector,
    CallerIdField,
    DleCode,
    DleEvent,
    ResultCode,
    ResultLine,
    StreamItem,
    parse_vsm_list,
)
from drivers.modem.quiet import QuietLineWatch, has_voice
from drivers.roles import (
    LINE_AUDIO_FRAME_BYTES,
    AnswerLine,
    CallArrived,
    CallerAdmission,
    CallerHungUp,
    CallTurnedAway,
    Clock,
    DialFailed,
    DialOut,
    DigitPressed,
    HangUpCause,
    HangUpLine,
    LineAction,
    LineAnswered,
    LineAudio,
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
    Tone,
    TurnedAwayReason,
)

log = logging.getLogger(__name__)
wire_log = logging.getLogger("drivers.modem.wire")

BYTES_PER_S = audio.SAMPLE_RATE_HZ  # 8-bit samples
FRAME_S = 0.02
BRIDGE_IDLE_S = 0.2  # the bridge stopped asking for audio this long ago: end the duplex stream
BRIDGE_RETRY_S = 0.5  # the line was busy with a prompt or music: look again after this


_HANGUP_SIGNALS = {
    DleCode.BUSY_TONE: HangUpCause.BUSY_TONE,
    DleCode.DIAL_TONE: HangUpCause.DIAL_TONE,
    DleCode.LOOP_BREAK: HangUpCause.LOOP_BREAK,
    DleCode.POLARITY_REVERSAL: HangUpCause.POLARITY_REVERSAL,
}

# DLE reports about the stream or the line being quiet: no sign that a caller is there
_NOT_THE_CALLER = frozenset(
    {DleCode.SILENCE, DleCode.QUIET, DleCode.END_OF_STREAM, DleCode.UNDERRUN, DleCode.OVERRUN}
)

# AT+VTS elements: [f1,f2,duration in 10 ms]; one cadence period per tone
_TONE_CADENCE = {
    Tone.BUSY: ("[480,620,50],[0,0,50]", 1.0),
    Tone.RINGBACK: ("[440,480,200],[0,0,400]", 6.0),
    Tone.ZIP: ("[440,0,30],[0,0,20]", 0.5),
}
_DIAL_FAILURES = {
    ResultCode.BUSY: "busy",
    ResultCode.NO_CARRIER: "no answer",
    ResultCode.NO_ANSWER: "no answer",
    ResultCode.NO_DIALTONE: "no dial tone (is the phone line plugged into the modem?)",
    ResultCode.ERROR: "the modem refused to dial",
}


class ModemLine:
    """A phone line on one USB voice modem (USR5637, Conexant CX93010, any V.253 modem).

    `device` is the modem's tty (a udev name such as /dev/depotline/fxo0); `prompts_dir` the
    prompt directories, first match wins (recorded overrides, then the generated set), each
    holding `<language>/<name>.wav` and `music/hold.wav`. Beyond the configuration's keys:
    `silence_s` is the modem's silence report (ends a recording; outside one it means the caller
    has gone when `hangup_on_silence`), `caller_id_wait_s` how long to wait after the first
    ring for caller ID, `ring_gap_s` the quiet after which ringing has stopped (a call that
    was not yet offered is then a missed call), `quiet_line_s` how long a call may go without
    any sign of its caller (voice, key, modem signal) before it is ended as silent (0: never),
    and `full_duplex` overrides the AT+VTR=? probe. The timing keywords exist for tests.
    """

    def __init__(
        self,
        line_id: str,
        device: str,
        *,
        dialect: str = "auto",
        rings_before_answer: int = 2,
        country_code: str = "B5",
        init_commands: Sequence[str] = (),
        power_cycle_command: str = "",
        max_call_s: float = 3600.0,
        prompts_dir: str | Sequence[str] = (),
        clock: Clock = time.time,
        ping_interval_s: float = 30.0,
        command_timeout_s: float = 2.0,
        silence_s: float = 8.0,
        hangup_on_silence: bool = True,
        caller_id_wait_s: float = 4.5,
        ring_gap_s: float = 8.5,
        reopen_initial_s: float = 1.0,
        reopen_max_s: float = 60.0,
        full_duplex: bool | None = None,
        refuse_tone_s: float = 3.0,
        quiet_line_s: float = 120.0,
    ) -> None:
        if dialect != "auto" and dialect not in {d.value for d in Dialect}:
            raise ValueError(f"modem dialect must be auto, usr, conexant or generic: {dialect!r}")
        self._line = line_id
        self._device = device
        self._dialect_setting = dialect
        self._rings_before_answer = max(1, rings_before_answer)
        self._country_code = country_code
        self._extra_init = tuple(init_commands)
        self._power_cycle_command = power_cycle_command
        self._max_call_s = max_call_s
        self._prompt_dirs = (prompts_dir,) if isinstance(prompts_dir, str) else tuple(prompts_dir)
        self._clock = clock
        self._ping_interval_s = ping_interval_s
        self._silence_s = silence_s
        self._hangup_on_silence = hangup_on_silence
        self._caller_id_wait_s = caller_id_wait_s
        self._ring_gap_s = ring_gap_s
        self._reopen_initial_s = reopen_initial_s
        self._reopen_max_s = reopen_max_s
        self._full_duplex_setting = full_duplex
        self._refuse_tone_s = refuse_tone_s
        self._quiet_watch = QuietLineWatch(quiet_line_s, self._line_went_quiet)
        self._admission = LineAdmission(line_id)

        self._emit: LineEventSink = lambda event: None
        self._port = ModemPort(
            line_id,
            device,
            self._on_item,
            command_timeout_s=command_timeout_s,
            power_cycle_hint=bool(power_cycle_command),
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_service = False
        self._actions: asyncio.Queue[LineAction] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()

        self.dialect: Dialect = Dialect.GENERIC
        self.sample_format = SampleFormat.UNSIGNED_LINEAR
        self._vsm_argument = "1,8000,0,0"
        self.media = MediaCapability.HALF_DUPLEX

        # the call
        # idle | ringing | admitting (the box is asked) | offered | refused | connected | dialing
        self._call = "idle"
        self._rings = 0
        self._caller_id = CallerIdCollector()
        self._caller_id_at = 0.0
        self._ring_gap_timer: asyncio.TimerHandle | None = None
        self._caller_id_timer: asyncio.TimerHandle | None = None
        self._hard_cap_timer: asyncio.TimerHandle | None = None
        self._ending = False

        # media
        self._media_task: asyncio.Task[None] | None = None
        self._media_kind = ""  # prompt | music | record | duplex
        self._media_stop = False
        self._barge_in = False
        self._record_end = ""  # why a recording ended: hash | silence | hangup | stop
        self._record_buffer = bytearray()
        self._record_wake: asyncio.Event | None = None
        # duplex audio: deques, because the media bridge's thread reads and writes them
        self._received: deque[bytes] = deque(maxlen=25)  # caller → bridge, 0.5 s at most
        self._to_send: deque[bytes] = deque(maxlen=10)  # bridge → caller; oldest dropped
        self._frame_rest = b""
        self._bridge_seen_at = 0.0
        self._bridge_wants_duplex = False
        self._prompt_cache: dict[tuple[str, int, SampleFormat], bytes] = {}

    # -----------------------------------------------------------------------------------------
    # LineDriver

    @property
    def line_ids(self) -> tuple[str, ...]:
        return (self._line,)

    async def perform(self, action: LineAction) -> None:
        """Queue an action; actions on a line run in order, long media in the background."""
        if action.line != self._line:
            raise ValueError(f"modem line {self._line} got an action for line {action.line}")
        self._actions.put_nowait(action)

    async def run(self, emit: LineEventSink) -> None:
        """Own the modem until cancelled: open, initialise, serve calls, and recover from faults
        with capped back-off."""
        self._emit = emit
        self._loop = asyncio.get_running_loop()
        worker = asyncio.create_task(self._action_worker(), name=f"modem-{self._line}-actions")
        delay_s = self._reopen_initial_s
        fault_reported = False
        failures = 0
        try:
            while True:
                try:
                    self._loop = asyncio.get_running_loop()
                    self._port.open()
                    await self._initialise()
                except ModemError as e:
                    self._port.close()
                    failures += 1
                    if not fault_reported:
                        fault_reported = True
                        self._report_fault(str(e))
                        await self._power_cycle()
                    elif failures % 10 == 0:
                        await self._power_cycle()
                    await asyncio.sleep(delay_s)
                    delay_s = min(delay_s * 2, self._reopen_max_s)
                    continue
                delay_s, failures, fault_reported = self._reopen_initial_s, 0, False
                self._in_service = True
                log.info("line %s in service on %s (%s)", self._line, self._device, self.dialect)
                self._send(LineInService(self._clock(), self._line, media=self.media))
                try:
                    await self._serve()
                except ModemError as e:
                    self._in_service = False
                    await self._drop_call(HangUpCause.DEVICE_LOST)
                    self._port.close()
                    fault_reported = True
                    self._report_fault(str(e))
                    if isinstance(e, ModemNotAnswering):
                        await self._power_cycle()
                    await asyncio.sleep(delay_s)
        finally:
            worker.cancel()
            self._in_service = False
            if self._call in ("connected", "dialing") and self._port.is_open:
                await self._hang_up_on_stop()
            for task in list(self._tasks):
                task.cancel()
            self._port.close()

    async def _hang_up_on_stop(self) -> None:
        """The daemon stops with a call up: end the stream and go on-hook properly (the modem
        must leave the stream before it reads commands again), or at worst blindly."""
        try:
            async with asyncio.timeout(2.0):
                self._ending = True
                await self._stop_media()
                await self._on_hook()
        except (ModemError, TimeoutError, asyncio.CancelledError):
            self._port.hang_up_and_close(streaming=bool(self._media_kind))

    def admit_callers_through(self, admission: CallerAdmission) -> None:
        """Ask `admission` before offering each caller (a line bridged to SIP agent phones):
        when the box is full the line is not answered and the caller is turned away."""
        self._admission.use(admission)

    # -----------------------------------------------------------------------------------------
    # full-duplex audio for the media bridge

    def line_audio(self, line: str) -> LineAudio:
        """The line's audio for the media bridge (drivers.roles.LineAudio). While the bridge
        calls it (every 20 ms, on its own thread, while the line is Connected) the modem
        streams both ways with AT+VTR; when the calls stop, the stream ends. A prompt or music
        the engine plays on the line comes first. Half-duplex modems never stream."""
        self._check_line(line)
        return LineAudio(take_received=self._take_received, put_to_send=self._put_to_send)

    async def start_duplex(self, line: str) -> bool:
        """Stream the call's audio both ways (AT+VTR). False on a half-duplex modem."""
        self._check_line(line)
        if self.media is not MediaCapability.FULL_DUPLEX or self._call != "connected":
            return False
        await self._stop_media()
        self._media_stop = False
        self._frame_rest = b""
        self._received.clear()
        self._to_send.clear()
        self._port.parser.audio_after_connect = True
        result, _ = await self._port.command("AT+VTR", expect_stream=True)
        if result.code is not ResultCode.CONNECT:
            self._port.parser.audio_after_connect = False
            return False
        self._media_kind = "duplex"
        return True

    async def stop_duplex(self, line: str) -> None:
        self._check_line(line)
        if self._media_kind == "duplex":
            await self._stop_media()

    async def audio_frames(self, line: str) -> AsyncIterator[bytes]:
        """The caller's audio while duplex: 20 ms frames of 16-bit little-endian PCM at 8 kHz
        (LINE_AUDIO_FRAME_BYTES = 320 bytes). Ends when the duplex stream ends. (The asyncio
        counterpart of line_audio(); use one or the other.)"""
        self._check_line(line)
        while self._media_kind == "duplex" or self._received:
            if self._received:
                yield self._received.popleft()
            else:
                await asyncio.sleep(FRAME_S / 2)

    async def send_audio(self, line: str, frame: bytes) -> None:
        """Play 16-bit little-endian PCM at 8 kHz to the caller (duplex only)."""
        self._check_line(line)
        if self._media_kind == "duplex":
            self._port.write(audio.dle_shield(audio.pcm16_to_modem(frame, self.sample_format)))

    # the bridge's thread

    def _take_received(self) -> bytes | None:
        self._bridge_active()
        try:
            return self._received.popleft()
        except IndexError:
            return None

    def _put_to_send(self, frame: bytes) -> None:
        self._bridge_active()
        self._to_send.append(frame)

    def _bridge_active(self) -> None:
        self._bridge_seen_at = time.monotonic()
        if not self._bridge_wants_duplex and self._loop is not None:
            self._bridge_wants_duplex = True
            self._loop.call_soon_threadsafe(self._bridge_joined)

    # back on the loop

    def _bridge_joined(self) -> None:
        if self._media_kind == "duplex":
            return
        if (
            self.media is MediaCapability.FULL_DUPLEX
            and self._call == "connected"
            and not self._media_kind
            and not self._ending
        ):
            self._to_send.clear()
            self._start_media("duplex", self._bridge_duplex())
            return
        assert self._loop is not None
        # busy with a prompt or music (or half-duplex): ask again a little later
        self._loop.call_later(BRIDGE_RETRY_S, self._bridge_may_retry)

    def _bridge_may_retry(self) -> None:
        self._bridge_wants_duplex = False

    async def _bridge_duplex(self) -> None:
        """The media task while the bridge carries the call: AT+VTR, the bridge's frames out,
        until the bridge goes quiet or a prompt, music or the end of the call stops it."""
        try:
            self._frame_rest = b""
            self._received.clear()
            self._port.parser.audio_after_connect = True
            result, _ = await self._port.command("AT+VTR", expect_stream=True)
            if result.code is not ResultCode.CONNECT:
                log.warning("line %s: the modem refused AT+VTR (%s)", self._line, result.text)
                return
            while not self._media_stop:
                while self._to_send:
                    frame = self._to_send.popleft()
                    self._port.write(
                        audio.dle_shield(audio.pcm16_to_modem(frame, self.sample_format))
                    )
                if time.monotonic() - self._bridge_seen_at > BRIDGE_IDLE_S:
                    break
                await asyncio.sleep(FRAME_S)
            await self._port.end_stream(b"\x10^")
        finally:
            self._media_kind = ""
            self._bridge_wants_duplex = False

    # -----------------------------------------------------------------------------------------
    # port

    def _report_fault(self, reason: str) -> None:
        log.warning("line %s out of service: %s", self._line, reason)
        self._send(LineFaulted(self._clock(), self._line, reason=reason))

    async def _power_cycle(self) -> None:
        if not self._power_cycle_command:
            return
        log.warning("line %s: power-cycling the modem: %s", self._line, self._power_cycle_command)
        try:
            process = await asyncio.create_subprocess_shell(self._power_cycle_command)
            await asyncio.wait_for(process.wait(), 30)
        except (OSError, TimeoutError) as e:
            log.error("line %s: power_cycle_command failed: %s", self._line, e)

    async def _initialise(self) -> None:
        # a bare CR first: ends any half-typed command a crashed client left behind
        self._port.write(b"\r")
        await self._port.expect("ATZ", self._port.command_timeout_s * 2)
        await self._run_init(base_commands(self._country_code))
        identity = []
        for query in ("ATI", "ATI3"):
            result, lines = await self._port.command(query)
            if result.code is ResultCode.OK:
                identity += lines
        result, lines = await self._port.command("AT+VSM=?")
        methods = parse_vsm_list(lines) if result.code is ResultCode.OK else []
        if self._dialect_setting == "auto":
            self.dialect = detect_dialect(" ".join(identity), methods)
        else:
            self.dialect = Dialect(self._dialect_setting)
        await self._run_init(dialect_commands(self.dialect, self._silence_s))
        await self._run_init([InitCommand(command) for command in self._extra_init])
        self._vsm_argument, self.sample_format = choose_sample_format(self.dialect, methods)
        await self._port.expect(f"AT+VSM={self._vsm_argument}")
        full_duplex = self._full_duplex_setting
        if full_duplex is None:
            result, _ = await self._port.command("AT+VTR=?")
            full_duplex = result.code is ResultCode.OK
        self.media = MediaCapability.FULL_DUPLEX if full_duplex else MediaCapability.HALF_DUPLEX
        self._reset_call()

    async def _run_init(self, commands: Sequence[InitCommand]) -> None:
        for item in commands:
            result, _ = await self._port.command(item.command)
            if result.code is ResultCode.OK:
                continue
            if item.required:
                raise ModemError(
                    f"the modem of line {self._line} ({self._device}) refused "
                    f"{item.command}: is it a voice modem?"
                )
            log.warning("line %s: the modem refused %s; going on", self._line, item.command)

    async def _serve(self) -> None:
        """Wait for a fault; ping an idle modem now and then, and reset it if it hangs."""
        fault = self._port.fault
        assert fault is not None
        while True:
            done, _ = await asyncio.wait({fault}, timeout=self._ping_interval_s)
            if done:
                fault.result()  # raises the fault
            if self._call != "idle" or self._port.busy:
                continue
            try:
                await self._port.expect("AT")
            except ModemNotAnswering:
                log.warning("line %s: modem did not answer AT; resetting it", self._line)
                await self._initialise()  # raises ModemNotAnswering again if still hung

    # -----------------------------------------------------------------------------------------
    # what the modem sends

    def _on_item(self, item: StreamItem) -> None:
        if isinstance(item, Audio):
            self._on_audio(item.data)
        elif isinstance(item, DleEvent):
            self._on_dle(item)
        elif isinstance(item, ResultLine) and item.code is ResultCode.RING:
            self._on_ring()
        elif isinstance(item, CallerIdField):
            self._on_caller_id(item)

    def _on_ring(self) -> None:
        if not self._in_service:
            log.info("line %s: RING while the modem starts up ignored", self._line)
            return
        if self._call in ("connected", "dialing"):
            log.info("line %s: RING during a call ignored", self._line)
            return
        if self._call == "idle":
            self._call = "ringing"
            self._rings = 0
            if time.monotonic() - self._caller_id_at > 10.0:
                self._caller_id = CallerIdCollector()  # stale fields of an earlier call
        self._rings += 1
        self._restart_ring_gap()
        if self._call == "ringing":
            self._maybe_offer()

    def _restart_ring_gap(self) -> None:
        assert self._loop is not None
        if self._ring_gap_timer is not None:
            self._ring_gap_timer.cancel()
        self._ring_gap_timer = self._loop.call_later(self._ring_gap_s, self._ringing_stopped)

    def _ringing_stopped(self) -> None:
        """No RING for `ring_gap_s`: the caller gave up before the box answered. A call the
        engine was offered ends as a hang-up; one it never heard of (fewer rings than
        `rings_before_answer`, or caller ID and no ring) is a missed call, reported once so the
        depot sees every caller it lost."""
        state = self._call
        if state not in ("ringing", "admitting", "offered", "refused"):
            return
        missed = state in ("ringing", "admitting")
        caller = self._caller_id.caller(self._line) if missed else None
        self._reset_call()
        if caller is not None:
            log.info("line %s: missed call from %r (rang and stopped)", self._line, caller)
            self._send(
                CallTurnedAway(
                    self._clock(), self._line, caller=caller, reason=TurnedAwayReason.MISSED_AT_LINE
                )
            )
        elif state == "offered":
            self._send(CallerHungUp(self._clock(), self._line, cause=HangUpCause.NORMAL))

    def _maybe_offer(self) -> None:
        if self._rings < self._rings_before_answer:
            return
        if self._caller_id.has_number_or_reason or self._rings >= 2 or not self._caller_id_wait_s:
            self._offer()
        elif self._caller_id_timer is None:
            assert self._loop is not None
            # US lines send caller ID between the first and second ring: wait for it
            self._caller_id_timer = self._loop.call_later(self._caller_id_wait_s, self._offer)

    def _offer(self) -> None:
        if self._caller_id_timer is not None:
            self._caller_id_timer.cancel()
            self._caller_id_timer = None
        if self._call != "ringing":
            return
        if self._admission.asks:
            self._call = "admitting"
            self._spawn(self._admit())
        else:
            self._put_forward()

    async def _admit(self) -> None:
        """Offer the caller if the box takes them; else let the line ring unanswered and turn
        them away once (nothing more is recorded when the ringing stops)."""
        taken = await self._admission.ask(self._caller_id.caller(self._line))
        if self._call != "admitting":  # the ringing stopped while the box was asked
            self._admission.release()
        elif taken:
            self._put_forward()
        else:
            self._call = "refused"
            caller = self._caller_id.caller(self._line)
            self._send(
                CallTurnedAway(
                    self._clock(), self._line, caller=caller, reason=TurnedAwayReason.BOX_FULL
                )
            )

    def _put_forward(self) -> None:
        self._call = "offered"
        caller = self._caller_id.caller(self._line)
        log.info("line %s: call from %r", self._line, caller)
        self._send(CallArrived(self._clock(), self._line, caller=caller))

    def _on_caller_id(self, item: CallerIdField) -> None:
        if self._call in ("connected", "dialing"):
            log.info("line %s: caller ID during a call (call waiting) ignored", self._line)
            return
        if self._call == "idle" and time.monotonic() - self._caller_id_at > 10.0:
            self._caller_id = CallerIdCollector()
        if (
            self._call in ("ringing", "admitting", "offered", "refused")
            and item.key in self._caller_id.fields
        ):
            # a second caller-ID block: the caller we knew gave up and a new call rings
            log.info("line %s: a new call rings before the last one's ringing stopped", self._line)
            self._ringing_stopped()
            self._call = "ringing"
            self._rings = 0
            self._restart_ring_gap()
        self._caller_id.add(item)
        self._caller_id_at = time.monotonic()
        if self._call == "idle" and self._in_service and self._caller_id.has_number_or_reason:
            # caller ID before the first RING (UK lines): the call has begun; if no RING follows,
            # it is a missed call like one that rang once
            self._call = "ringing"
            self._rings = 0
            self._restart_ring_gap()
        if self._caller_id_timer is not None and item.key in ("NMBR", "NAME"):
            # the rest of the block (NAME after NMBR) follows within milliseconds
            self._caller_id_timer.cancel()
            assert self._loop is not None
            self._caller_id_timer = self._loop.call_later(0.3, self._offer)

    def _on_dle(self, event: DleEvent) -> None:
        code = event.code
        if code not in _NOT_THE_CALLER:
            self._quiet_watch.caller_seen()
        if code is DleCode.DTMF:
            self._on_digit(event.digit)
        elif code in _HANGUP_SIGNALS:
            if self._call == "connected":
                self._far_end_gone(_HANGUP_SIGNALS[code])
        elif code in (DleCode.SILENCE, DleCode.QUIET):
            if self._media_kind == "record":
                self._stop_recording("silence")
            elif self._call == "connected" and code is DleCode.SILENCE and self._hangup_on_silence:
                self._far_end_gone(HangUpCause.SILENCE)
        elif code is not DleCode.END_OF_STREAM:
            wire_log.debug("%s: DLE %s", self._line, code.value)

    def _on_digit(self, digit: str) -> None:
        if self._call != "connected" or self._ending:
            wire_log.debug("%s: key %s outside a call dropped", self._line, digit)
            return
        if self._media_kind == "record" and digit == "#":
            self._stop_recording("hash")
            return
        if self._media_kind == "prompt" and self._barge_in:
            self._media_stop = True
        self._send(DigitPressed(self._clock(), self._line, digit=digit))

    def _on_audio(self, data: bytes) -> None:
        if has_voice(data, self.sample_format):
            self._quiet_watch.caller_seen()
        if self._media_kind == "record":
            self._record_buffer += data
        elif self._media_kind == "duplex":
            pcm = self._frame_rest + audio.modem_to_pcm16(data, self.sample_format)
            whole = len(pcm) - len(pcm) % LINE_AUDIO_FRAME_BYTES
            for start in range(0, whole, LINE_AUDIO_FRAME_BYTES):
                # a full deque drops the oldest frame: the bridge fell behind
                self._received.append(pcm[start : start + LINE_AUDIO_FRAME_BYTES])
            self._frame_rest = pcm[whole:]

    def _line_went_quiet(self) -> None:
        if self._call == "connected":
            log.info("line %s: no sign of the caller for a while", self._line)
            self._far_end_gone(HangUpCause.SILENCE)

    def _far_end_gone(self, cause: HangUpCause) -> None:
        if self._ending:
            return
        self._ending = True
        if self._media_kind == "record":
            self._stop_recording("hangup")
        self._spawn(self._end_call(cause))

    async def _end_call(self, cause: HangUpCause) -> None:
        log.info("line %s: caller gone (%s)", self._line, cause.value)
        try:
            await self._stop_media()
            await self._on_hook()
        finally:
            self._send(CallerHungUp(self._clock(), self._line, cause=cause))

    async def _drop_call(self, cause: HangUpCause) -> None:
        """The modem failed under a call: the call is over whatever the line does."""
        for task in list(self._tasks):
            task.cancel()
        if self._media_task is not None:
            self._media_task.cancel()
            self._media_task = None
        had_call = self._call in ("connected", "dialing", "offered")
        self._media_kind = ""
        self._reset_call()
        if had_call:
            self._send(CallerHungUp(self._clock(), self._line, cause=cause))

    # -----------------------------------------------------------------------------------------
    # actions

    async def _action_worker(self) -> None:
        while True:
            action = await self._actions.get()
            if not self._in_service:
                log.warning("line %s is out of service; dropped %s", self._line, action)
                if isinstance(action, DialOut):
                    self._send(DialFailed(self._clock(), self._line, reason="line out of service"))
                continue
            try:
                await self._carry_out(action)
            except ModemNotAnswering as e:
                self._port.fail(e)
            except ModemError as e:
                log.warning("line %s: %s failed: %s", self._line, type(action).__name__, e)
            except Exception as e:  # a bug: stop the line loudly rather than go deaf
                self._crash(e)

    async def _carry_out(self, action: LineAction) -> None:
        if isinstance(action, AnswerLine):
            await self._answer()
        elif isinstance(action, RefuseCall):
            await self._refuse()
        elif isinstance(action, HangUpLine):
            if self._call in ("connected", "dialing"):
                self._ending = True
                await self._stop_media()
                await self._on_hook()
            elif self._call in ("ringing", "offered"):
                self._call = "refused"  # let it ring out; do not offer it again
        elif isinstance(action, DialOut):
            await self._dial(action.number)
        elif self._call != "connected" or self._ending:
            log.info("line %s: no call for %s", self._line, type(action).__name__)
            if isinstance(action, PlayPrompt):
                self._send(PromptFinished(self._clock(), self._line, action.play_id, True))
        elif isinstance(action, PlayPrompt):
            await self._stop_media()
            self._start_media("prompt", self._play_prompt(action))
        elif isinstance(action, PlayMusic):
            await self._stop_media()
            self._start_media("music", self._play_music())
        elif isinstance(action, StopMedia):
            await self._stop_media()
        elif isinstance(action, PlayTone):
            await self._stop_media()
            await self._play_tone(action.tone, action.duration_s)
        elif isinstance(action, SendDigits):
            await self._stop_media()
            digits = ",".join(ch for ch in action.digits if ch in "0123456789*#ABCD")
            if digits:
                await self._port.expect(f"AT+VTS={digits}", 2.0 + 0.2 * len(action.digits))
        elif isinstance(action, RecordMessage):
            await self._stop_media()
            self._start_media("record", self._record(action))

    async def _answer(self) -> None:
        if self._call not in ("ringing", "offered"):
            log.info("line %s: nothing to answer (the caller may have gone)", self._line)
            return
        self._cancel_ring_timers()
        self._call = "connected"
        self._ending = False
        try:
            await self._port.expect("AT+VLS=1")
            await self._port.expect(f"AT+VSM={self._vsm_argument}")
        except ModemError:
            # the engine waits for LineAnswered: tell it the call is gone instead
            self._reset_call()
            self._send(CallerHungUp(self._clock(), self._line, cause=HangUpCause.DEVICE_LOST))
            raise
        self._start_hard_cap()
        self._send(LineAnswered(self._clock(), self._line))

    async def _refuse(self) -> None:
        if self._call not in ("ringing", "offered"):
            return
        self._cancel_ring_timers()
        self._call = "connected"
        self._ending = True
        await self._port.expect("AT+VLS=1")
        await self._play_tone(Tone.BUSY, self._refuse_tone_s)
        await self._on_hook()

    async def _dial(self, number: str) -> None:
        digits = re.sub(r"[^0-9*#,]", "", number)
        if self._call != "idle" or not digits:
            reason = "line busy" if digits else f"not a phone number: {number!r}"
            self._send(DialFailed(self._clock(), self._line, reason=reason))
            return
        self._call = "dialing"
        self._ending = False
        result, _ = await self._port.command(f"ATDT{digits}", 90.0)
        if self._call != "dialing":
            return
        if result.code in (ResultCode.OK, ResultCode.VCON):
            self._call = "connected"
            await self._port.expect(f"AT+VSM={self._vsm_argument}")
            self._start_hard_cap()
            self._send(LineAnswered(self._clock(), self._line))
            return
        await self._on_hook()
        reason = _DIAL_FAILURES.get(result.code, result.text.lower())
        self._send(DialFailed(self._clock(), self._line, reason=reason))

    async def _on_hook(self) -> None:
        self._cancel_ring_timers()
        try:
            result, _ = await self._port.command("AT+VLS=0")
            if result.code is not ResultCode.OK:
                await self._port.command("ATH")
        finally:
            self._reset_call()

    async def _play_tone(self, tone: Tone, duration_s: float) -> None:
        if tone is Tone.BEEP:
            spec = f"[1000,0,{max(5, min(300, round(duration_s * 100)))}]"
            total_s = duration_s
        else:
            period, period_s = _TONE_CADENCE[tone]
            repeats = max(1, round(duration_s / period_s))
            spec = ",".join([period] * repeats)
            total_s = repeats * period_s
        await self._port.expect(f"AT+VTS={spec}", total_s + 2.0)

    # -----------------------------------------------------------------------------------------
    # media streams

    def _start_media(self, kind: str, work: Coroutine[Any, Any, None]) -> None:
        self._media_kind = kind
        self._media_stop = False
        self._media_task = self._spawn(work)

    async def _stop_media(self) -> None:
        task = self._media_task
        if self._media_kind == "duplex" and (task is None or task.done()):
            # started with start_duplex(): no task of its own
            self._media_kind = ""
            await self._port.end_stream(b"\x10^")
            return
        if task is None or task.done():
            self._media_task = None
            self._media_kind = ""
            return
        self._media_stop = True
        if self._record_wake is not None:
            self._record_wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), 5.0)
        except TimeoutError:
            task.cancel()
            raise self._port.not_answering() from None
        except asyncio.CancelledError:
            if not task.cancelled():
                raise  # we are being cancelled ourselves
        finally:
            self._media_task = None

    def _load_prompt(self, path: str) -> bytes:
        try:
            # keyed by modification time too: a recording replaced while running is played
            key = (path, os.stat(path).st_mtime_ns, self.sample_format)
        except OSError as e:
            raise audio.ModemAudioError(f"cannot read prompt file {path}: {e.strerror}") from e
        if key not in self._prompt_cache:
            self._prompt_cache[key] = audio.encode(audio.read_wav(path), self.sample_format)
        return self._prompt_cache[key]

    async def _prompt_audio(self, names: Sequence[str], language: str) -> bytes:
        """The prompts' audio in the modem's format; files not yet converted are read in a
        thread, so a long music file does not stall the other lines."""
        return await asyncio.to_thread(self._prompt_audio_now, names, language)

    def _prompt_audio_now(self, names: Sequence[str], language: str) -> bytes:
        parts = []
        for name in names:
            path = audio.find_prompt(self._prompt_dirs, language, name)
            if path is None:
                log.warning("line %s: no prompt %s for %s", self._line, name, language)
                continue
            try:
                parts.append(self._load_prompt(path))
            except audio.ModemAudioError as e:
                log.warning("line %s: %s", self._line, e)
        return b"".join(parts)

    async def _play_prompt(self, action: PlayPrompt) -> None:
        self._barge_in = action.barge_in
        data = await self._prompt_audio(action.prompts, action.language)
        interrupted = True  # unless it plays to the end: the engine always hears how it ended
        try:
            interrupted = await self._stream_out(data, loop_forever=False) if data else False
        finally:
            self._media_kind = ""
            if not self._ending:
                self._send(PromptFinished(self._clock(), self._line, action.play_id, interrupted))

    async def _play_music(self) -> None:
        data = await self._prompt_audio(("hold",), "music")
        if data:
            await self._stream_out(data, loop_forever=True)
        self._media_kind = ""

    async def _stream_out(self, data: bytes, *, loop_forever: bool) -> bool:
        """Play `data` with AT+VTX, paced to real time a little ahead of the modem. True when
        stopped early (key with barge-in, StopMedia, hang-up)."""
        result, _ = await self._port.command("AT+VTX", expect_stream=True)
        if result.code is not ResultCode.CONNECT:
            raise ModemError(f"the modem of line {self._line} cannot play audio ({result.text})")
        loop = asyncio.get_running_loop()
        lead_bytes = int(0.1 * BYTES_PER_S)  # keep 100 ms queued: no underrun, quick barge-in
        started = loop.time()
        sent = 0
        offset = 0
        interrupted = False
        while True:
            if self._media_stop:
                interrupted = True
                break
            due = int((loop.time() - started) * BYTES_PER_S) + lead_bytes
            if sent < due:
                size = min(due - sent, len(data) - offset)
                self._port.write(audio.dle_shield(data[offset : offset + size]))
                sent += size
                offset += size
                if offset >= len(data):
                    if not loop_forever:
                        break
                    offset = 0
            await asyncio.sleep(FRAME_S)
        # DLE CAN drops what the modem still has queued, so a key stops the prompt at once
        ending = b"\x10\x18\x10\x03" if interrupted else b"\x10\x03"
        await self._port.end_stream(ending, timeout_s=3.0 + lead_bytes / BYTES_PER_S)
        return interrupted

    async def _record(self, action: RecordMessage) -> None:
        self._record_buffer = bytearray()
        self._record_end = ""
        self._record_wake = asyncio.Event()
        self._port.parser.audio_after_connect = True
        result, _ = await self._port.command("AT+VRX", expect_stream=True)
        if result.code is not ResultCode.CONNECT:
            self._media_kind = ""
            self._send(RecordingFinished(self._clock(), self._line, path="", duration_s=0.0))
            raise ModemError(f"the modem of line {self._line} cannot record ({result.text})")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._record_wake.wait(), action.max_s)
        if self._media_stop and not self._record_end:
            self._record_end = "stop"
        with contextlib.suppress(ModemNotAnswering):
            await self._port.end_stream(b"\x10!", timeout_s=2.0)
        self._media_kind = ""
        self._record_wake = None
        recorded = bytes(self._record_buffer)
        if self._record_end == "silence":
            # the modem reports silence after `silence_s` of it: keep the message, not the gap
            recorded = recorded[: max(0, len(recorded) - int(self._silence_s * BYTES_PER_S))]
        samples = audio.decode(recorded, self.sample_format)
        duration_s = len(samples) / audio.SAMPLE_RATE_HZ
        path = action.path
        try:
            if os.path.dirname(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
            audio.write_wav(path, samples)
        except OSError as e:
            log.error("line %s: cannot save the recording %s: %s", self._line, path, e)
            path = ""
        log.info("line %s: recorded %.1f s (%s)", self._line, duration_s, self._record_end or "max")
        self._send(RecordingFinished(self._clock(), self._line, path=path, duration_s=duration_s))

    def _stop_recording(self, why: str) -> None:
        if not self._record_end:
            self._record_end = why
        if self._record_wake is not None:
            self._record_wake.set()

    # -----------------------------------------------------------------------------------------
    # small things

    def _start_hard_cap(self) -> None:
        """The call is up: it ends at `max_call_s`, or earlier when the line goes quiet."""
        assert self._loop is not None
        self._quiet_watch.start(self._loop)
        if self._hard_cap_timer is not None:
            self._hard_cap_timer.cancel()
        self._hard_cap_timer = self._loop.call_later(
            self._max_call_s, lambda: self._far_end_gone(HangUpCause.HARD_CAP)
        )

    def _cancel_ring_timers(self) -> None:
        for timer in (self._ring_gap_timer, self._caller_id_timer):
            if timer is not None:
                timer.cancel()
        self._ring_gap_timer = self._caller_id_timer = None

    def _reset_call(self) -> None:
        self._cancel_ring_timers()
        self._admission.release()
        self._quiet_watch.stop()
        if self._hard_cap_timer is not None:
            self._hard_cap_timer.cancel()
            self._hard_cap_timer = None
        self._call = "idle"
        self._rings = 0
        self._ending = False
        self._caller_id = CallerIdCollector()
        self._caller_id_at = 0.0

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(self._guarded(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _guarded(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except ModemNotAnswering as e:
            self._port.fail(e)
        except ModemError as e:
            log.warning("line %s: %s", self._line, e)
        except Exception as e:
            self._crash(e)

    def _crash(self, error: Exception) -> None:
        """An unexpected exception is a bug: end run() with it (tests fail, systemd restarts)."""
        if self._port.fault is None or self._port.fault.done():
            raise error
        self._port.fail(error)

    def _send(self, event: LineEvent) -> None:
        self._emit(event)

    def _check_line(self, line: str) -> None:
        if line != self._line:
            raise ValueError(f"modem line {self._line} asked about line {line}")

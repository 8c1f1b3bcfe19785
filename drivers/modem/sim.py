"""A voice-modem simulator on a pseudo-terminal: speaks the USR5637, Conexant and generic V.253
dialects, with scripted callers (ring, caller ID, keys, speech, hang-up signals), unplugging and
a transcript. Demo mode and the tests drive the real modem driver against it; so does vgetty.
Standalone: `python -m drivers.modem.sim --link PATH --dialect conexant`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import heapq
import itertools
import logging
import math
import os
import queue
import select
import signal
import sys
import threading
import time
import tty
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

DLE, ETX, CAN = 0x10, 0x03, 0x18
BYTES_PER_S = 8000
FRAME_BYTES = 160  # 20 ms at 8 kHz, 8 bits a sample

DIALECTS = ("usr", "conexant", "generic")

_IDENTITY = {
    "usr": ("5601", "U.S. Robotics 56K FAX USB V1.2.23"),
    "conexant": ("56000", "CX93001-EIS_V0.2002-V92"),
    "generic": ("V253", "depotline simulated V.253 voice modem"),
}
_VSM_LISTS = {
    "usr": [
        '0,"SIGNED PCM",8,0,(8000),(0),(0)',
        '1,"UNSIGNED PCM",8,0,(8000),(0),(0)',
        '128,"8-BIT LINEAR",8,0,(7200,8000,11025),(0),(0)',
        '132,"4-BIT IMA ADPCM",4,0,(7200,8000,11025),(0),(0)',
    ],
    "conexant": [
        '0,"SIGNED PCM",8,0,(7200,8000,11025),(0),(0)',
        '1,"UNSIGNED PCM",8,0,(7200,8000,11025),(0),(0)',
        '4,"G711U",8,0,(8000),(0),(0)',
        '5,"G711A",8,0,(8000),(0),(0)',
        '140,"ADPCM",4,0,(8000),(0),(0)',
    ],
    "generic": [
        '1,"UNSIGNED PCM",8,0,(8000),(0),(0)',
        '4,"G.711U",8,0,(8000),(0),(0)',
        '5,"G.711A",8,0,(8000),(0),(0)',
    ],
}
# silence byte per V.253 compression id (0 signed, 1 unsigned, 4 µ-law, 5 A-law, 128 USR 8-bit)
_SILENCE = {0: 0x00, 1: 0x80, 4: 0xFF, 5: 0xD5, 128: 0x80}

HANG_UP_SIGNALS = {
    "busy_tone": "b",
    "dial_tone": "d",
    "loop_break": "l",
    "polarity_reversal": "L",
    "silence": "s",
    "quiet": "q",
    "none": "",  # the caller just leaves; the line says nothing (many analog lines)
}

DEFAULT_GARBAGE = b"\x00\xff\xfe\x10\x7fgarb\x81age\r\n+++\r\nNMBR=\xff\xfe12\x00\r\n\r\n"


@dataclass(order=True)
class _Scheduled:
    due: float
    seq: int
    action: Callable[[], None] = field(compare=False)


class ModemSimulator:
    """One simulated voice modem with one phone line behind it.

    The simulator owns the pty master in its own thread; the driver under test opens the slave
    (or the `link` symlink to it) with pyserial. Public methods are safe to call from any
    thread. `transcript` lists `> command` (host → modem), `< line` (modem → host) and
    `<…>` markers for DLE codes and audio streams.
    """

    def __init__(
        self,
        dialect: str = "usr",
        *,
        link: str | os.PathLike[str] | None = None,
        full_duplex: bool = False,
        ring_interval_s: float = 6.0,
        caller_id_before_ring: bool = False,
        playback_buffer_bytes: int = 4000,
        dial_delay_s: float = 0.3,
    ) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
        self.dialect = dialect
        self.link = os.fspath(link) if link is not None else None
        self.full_duplex = full_duplex
        self.ring_interval_s = ring_interval_s
        self.caller_id_before_ring = caller_id_before_ring
        self.playback_buffer_bytes = playback_buffer_bytes
        self.dial_delay_s = dial_delay_s

        self._lock = threading.Condition()
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._schedule: list[_Scheduled] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._running = False
        self._master: int | None = None
        self._slave_name = ""
        self._host_open = False

        # modem state (sim thread only, read under the lock by properties)
        self._transcript: list[str] = []
        self._echo = True
        self._mode = "command"  # command | vtx | vrx | vtr
        self._command = bytearray()
        self._pending_dle = False
        self._offhook = False
        self._caller_on_line = False
        self._ringing = False
        self._answering = True
        self._vsm_id = 128 if dialect == "usr" else 1
        self._vsd_s = 7.0
        self._heard = bytearray()
        self._playback_buffer = bytearray()
        self._playback_ending = False
        self._stream_start = 0.0
        self._stream_sent = 0
        self._stream_marked = False
        self._caller_audio = bytearray()
        self._last_voice = 0.0
        self._spoke = False
        self._silence_reported = False
        self._dial_result = "answer"
        self._call_token = 0
        self._busy_repeat = False
        self._rx_start = 0.0
        self._rx_started_at = 0.0
        self._rx_sent = 0

        self.offhook_times: list[float] = []  # time.monotonic() of each AT+VLS=1 / ATA
        self.playback_arrivals: list[tuple[float, int]] = []  # (monotonic, bytes) of AT+VTX data
        self.dialled: list[str] = []
        self.tones: list[str] = []  # AT+VTS arguments, in order
        self.host_closes = 0

    # -----------------------------------------------------------------------------------------
    # lifecycle

    def start(self) -> ModemSimulator:
        self._open_pty()
        self._running = True
        self._thread = threading.Thread(target=self._loop, name=f"modem-sim-{self.dialect}")
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self._running = False
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._close_pty()

    def __enter__(self) -> ModemSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def device(self) -> str:
        """The path a driver opens: the symlink if one was asked for, else the pty slave."""
        return self.link or self._slave_name

    # -----------------------------------------------------------------------------------------
    # what a test observes

    @property
    def transcript(self) -> list[str]:
        with self._lock:
            return list(self._transcript)

    @property
    def heard(self) -> bytes:
        """The audio the caller heard (host playback as played out, in the modem's format)."""
        with self._lock:
            return bytes(self._heard)

    @property
    def offhook(self) -> bool:
        with self._lock:
            return self._offhook

    @property
    def ringing(self) -> bool:
        with self._lock:
            return self._ringing

    @property
    def sample_format_id(self) -> int:
        with self._lock:
            return self._vsm_id

    @property
    def heard_s(self) -> float:
        """Seconds of host playback the caller has heard so far."""
        with self._lock:
            return len(self._heard) / BYTES_PER_S

    @property
    def caller_audio_sent_s(self) -> float:
        """Seconds of caller audio sent to the host in the current receive stream."""
        with self._lock:
            return self._rx_sent / BYTES_PER_S

    def clear_heard(self) -> None:
        self._run_in_thread(self._heard.clear, wait=True)

    def wait_for(self, predicate: Callable[[], bool], timeout_s: float = 5.0) -> bool:
        """Wait until `predicate()` is true (checked whenever the simulator's state changes)."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(min(remaining, 0.05))
            return True

    def wait_for_line(self, entry: str, timeout_s: float = 5.0) -> bool:
        """Wait until the transcript holds `entry` (e.g. "> AT+VLS=1")."""
        return self.wait_for(lambda: entry in self._transcript, timeout_s)

    # -----------------------------------------------------------------------------------------
    # scripted callers and faults

    def incoming_call(
        self,
        number: str = "",
        name: str = "",
        *,
        withheld: str = "",
        caller_id_lines: Iterable[bytes] | None = None,
        rings: int = 20,
        date: str = "1123",
        hhmm: str = "0930",
    ) -> None:
        """A caller rings. Caller ID is sent as this dialect formats it (US: between the first
        and second RING; UK, `caller_id_before_ring`: before the first), or `caller_id_lines`
        verbatim (garbage, missing fields). No number, name or withheld reason: no caller ID."""
        lines = list(caller_id_lines) if caller_id_lines is not None else None
        if lines is None and (number or name or withheld):
            lines = self._caller_id_block(number, name, withheld, date, hhmm)
        self._run_in_thread(lambda: self._start_ringing(lines or [], rings))

    def call_waiting(self, number: str, name: str = "") -> None:
        """A second caller rings during a call: the exchange sends caller ID off-hook (no RING)."""

        def send() -> None:
            self._send_caller_id(
                self._caller_id_block(number, name, "", "1123", "0931"), self._call_token
            )

        self._run_in_thread(send)

    def press(self, digits: str, gap_s: float = 0.15) -> None:
        """The caller presses keys (sent as DLE events, Conexant-framed on that dialect)."""

        def schedule() -> None:
            for i, digit in enumerate(digits):
                self._after(i * gap_s, functools.partial(self._send_dtmf, digit))

        self._run_in_thread(schedule)

    def speak(self, seconds: float, frequency_hz: float = 400.0) -> None:
        """The caller talks (a tone stands for speech) — heard by AT+VRX / AT+VTR."""
        self._run_in_thread(lambda: self._caller_audio.extend(self._tone(seconds, frequency_hz)))

    def stay_silent(self) -> None:
        """The caller stops talking (what is not yet said is dropped): the line is quiet, so a
        recording ends on the modem's silence report."""
        self._run_in_thread(self._caller_audio.clear, wait=True)

    def hang_up(self, cause: str = "loop_break") -> None:
        """The caller goes. `cause` picks what the line signals: busy_tone, dial_tone,
        loop_break, polarity_reversal, silence, quiet or none — a caller gone without a trace:
        no signal, not even the silence report, only the modem's silence code in a receive
        stream (many analog lines)."""
        if cause not in HANG_UP_SIGNALS:
            raise ValueError(f"unknown hang-up cause {cause!r}")
        self._run_in_thread(lambda: self._caller_leaves(cause))

    def set_dial_result(self, result: str) -> None:
        """What the next ATD meets: answer, busy, no_answer or no_dialtone."""
        if result not in ("answer", "busy", "no_answer", "no_dialtone"):
            raise ValueError(f"unknown dial result {result!r}")

        def set_result() -> None:
            self._dial_result = result

        self._run_in_thread(set_result, wait=True)

    def unplug(self) -> None:
        """The USB modem is pulled out: the port disappears."""
        self._run_in_thread(self._unplug, wait=True)

    def replug(self) -> None:
        """The modem is plugged back in (a new tty, same symlink)."""
        self._run_in_thread(self._replug, wait=True)

    def stop_answering(self) -> None:
        """The modem firmware hangs: it reads commands and answers nothing."""
        self._run_in_thread(lambda: setattr(self, "_answering", False), wait=True)

    def resume_answering(self) -> None:
        self._run_in_thread(lambda: setattr(self, "_answering", True), wait=True)

    def inject_garbage(self, data: bytes = DEFAULT_GARBAGE) -> None:
        """Line noise or a confused firmware: bytes that mean nothing."""
        self._run_in_thread(lambda: self._write(data, "< <garbage>"))

    # -----------------------------------------------------------------------------------------
    # the simulator thread

    def _run_in_thread(self, action: Callable[[], None], wait: bool = False) -> None:
        if threading.current_thread() is self._thread:
            action()
            return
        done = threading.Event()

        def run() -> None:
            try:
                action()
            finally:
                done.set()

        self._calls.put(run)
        if wait:
            done.wait(5)

    def _after(self, delay_s: float, action: Callable[[], None]) -> None:
        heapq.heappush(
            self._schedule, _Scheduled(time.monotonic() + delay_s, next(self._seq), action)
        )

    def _loop(self) -> None:
        while self._running:
            with self._lock:
                while not self._calls.empty():
                    self._calls.get()()
                now = time.monotonic()
                while self._schedule and self._schedule[0].due <= now:
                    heapq.heappop(self._schedule).action()
                self._tick(now)
                self._lock.notify_all()
            self._read_host(0.004)

    def _read_host(self, timeout_s: float) -> None:
        fd = self._master
        if fd is None:
            time.sleep(timeout_s)
            return
        want = 4096
        if self._mode in ("vtx", "vtr"):
            # a modem's buffer fills: stop reading so the host feels back-pressure
            want = max(0, self.playback_buffer_bytes - len(self._playback_buffer))
            if want == 0:
                time.sleep(timeout_s)
                return
        try:
            ready, _, _ = select.select([fd], [], [], timeout_s)
            if not ready:
                return
            data = os.read(fd, want)
        except OSError:
            # EIO: no process has the slave open (the host closed the port) — on-hook
            with self._lock:
                if self._host_open:
                    self._host_open = False
                    self._host_closed()
            time.sleep(0.02)  # nobody there: look again soon, without spinning
            return
        if not data:
            return
        with self._lock:
            self._host_open = True
            self._from_host(data)
            self._lock.notify_all()

    def _tick(self, now: float) -> None:
        if self._mode in ("vtx", "vtr"):
            if self._playback_buffer:
                due = int((now - self._stream_start) * BYTES_PER_S) - self._stream_sent
                if due > 0:
                    played = self._playback_buffer[:due]
                    del self._playback_buffer[:due]
                    self._heard += played
                    self._stream_sent += len(played)
            if not self._playback_buffer and self._mode == "vtx" and self._playback_ending:
                self._playback_ending = False
                self._mode = "command"
                self._respond("OK")
        if self._mode in ("vrx", "vtr"):
            self._send_caller_audio(now)

    def _send_caller_audio(self, now: float) -> None:
        due = int((now - self._rx_start) * BYTES_PER_S) - self._rx_sent
        if due < FRAME_BYTES:
            return
        chunk = bytes(self._caller_audio[:due])
        del self._caller_audio[:due]
        if chunk:
            self._spoke = True
            self._last_voice = now
            self._silence_reported = False
        chunk += bytes([_SILENCE.get(self._vsm_id, 0x80)]) * (due - len(chunk))
        self._rx_sent += due
        if not self._stream_marked:
            self._stream_marked = True
            self._transcript.append("< <audio>")
        self._write(chunk.replace(b"\x10", b"\x10\x10"), None)
        if self._mode == "vrx" and not self._silence_reported and self._caller_on_line:
            quiet_since = self._last_voice if self._spoke else self._rx_started_at
            if now - quiet_since >= self._vsd_s:
                self._silence_reported = True
                self._send_dle("q" if self._spoke else "s")

    # -----------------------------------------------------------------------------------------
    # host → modem

    def _from_host(self, data: bytes) -> None:
        if not self._answering:
            for line in data.split(b"\r"):
                text = line.strip().decode("latin-1")
                if text.upper().startswith("AT"):
                    self._transcript.append(f"> {text}")
            return
        if self._mode in ("vtx", "vtr"):
            self.playback_arrivals.append((time.monotonic(), len(data)))
        for byte in data:
            if self._mode == "command":
                self._command_byte(byte)
            else:
                self._stream_byte(byte)

    def _command_byte(self, byte: int) -> None:
        if byte == 0x0D:
            text = self._command.decode("latin-1").strip()
            self._command.clear()
            if self._echo:
                self._write(text.encode("latin-1") + b"\r\n", None)
            if text:
                self._transcript.append(f"> {text}")
                self._command_line(text)
        elif 0x20 <= byte < 0x7F and len(self._command) < 256:
            self._command.append(byte)
        # other bytes in command state (stray DLE codes after a stream, LF) mean nothing

    def _stream_byte(self, byte: int) -> None:
        if self._pending_dle:
            self._pending_dle = False
            if byte == DLE:
                self._stream_audio(b"\x10")
            elif byte == ETX:
                self._transcript.append("> <DLE ETX>")
                if self._mode != "vtx":
                    self._end_receive()
                elif self._playback_buffer:
                    self._playback_ending = True  # OK once what is buffered has played
                else:
                    self._mode = "command"
                    self._respond("OK")
            elif byte == CAN:
                self._transcript.append("> <DLE CAN>")
                self._playback_buffer.clear()
            elif byte in (ord("!"), ord("^")):
                self._transcript.append(f"> <DLE {chr(byte)}>")
                if self._mode in ("vrx", "vtr"):
                    self._end_receive()
            return
        if byte == DLE:
            self._pending_dle = True
        elif self._mode in ("vtx", "vtr"):
            self._stream_audio(bytes([byte]))

    def _stream_audio(self, data: bytes) -> None:
        if not self._stream_marked and self._mode == "vtx":
            self._stream_marked = True
            self._transcript.append("> <audio>")
        if not self._playback_buffer:
            self._stream_start = time.monotonic()
            self._stream_sent = 0
        self._playback_buffer += data

    def _end_receive(self) -> None:
        self._playback_buffer.clear()
        self._write(bytes([DLE, ETX]), "< <DLE ETX>")
        self._mode = "command"
        self._respond("OK")

    def _command_line(self, text: str) -> None:
        upper = text.upper()
        if not upper.startswith("AT"):
            self._respond("ERROR")
            return
        body = text[2:]
        results: list[str] = []
        for part in self._split_command(body):
            outcome = self._command_part(part)
            if outcome is None:  # the command answers by itself (streams, dialling, tones)
                return
            results += outcome
            if outcome and outcome[-1] == "ERROR":
                break
        final = results[-1] if results and results[-1] in ("OK", "ERROR") else "OK"
        for line in results:
            if line not in ("OK", "ERROR"):
                self._respond(line)
        self._respond(final)

    @staticmethod
    def _split_command(body: str) -> list[str]:
        parts: list[str] = []
        for chunk in body.split(";"):
            chunk = chunk.strip()
            if chunk.startswith(("+", "-", "!", "#")):
                parts.append(chunk)
                continue
            # basic commands run together: "E0V1", "Z", "I3", "H0", "DT123"
            i = 0
            while i < len(chunk):
                letter = chunk[i].upper()
                if letter == "D":
                    parts.append(chunk[i:])
                    break
                if letter in "+-":
                    parts.append(chunk[i:])
                    break
                j = i + 1
                if letter == "&" or letter == "S":
                    j += 1
                while j < len(chunk) and (chunk[j].isdigit() or chunk[j] in "=?"):
                    j += 1
                parts.append(chunk[i:j])
                i = j
        return [p for p in parts if p] or [""]

    def _command_part(self, part: str) -> list[str] | None:
        upper = part.upper()
        if upper in ("", "Q0", "V1", "L0", "L1", "L2", "M0", "M1", "&F", "&C1", "&D2", "X4"):
            return ["OK"]
        if upper.startswith("S"):
            return ["OK"]
        if upper == "Z" or upper == "Z0":
            self._reset()
            return ["OK"]
        if upper in ("E0", "E1", "E"):
            self._echo = upper == "E1"
            return ["OK"]
        if upper in ("I", "I0"):
            return [_IDENTITY[self.dialect][0], "OK"]
        if upper.startswith("I"):
            return [_IDENTITY[self.dialect][1], "OK"]
        if upper in ("H", "H0"):
            self._on_hook()
            return ["OK"]
        if upper == "A":
            self._off_hook()
            return ["VCON" if self.dialect == "usr" else "OK"]
        if upper.startswith("D"):
            self._dial(part[1:])
            return None
        if upper.startswith(("-SCID", "-STE", "!4886")):
            return ["OK" if self.dialect == "conexant" else "ERROR"]
        if upper.startswith("+FCLASS"):
            if upper == "+FCLASS=?":
                return ["0,1,8", "OK"]
            if upper == "+FCLASS?":
                return ["8", "OK"]
            return ["OK" if upper in ("+FCLASS=0", "+FCLASS=1", "+FCLASS=8") else "ERROR"]
        if upper.startswith("+VSM"):
            if upper == "+VSM=?":
                return [*_VSM_LISTS[self.dialect], "OK"]
            if upper == "+VSM?":
                return [f"{self._vsm_id},8000,0,0", "OK"]
            try:
                vsm_id = int(upper[5:].split(",")[0])
            except ValueError:
                return ["ERROR"]
            known = {int(entry.split(",")[0]) for entry in _VSM_LISTS[self.dialect]}
            if vsm_id not in known:
                return ["ERROR"]
            self._vsm_id = vsm_id
            return ["OK"]
        if upper.startswith("+VSD="):
            with contextlib.suppress(ValueError, IndexError):
                self._vsd_s = int(upper[5:].split(",")[1]) / 10
            return ["OK"]
        if upper.startswith("+VLS"):
            if upper == "+VLS=1":
                self._off_hook()
            elif upper == "+VLS=0":
                self._on_hook()
            elif upper == "+VLS=?":
                return ["0,1", "OK"]
            return ["OK"]
        if upper.startswith("+VTR"):
            if not self.full_duplex:
                return ["ERROR"]
            if upper == "+VTR=?":
                return ["OK"]
            self._start_stream("vtr")
            return None
        if upper == "+VTX":
            if not self._offhook:
                return ["ERROR"]
            self._start_stream("vtx")
            return None
        if upper == "+VRX":
            if not self._offhook:
                return ["ERROR"]
            self._start_stream("vrx")
            return None
        if upper.startswith("+VTS="):
            self._play_tones(part[5:])
            return None
        # every other extended command (+VCID, +VIT, +VGT, +IFC, +GCI, …) is accepted
        return ["OK"]

    # -----------------------------------------------------------------------------------------
    # line behaviour

    def _reset(self) -> None:
        self._echo = True
        self._mode = "command"
        self._playback_buffer.clear()
        self._on_hook()

    def _off_hook(self) -> None:
        if not self._offhook:
            self.offhook_times.append(time.monotonic())
        self._offhook = True
        if self._ringing:
            self._ringing = False
            self._call_token += 1
            self._caller_on_line = True

    def _on_hook(self) -> None:
        self._offhook = False
        self._caller_on_line = False
        self._busy_repeat = False
        self._mode = "command"

    def _host_closed(self) -> None:
        self.host_closes += 1
        self._transcript.append("= host closed the port")
        self._reset()

    def _start_stream(self, mode: str) -> None:
        self._mode = mode
        self._stream_marked = False
        self._stream_start = 0.0
        self._stream_sent = 0
        self._playback_ending = False
        self._pending_dle = False
        now = time.monotonic()
        self._rx_start = now
        self._rx_started_at = now
        self._rx_sent = 0
        self._spoke = False
        self._silence_reported = False
        self.playback_arrivals = []
        self._respond("CONNECT")

    def _start_ringing(self, caller_id: list[bytes], rings: int) -> None:
        self._ringing = True
        self._call_token += 1
        token = self._call_token
        first_ring_s = 0.0
        if caller_id and self.caller_id_before_ring:
            self._send_caller_id(caller_id, token)
            first_ring_s = 0.4
        for n in range(rings):
            self._after(first_ring_s + n * self.ring_interval_s, lambda: self._ring(token))
        if caller_id and not self.caller_id_before_ring:
            self._after(
                first_ring_s + min(0.5, self.ring_interval_s / 3),
                lambda: self._send_caller_id(caller_id, token),
            )
        self._after(first_ring_s + rings * self.ring_interval_s, lambda: self._give_up(token))

    def _ring(self, token: int) -> None:
        if self._ringing and token == self._call_token:
            self._respond("RING")

    def _give_up(self, token: int) -> None:
        if self._ringing and token == self._call_token:
            self._ringing = False
            self._transcript.append("= caller gave up ringing")

    def _send_caller_id(self, lines: list[bytes], token: int) -> None:
        if token != self._call_token:
            return
        self._write(b"\r\n", None)
        for line in lines:
            self._write(line + b"\r\n", "< " + line.decode("latin-1"))

    def _caller_id_block(
        self, number: str, name: str, withheld: str, date: str, hhmm: str
    ) -> list[bytes]:
        sep = " = " if self.dialect == "conexant" else "="
        shown = {"private": "P", "unavailable": "O"}.get(withheld, number)
        fields = [("DATE", date), ("TIME", hhmm), ("NMBR", shown)]
        if name:
            fields.append(("NAME", name))
        return [f"{key}{sep}{value}".encode() for key, value in fields]

    def _send_dtmf(self, digit: str) -> None:
        if not self._offhook:
            return
        if self.dialect == "conexant":
            frame = b"\x10/" + (b"\x10" + digit.encode()) * 3 + b"\x10~"
            self._write(frame, f"< <DTMF {digit}>")
        else:
            self._write(b"\x10" + digit.encode(), f"< <DTMF {digit}>")

    def _send_dle(self, letter: str) -> None:
        self._write(b"\x10" + letter.encode(), f"< <DLE {letter}>")

    def _caller_leaves(self, cause: str) -> None:
        if self._ringing:
            self._ringing = False
            self._transcript.append("= caller gave up ringing")
            return
        if not self._caller_on_line:
            return
        self._caller_on_line = False
        self._caller_audio.clear()
        letter = HANG_UP_SIGNALS[cause]
        if not letter:
            return
        self._send_dle(letter)
        if cause == "busy_tone":
            # the exchange keeps sending busy tone until the line goes on-hook
            self._busy_repeat = True
            self._after(1.0, self._repeat_busy)

    def _repeat_busy(self) -> None:
        if self._busy_repeat and self._offhook and self._answering:
            self._write(b"\x10b", None)
            self._after(1.0, self._repeat_busy)

    def _dial(self, target: str) -> None:
        number = target.lstrip("TtPp").rstrip(";")
        self.dialled.append(number)
        result = self._dial_result
        self._dial_result = "answer"
        self._offhook = True
        self.offhook_times.append(time.monotonic())

        def outcome() -> None:
            if result == "answer":
                self._caller_on_line = True
                self._respond("VCON" if self.dialect == "usr" else "OK")
                return
            self._on_hook()
            self._respond(
                {
                    "busy": "BUSY",
                    "no_answer": "NO ANSWER" if self.dialect == "usr" else "NO CARRIER",
                    "no_dialtone": "NO DIALTONE" if self.dialect != "conexant" else "NO DIAL TONE",
                }[result]
            )

        self._after(self.dial_delay_s, outcome)

    def _play_tones(self, spec: str) -> None:
        self.tones.append(spec)
        total_s = 0.0
        for element in self._tone_elements(spec):
            if element.startswith("["):
                values = element.strip("[]").split(",")
                with contextlib.suppress(ValueError, IndexError):
                    total_s += int(values[2] or "0") / 100 if len(values) > 2 else 0.1
            else:
                total_s += 0.1
        self._after(total_s, lambda: self._respond("OK"))

    @staticmethod
    def _tone_elements(spec: str) -> list[str]:
        elements: list[str] = []
        depth, current = 0, ""
        for ch in spec:
            if ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
            if ch == "," and depth == 0:
                elements.append(current)
                current = ""
            else:
                current += ch
        if current:
            elements.append(current)
        return elements

    def _tone(self, seconds: float, frequency_hz: float) -> bytes:
        from drivers.modem import audio

        fmt = {
            0: audio.SampleFormat.SIGNED_LINEAR,
            4: audio.SampleFormat.ULAW,
            5: audio.SampleFormat.ALAW,
        }.get(self._vsm_id, audio.SampleFormat.UNSIGNED_LINEAR)
        count = int(seconds * BYTES_PER_S)
        samples = [
            int(12000 * math.sin(2 * math.pi * frequency_hz * i / BYTES_PER_S))
            for i in range(count)
        ]
        return audio.encode(samples, fmt)

    # -----------------------------------------------------------------------------------------
    # the pty

    def _respond(self, line: str) -> None:
        if not self._answering:
            return
        self._write(b"\r\n" + line.encode("latin-1") + b"\r\n", f"< {line}")

    def _write(self, data: bytes, entry: str | None) -> None:
        if entry is not None:
            self._transcript.append(entry)
        fd = self._master
        if fd is None:
            return
        try:
            os.write(fd, data)
        except OSError as e:
            log.debug("simulated modem could not write to the host: %s", e)

    def _open_pty(self) -> None:
        master, slave = os.openpty()
        # raw before anyone opens it: no echo, no CR/LF translation in the line discipline
        tty.setraw(slave)
        self._slave_name = os.ttyname(slave)
        os.close(slave)
        os.set_blocking(master, False)
        self._master = master
        self._host_open = False
        if self.link:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.link)
            os.symlink(self._slave_name, self.link)

    def _close_pty(self) -> None:
        if self.link:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.link)
        if self._master is not None:
            os.close(self._master)
            self._master = None

    def _unplug(self) -> None:
        self._transcript.append("= unplugged")
        self._close_pty()
        self._reset()
        self._ringing = False

    def _replug(self) -> None:
        self._transcript.append("= plugged in")
        self._reset()
        self._answering = True
        self._open_pty()


# ---------------------------------------------------------------------------------------------
# a caller for demo mode


async def scripted_call(
    sim: ModemSimulator,
    number: str,
    name: str = "",
    *,
    keys: str = "1",
    listen_s: float = 2.0,
    stay_s: float = 20.0,
    cause: str = "loop_break",
    answer_timeout_s: float = 60.0,
) -> bool:
    """One demo caller on a simulated modem: rings, listens to `listen_s` seconds of what the
    box plays, presses `keys`, stays `stay_s` seconds (a caller's patience), then hangs up with
    `cause` unless the box hung up first. False if the box never answered."""
    start_heard_s = sim.heard_s
    sim.incoming_call(number, name)
    if not await asyncio.to_thread(sim.wait_for, lambda: sim.offhook, answer_timeout_s):
        return False
    await asyncio.to_thread(
        sim.wait_for, lambda: sim.heard_s - start_heard_s >= listen_s, listen_s + 10.0
    )
    if keys and sim.offhook:
        sim.press(keys)
    await asyncio.to_thread(sim.wait_for, lambda: not sim.offhook, stay_s)
    if sim.offhook:
        sim.hang_up(cause)
    return True


# ---------------------------------------------------------------------------------------------
# standalone


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--link", required=True, help="symlink to create for the pty slave")
    parser.add_argument("--dialect", choices=DIALECTS, default="usr")
    parser.add_argument("--full-duplex", action="store_true")
    parser.add_argument("--uk", action="store_true", help="caller ID before the first RING")
    parser.add_argument("--ring-interval-s", type=float, default=6.0)
    parser.add_argument(
        "--call-every-s", type=float, default=0.0, help="place a scripted call this often"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    sim = ModemSimulator(
        args.dialect,
        link=args.link,
        full_duplex=args.full_duplex,
        caller_id_before_ring=args.uk,
        ring_interval_s=args.ring_interval_s,
    ).start()
    print(f"simulated {args.dialect} modem on {sim.device}", flush=True)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    calls = 0
    shown = 0
    while not stopping.wait(args.call_every_s or 0.5):
        if args.call_every_s:
            calls += 1
            sim.incoming_call(f"0151555{calls:04d}", f"CALLER {calls}", rings=6)
        lines = sim.transcript
        for line in lines[shown:]:
            print(line, flush=True)
        shown = len(lines)
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

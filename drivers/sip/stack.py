"""The SIP stack of the box: one pjsua2 endpoint on its own thread carrying the SIP lines
(gateways, trunks), the SIP positions (agents' phones) and the conference bridge between them.
Everything here below `SipStack`'s public coroutines runs on the pjsua thread."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    CallerId,
    Clock,
    Connect,
    DialFailed,
    DialOut,
    DigitPressed,
    Disconnect,
    HangUpCause,
    HangUpLine,
    HangUpPosition,
    HoldCaller,
    JoinSupervisor,
    LineAction,
    LineAnswered,
    LineAudio,
    LineEvent,
    LineEventSink,
    LineFaulted,
    LineInService,
    MediaAction,
    MuteCaller,
    PlayMusic,
    PlayPrompt,
    PlayTone,
    PositionAction,
    PositionAnswered,
    PositionDigitPressed,
    PositionEvent,
    PositionEventSink,
    PositionFaulted,
    PositionHungUp,
    PositionInService,
    PositionRejected,
    PromptFinished,
    RecordingFinished,
    RecordMessage,
    RefuseCall,
    RingPosition,
    SendDigits,
    StartRecording,
    StopMedia,
    StopRecording,
    StopRinging,
    Tone,
)
from drivers.sip.conference import Conference
from drivers.sip.errors import SipError
from drivers.sip.headers import caller_id_from_request, line_caller_id, split_host_port, split_uri
from drivers.sip.keepalive import OptionsPinger
from drivers.sip.mixing import (
    MixPlan,
    Supervision,
    Talk,
    line_player_port,
    line_port,
    position_player_port,
    recorder_port,
)
from drivers.sip.peer_health import PeerHealth
from drivers.sip.prompt_audio import PromptAudio
from drivers.sip.settings import PositionMode, SipGateway, SipPosition
from drivers.sip.worker import PjsuaWorker

log = logging.getLogger(__name__)

# (freq1 Hz, freq2 Hz, on ms, off ms) and whether the pattern repeats
TONES: dict[Tone, tuple[list[tuple[int, int, int, int]], bool]] = {
    Tone.BUSY: ([(480, 620, 500, 500)], True),
    Tone.RINGBACK: ([(440, 480, 2000, 4000)], True),
    Tone.ZIP: ([(440, 0, 100, 50), (440, 0, 100, 0)], False),
    Tone.BEEP: ([(1000, 0, 400, 0)], False),
}
ZIP_SECONDS = 0.4
SHUTDOWN_GRACE_S = 2.0


@dataclass
class _LineSlot:
    line: str
    gateway: SipGateway
    leg: Any = None  # backend.Leg
    outbound: bool = False
    player: Any = None  # Player or ToneGenerator feeding the caller
    player_serial: int = 0  # tells a finished player from its successor
    prompt_id: int | None = None  # the PlayPrompt the player is playing
    barge_in: bool = False
    recorder: Any = None  # StartRecording
    message: Any = None  # RecordMessage recorder
    message_path: str = ""
    message_started_s: float = 0.0


@dataclass
class _PositionSlot:
    spec: SipPosition
    leg: Any = None
    zip: Any = None
    zip_serial: int = 0
    ringing: bool = False
    headset: bool = False  # the box's sound device, not a SIP phone
    health: PeerHealth = field(default_factory=PeerHealth)


@dataclass
class _ModemLine:
    audio: LineAudio
    port: Any = None
    music: Any = None  # hold music from the bridge while the modem's caller is held


@dataclass
class _Pending:
    line_events: list[LineEvent] = field(default_factory=list)
    position_events: list[PositionEvent] = field(default_factory=list)


class SipStack:
    """Owns pjsua2. `SipLines`, `SipPositions` and `SipMediaBridge` are its faces to the shell;
    the stack runs while any of their `run` coroutines runs."""

    def __init__(
        self,
        *,
        listen: str = "0.0.0.0",
        port: int = 5060,
        rtp_port: int = 10000,
        gateways: Sequence[SipGateway] = (),
        positions: Sequence[SipPosition] = (),
        prompt_dirs: Sequence[str] = (),
        music_file: str = "",
        prompt_cache_dir: str = "",
        sound_device: str = "",
        headset_position: str = "",
        line_audio: Mapping[str, LineAudio] | None = None,
        clock: Clock = time.time,
        wire_logging: bool = False,
    ) -> None:
        self.listen = listen
        self.port = port
        self.rtp_port = rtp_port
        self.gateways = tuple(gateways)
        self.positions = tuple(positions)
        # The depot's own recordings first, then the generated set: the first file found wins.
        self.prompt_dirs = tuple(prompt_dirs)
        self.music_file = music_file or self._first_file(os.path.join("music", "hold.wav"))
        self._prompt_audio = PromptAudio(prompt_cache_dir)
        self.sound_device = sound_device
        # The box's own USB headset as a position: always "dialled in", rung by a zip tone.
        self.headset_position = headset_position
        self.clock = clock
        self.wire_logging = wire_logging
        self._lines = {
            line: _LineSlot(line, gateway) for gateway in self.gateways for line in gateway.line_ids
        }
        if len(self._lines) != sum(g.channels for g in self.gateways):
            raise SipError("two SIP gateways give the same line id: give each gateway its own id")
        self._positions = {
            p.id: _PositionSlot(p, health=PeerHealth(p.options_misses_before_fault))
            for p in self.positions
        }
        if headset_position:
            if headset_position in self._positions:
                raise SipError(f"position {headset_position} is both a SIP phone and the headset")
            headset = SipPosition(headset_position, uri="", mode=PositionMode.PERSISTENT)
            self._positions[headset_position] = _PositionSlot(headset, headset=True)
        self._headset_media: tuple[Any, Any] | None = None  # (microphone, earpiece)
        self._health = {g.id: PeerHealth(g.options_misses_before_fault) for g in self.gateways}
        self._registrar_silent: set[str] = set()  # trunks lost because OPTIONS went unanswered
        self._accounts: dict[str, Any] = {}  # gateway id → its pjsua2 Account
        self._modem_lines = {line: _ModemLine(audio) for line, audio in (line_audio or {}).items()}
        self._plan = MixPlan()
        self._conference = Conference(self._source)
        self._player_serial = 0
        self._resolved: dict[str, set[str]] = {}
        self._stopping = False
        self._legs: dict[int, Any] = {}  # pjsua call id → Leg, until DISCONNECTED
        self._library: Any = None
        self._local_account: Any = None
        self._worker = PjsuaWorker(
            self._start_library, self._poll, self._stop_library, self._worker_exited
        )
        self._failed: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._line_sink: LineEventSink | None = None
        self._position_sink: PositionEventSink | None = None
        self._pending = _Pending()
        self._users = 0
        self._start_lock = asyncio.Lock()
        self._pinger: OptionsPinger | None = None
        self._keepalive_tasks: list[asyncio.Task[None]] = []
        self._warm_up: asyncio.Task[None] | None = None

    # -- life cycle (event loop side) ---------------------------------------------------------

    @property
    def line_ids(self) -> tuple[str, ...]:
        return tuple(self._lines)

    @property
    def position_ids(self) -> tuple[str, ...]:
        return tuple(self._positions)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Start the library on first use; stop it when the last user leaves."""
        async with self._start_lock:
            if self._users == 0:
                self._loop = asyncio.get_running_loop()
                self._failed = self._loop.create_future()
                await asyncio.to_thread(self._worker.start)
                await self._start_keepalive()
                self._warm_up = asyncio.create_task(self._warm_prompts())
            self._users += 1
        try:
            yield
        finally:
            async with self._start_lock:
                self._users -= 1
                if self._users == 0:
                    if self._warm_up is not None:
                        self._warm_up.cancel()
                        await asyncio.gather(self._warm_up, return_exceptions=True)
                    await self._stop_keepalive()
                    await asyncio.to_thread(self._worker.stop)

    async def _warm_prompts(self) -> None:
        """Convert the prompt set in the background, so the first caller's greeting starts at
        once (a Pi takes a noticeable moment to convert a long music file)."""
        count = await asyncio.to_thread(self._prompt_audio.warm, self.prompt_dirs)
        log.info("%d prompts ready for the bridge", count)

    async def _start_keepalive(self) -> None:
        """OPTIONS to the gateways, trunk registrars and ring-mode phones that are watched."""
        gateways = [g for g in self.gateways if g.keepalive_s > 0]
        phones = [
            p for p in self.positions if p.mode is PositionMode.RING and p.options_interval_s > 0
        ]
        if not gateways and not phones:
            return
        host = self.listen if self.listen not in ("", "0.0.0.0") else "0.0.0.0"
        by_name = {f"gw:{g.id}": g for g in gateways}

        def answered(name: str) -> None:
            gateway = by_name.get(name)
            if gateway is not None:
                self._worker.post(lambda: self._options_answered(gateway))
            else:
                self._worker.post(lambda: self._phone_answered(name.removeprefix("pos:")))

        try:
            self._pinger = await OptionsPinger.open(host, answered)
        except OSError as error:
            raise SipError(
                f"cannot open the gateway keep-alive socket on {host}: {error}"
            ) from error
        self._keepalive_tasks = [asyncio.create_task(self._keep_alive(g)) for g in gateways]
        self._keepalive_tasks += [asyncio.create_task(self._watch_phone(p)) for p in phones]

    async def _stop_keepalive(self) -> None:
        for task in self._keepalive_tasks:
            task.cancel()
        await asyncio.gather(*self._keepalive_tasks, return_exceptions=True)
        self._keepalive_tasks = []
        if self._pinger is not None:
            self._pinger.close()
            self._pinger = None

    async def _keep_alive(self, gateway: SipGateway) -> None:
        """OPTIONS to a gateway or a trunk's registrar every interval; no answer in time counts
        as a miss."""
        assert self._pinger is not None
        host, port = gateway.keepalive_address
        while True:
            self._worker.post(lambda: self._options_sent(gateway))
            self._pinger.ping(f"gw:{gateway.id}", host, port)
            await asyncio.sleep(gateway.options_timeout_s)
            self._worker.post(lambda: self._options_deadline(gateway))
            await asyncio.sleep(max(0.0, gateway.keepalive_s - gateway.options_timeout_s))

    async def _watch_phone(self, phone: SipPosition) -> None:
        """OPTIONS to a ring-mode phone: it is offered calls only while it answers."""
        assert self._pinger is not None
        _, host, port = split_uri(phone.uri)
        while True:
            self._worker.post(lambda: self._phone_asked(phone.id))
            self._pinger.ping(f"pos:{phone.id}", host, port or 5060)
            await asyncio.sleep(phone.options_timeout_s)
            self._worker.post(lambda: self._phone_deadline(phone))
            await asyncio.sleep(max(0.0, phone.options_interval_s - phone.options_timeout_s))

    async def until_failed(self) -> None:
        """Wait while the stack runs; raise SipError if its thread dies under the shell."""
        assert self._failed is not None
        await asyncio.shield(self._failed)

    def _worker_exited(self, failure: BaseException | None) -> None:
        """On the pjsua thread, as it ends: an unexpected end fails the drivers' run()."""
        if failure is None or self._loop is None:
            return

        def fail() -> None:
            if self._failed is not None and not self._failed.done():
                self._failed.set_exception(
                    SipError(f"the SIP stack stopped after an internal error: {failure}")
                )

        self._loop.call_soon_threadsafe(fail)

    def attach_lines(self, sink: LineEventSink | None) -> None:
        self._line_sink = sink
        if sink is not None:
            pending, self._pending.line_events = self._pending.line_events, []
            for event in pending:
                sink(event)

    def attach_positions(self, sink: PositionEventSink | None) -> None:
        self._position_sink = sink
        if sink is not None:
            pending, self._pending.position_events = self._pending.position_events, []
            for event in pending:
                sink(event)

    async def perform_line(self, action: LineAction) -> None:
        await self._worker.run(lambda: self._translated(action, self._line_action))

    async def perform_position(self, action: PositionAction) -> None:
        await self._worker.run(lambda: self._translated(action, self._position_action))

    async def perform_media(self, action: MediaAction) -> None:
        await self._worker.run(lambda: self._translated(action, self._media_action))

    def _translated(self, action: Any, carry_out: Callable[[Any], None]) -> None:
        """pjsua2 errors (a call that ended a moment ago, a port that is gone) become SipError."""
        from drivers.sip import backend

        try:
            carry_out(action)
        except backend.Error as error:
            raise SipError(
                f"SIP could not carry out {action}: {backend.describe(error)}"
            ) from error

    async def audio_packets(self) -> dict[str, tuple[int, int]]:
        """RTP packets received and sent so far on each line's and position's current call: what
        a supervisor checks when a caller says "I can't hear you"."""
        return await self._worker.run(self._audio_packets)

    async def bridge_links(self) -> set[tuple[str, str]]:
        """Who hears whom on the conference bridge right now, read back from pjsua2: pairs of
        (source, sink) port names such as ("line:gw1-1", "pos:pos1")."""
        return await self._worker.run(self._bridge_links)

    def _deliver(self, event: LineEvent | PositionEvent) -> None:
        if isinstance(event, LineEvent):
            if self._line_sink is None:
                self._pending.line_events.append(event)
            else:
                self._line_sink(event)
        elif self._position_sink is None:
            self._pending.position_events.append(event)
        else:
            self._position_sink(event)

    # -- pjsua thread --------------------------------------------------------------------------

    def _emit(self, event: LineEvent | PositionEvent) -> None:
        assert self._loop is not None
        if self._stopping:
            # Calls cut by our own shutdown are no news: the shell ends calls through the
            # engine before it stops the drivers, and a fault here would be a false record.
            log.debug("at shutdown, not reported: %s", event)
            return
        log.debug("event %s", event)
        self._loop.call_soon_threadsafe(self._deliver, event)

    def _now(self) -> float:
        return self.clock()

    def _start_library(self) -> None:
        try:
            from drivers.sip import backend
        except ImportError as error:
            raise SipError(
                f"pjsua2 is not installed ({error}): on x86_64 install the pjsua2-python wheel;"
                " on a Raspberry Pi build it with image_build/pjsua2/build.sh"
            ) from error

        self._resolve_hosts()
        library = backend.Library()
        self._library = library
        try:
            library.start(
                self.listen, self.port, self.rtp_port, self.sound_device, self.wire_logging
            )
            host = self.listen if self.listen not in ("", "0.0.0.0") else "127.0.0.1"
            self._local_account = library.create_account(
                self, "local", f"sip:depotline@{host}:{self.port}", default=True
            )
            for gateway in self.gateways:
                self._accounts[gateway.id] = self._gateway_account(gateway, host)
        except SipError:
            self._stop_library()
            raise
        except backend.Error as error:
            self._stop_library()
            raise SipError(
                f"cannot start SIP on {self.listen}:{self.port}: {backend.describe(error)}"
                " — is another SIP program using the port, or the address not on this box?"
            ) from error
        for slot in self._positions.values():
            if slot.headset:
                self._headset_media = library.headset_media()
                self._emit(PositionInService(self._now(), slot.spec.id, persistent=True))
            elif slot.spec.mode is PositionMode.RING and slot.spec.options_interval_s <= 0:
                self._phone_answered(slot.spec.id)  # not watched: taken to be there
        for gateway in self.gateways:
            if not gateway.registers and gateway.keepalive_s <= 0:
                self._gateway_alive(gateway)  # not watched: taken to be there

    def _gateway_account(self, gateway: SipGateway, host: str) -> Any:
        if gateway.registers:
            user = gateway.username or "depotline"
            registrar = gateway.registrar
            if not registrar.startswith("sip:"):
                registrar = f"sip:{registrar}"
            _, reg_host, _ = split_uri(registrar)
            return self._library.create_account(
                self,
                gateway.id,
                f"sip:{user}@{reg_host}",
                registrar=registrar,
                retry_s=gateway.registration_retry_s,
                username=gateway.username,
                password=gateway.password,
            )
        return self._library.create_account(
            self,
            gateway.id,
            f"sip:depotline@{host}:{self.port}",
            username=gateway.username,
            password=gateway.password,
        )

    def _poll(self, wait_ms: int) -> None:
        self._library.poll(wait_ms)

    def _stop_library(self) -> None:
        if self._library is None or self._library.endpoint is None:
            return
        self._worker.cancel_timers()
        self._stopping = True
        for slot in self._lines.values():
            self._stop_player(slot, emit=False)
            self._finish_message(slot, emit=False)
            slot.recorder = None
        for pslot in self._positions.values():
            pslot.zip = None
        self._headset_media = None
        for modem in self._modem_lines.values():
            modem.port, modem.music = None, None
        self._plan = MixPlan()
        self._conference.clear()
        if self._legs:
            with contextlib.suppress(Exception):
                self._library.hang_up_all()
            deadline = time.monotonic() + SHUTDOWN_GRACE_S
            while self._legs and time.monotonic() < deadline:
                self._library.poll(10)
        self._legs.clear()
        for slot in self._lines.values():
            slot.leg = None
        for pslot in self._positions.values():
            pslot.leg = None
        for account in self._accounts.values():
            with contextlib.suppress(Exception):
                account.shutdown()
        self._accounts.clear()
        gc.collect()  # pjsua2 objects caught in reference cycles must go before libDestroy
        if self._local_account is not None:
            with contextlib.suppress(Exception):
                self._local_account.shutdown()
            self._local_account = None
        self._library.destroy()
        self._stopping = False

    def _audio_packets(self) -> dict[str, tuple[int, int]]:
        legs = [(line, slot.leg) for line, slot in self._lines.items()]
        legs += [(pos, slot.leg) for pos, slot in self._positions.items()]
        counts = {}
        for name, leg in legs:
            if leg is not None and leg.media is not None:
                counts[name] = leg.packet_counts()
        return counts

    def _port_names(self) -> list[str]:
        names = [line_port(line) for line in (*self._lines, *self._modem_lines)]
        names += [line_player_port(line) for line in (*self._lines, *self._modem_lines)]
        names += [recorder_port(line) for line in self._lines]
        for position in self._positions:
            names += [f"pos:{position}", position_player_port(position)]
        return names

    def _bridge_links(self) -> set[tuple[str, str]]:
        return self._conference.links(self._port_names())

    # -- incoming requests ----------------------------------------------------------------------

    def _addresses_of(self, host: str) -> set[str]:
        """A configured host name and the addresses it resolved to at start."""
        return self._resolved.get(host.lower(), set()) | {host.lower()}

    def _resolve_hosts(self) -> None:
        """Requests come from addresses; the configuration may name hosts. Resolve once."""
        hosts = {g.host for g in self.gateways}
        hosts |= {split_uri(g.registrar)[1] for g in self.gateways if g.registrar}
        hosts |= {split_uri(p.uri)[1] for p in self.positions}
        for host in hosts:
            try:
                ipaddress.ip_address(host)
                continue
            except ValueError:
                pass
            try:
                infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_UDP)
            except OSError as error:
                log.warning("cannot resolve %s (%s): requests from it will be refused", host, error)
                continue
            self._resolved[host.lower()] = {str(info[4][0]) for info in infos}

    def _gateway_for(self, host: str, port: int | None) -> SipGateway | None:
        matches = []
        for g in self.gateways:
            known = self._addresses_of(g.host)
            if g.registrar:
                known |= self._addresses_of(split_uri(g.registrar)[1])
            if host in known:
                matches.append(g)
        exact = [g for g in matches if g.port == port]
        best = exact or matches
        return best[0] if best else None

    def _position_for(self, host: str, port: int | None, from_user: str) -> SipPosition | None:
        matches = []
        for spec in self.positions:
            user, spec_host, spec_port = split_uri(spec.uri)
            if host in self._addresses_of(spec_host) and spec_port in (None, port):
                matches.append((user == from_user, spec))
        matches.sort(key=lambda m: not m[0])
        return matches[0][1] if matches else None

    def on_incoming_call(self, account: Any, call_id: int, source: str, msg: str) -> None:
        from drivers.sip import backend

        leg = backend.Leg(self, account, call_id)
        self._legs[call_id] = leg
        host, port = split_host_port(source)
        gateway = self._gateway_for(host, port)
        if gateway is not None:
            self._incoming_line_call(leg, gateway, line_caller_id(msg, gateway.id))
            return
        from_user = caller_id_from_request(msg).number
        position = self._position_for(host, port, from_user)
        if position is not None and position.mode is PositionMode.PERSISTENT:
            self._incoming_position_call(leg, self._positions[position.id])
            return
        log.warning(
            "refused a SIP call from %s (403): not a configured gateway, trunk or dial-in position",
            source,
        )
        leg.kind = "refused"
        leg.respond(403)

    def _incoming_line_call(self, leg: Any, gateway: SipGateway, caller: CallerId) -> None:
        self._gateway_alive(gateway)
        free = [line for line in gateway.line_ids if self._lines[line].leg is None]
        if not free:
            log.warning("gateway %s offered a call while all its lines are busy (486)", gateway.id)
            leg.kind = "refused"
            leg.respond(486)
            return
        slot = self._lines[free[0]]
        slot.leg, slot.outbound = leg, False
        leg.kind, leg.owner = "line", slot.line
        leg.respond(180)
        self._emit(CallArrived(self._now(), slot.line, caller=caller))

    def _incoming_position_call(self, leg: Any, slot: _PositionSlot) -> None:
        if slot.leg is not None:
            log.warning("position %s dialled in twice: refusing the second call", slot.spec.id)
            leg.kind = "refused"
            leg.respond(486)
            return
        slot.leg = leg
        leg.kind, leg.owner = "position", slot.spec.id
        leg.respond(200)

    # -- call progress --------------------------------------------------------------------------

    def on_call_state(self, leg: Any) -> None:
        from drivers.sip import backend

        info = leg.getInfo()
        if info.state == backend.CONFIRMED and not leg.confirmed:
            leg.confirmed = True
            self._call_confirmed(leg)
        elif info.state == backend.DISCONNECTED:
            self._legs.pop(info.id, None)
            self._call_ended(leg, int(info.lastStatusCode), str(info.lastReason))

    def _call_confirmed(self, leg: Any) -> None:
        now = self._now()
        if leg.kind == "line":
            self._emit(LineAnswered(now, leg.owner))
        elif leg.kind == "position":
            slot = self._positions[leg.owner]
            if slot.spec.mode is PositionMode.PERSISTENT:
                self._emit(PositionInService(now, leg.owner, persistent=True))
            else:
                slot.ringing = False
                self._emit(PositionAnswered(now, leg.owner))

    def _call_ended(self, leg: Any, code: int, reason: str) -> None:
        now = self._now()
        leg.media = None
        if leg.kind == "line" and self._lines[leg.owner].leg is leg:
            slot = self._lines[leg.owner]
            self._release_line(slot)
            if leg.local_hangup:
                return
            if slot.outbound and not leg.confirmed:
                self._emit(DialFailed(now, slot.line, reason=f"{code} {reason}".strip()))
            else:
                self._emit(CallerHungUp(now, slot.line, cause=HangUpCause.BYE))
        elif leg.kind == "position" and self._positions[leg.owner].leg is leg:
            pslot = self._positions[leg.owner]
            was_talking = bool(self._plan.lines_of(pslot.spec.id))
            self._release_position(pslot)
            if pslot.spec.mode is PositionMode.PERSISTENT:
                if was_talking:
                    self._emit(PositionHungUp(now, pslot.spec.id))
                self._emit(
                    PositionFaulted(now, pslot.spec.id, reason="the agent's dial-in call ended")
                )
            elif leg.local_hangup:
                return
            elif leg.confirmed:
                self._emit(PositionHungUp(now, pslot.spec.id))
            else:
                self._emit(PositionRejected(now, pslot.spec.id, reason=f"{code} {reason}".strip()))

    def _release_line(self, slot: _LineSlot) -> None:
        """The line's call is over (or being ended by us): free the line for the next call."""
        slot.leg = None
        self._stop_player(slot, emit=True)
        self._finish_message(slot, emit=True)
        self._end_recording(slot)
        self._plan.talks.pop(slot.line, None)
        self._plan.supervisions.pop(slot.line, None)
        self._remix()

    def _release_position(self, slot: _PositionSlot) -> None:
        slot.leg, slot.ringing, slot.zip = None, False, None
        self._drop_position_from_plan(slot.spec.id)
        self._remix()

    def on_call_media(self, leg: Any) -> None:
        leg.media = leg.audio_media()
        self._remix()

    def on_digit(self, leg: Any, digit: str) -> None:
        # DTMF may arrive on the media thread: hand it to the pjsua thread.
        self._worker.post(lambda: self._digit(leg, digit))

    def _digit(self, leg: Any, digit: str) -> None:
        now = self._now()
        if leg.kind == "line" and self._lines[leg.owner].leg is leg:
            slot = self._lines[leg.owner]
            if slot.prompt_id is not None and slot.barge_in:
                self._stop_player(slot, emit=True)
            self._emit(DigitPressed(now, slot.line, digit=digit))
            if digit == "#" and slot.message is not None:
                self._finish_message(slot, emit=True)
        elif leg.kind == "position" and self._positions[leg.owner].leg is leg:
            self._emit(PositionDigitPressed(now, leg.owner, digit=digit))

    # -- gateways: registration and keep-alive --------------------------------------------------

    def _gateway_of_account(self, account: Any) -> SipGateway | None:
        return next((g for g in self.gateways if self._accounts.get(g.id) is account), None)

    def on_registration(self, account: Any, code: int, reason: str, active: bool) -> None:
        gateway = self._gateway_of_account(account)
        if gateway is None or self._stopping:
            return  # unregistering at shutdown is no fault
        if active and 200 <= code < 300:
            self._gateway_alive(gateway)
        else:
            log.warning("SIP trunk %s: registration failed: %s %s", gateway.id, code, reason)
            if code in (401, 403, 407):
                advice = "the trunk refuses the user name or password: check both"
            else:
                advice = "check the network and the registrar's address; retrying"
            self._gateway_lost(
                gateway, f"registration with {gateway.registrar} failed ({code} {reason}): {advice}"
            )

    def _phone_asked(self, position: str) -> None:
        self._positions[position].health.asked()

    def _phone_answered(self, position: str) -> None:
        if self._positions[position].health.answered():
            self._emit(PositionInService(self._now(), position, persistent=False))

    def _phone_deadline(self, phone: SipPosition) -> None:
        if self._positions[phone.id].health.deadline():
            reason = (
                f"the phone {phone.uri} does not answer SIP OPTIONS: check that it is plugged"
                " in, on the network and set to accept calls by IP"
            )
            log.warning("position %s out of service: %s", phone.id, reason)
            self._emit(PositionFaulted(self._now(), phone.id, reason=reason))

    def _options_sent(self, gateway: SipGateway) -> None:
        self._health[gateway.id].asked()

    def _options_answered(self, gateway: SipGateway) -> None:
        if not gateway.registers:
            self._gateway_alive(gateway)
            return
        # a trunk is in service once registered; its registrar answering again after it
        # went silent is the moment to register anew, not at the next refresh or retry
        self._health[gateway.id].heard()
        if gateway.id in self._registrar_silent:
            self._registrar_silent.discard(gateway.id)
            self._register_again(gateway)

    def _options_deadline(self, gateway: SipGateway) -> None:
        if not self._health[gateway.id].deadline():
            return
        host, port = gateway.keepalive_address
        if gateway.registers:
            self._registrar_silent.add(gateway.id)
            reason = (
                f"the trunk's registrar {host}:{port} does not answer SIP OPTIONS: check the"
                " internet connection and the provider's status"
            )
        else:
            reason = (
                f"gateway {host}:{port} does not answer SIP OPTIONS:"
                " check its power, network cable and SIP settings"
            )
        self._report_gateway_lost(gateway, reason)

    def _register_again(self, gateway: SipGateway) -> None:
        from drivers.sip import backend

        log.info("SIP trunk %s: its registrar answers again; registering", gateway.id)
        try:
            self._accounts[gateway.id].setRegistration(True)
        except backend.Error as error:
            log.warning(
                "SIP trunk %s: cannot register again now (%s); pjsua retries",
                gateway.id,
                backend.describe(error),
            )

    def _gateway_alive(self, gateway: SipGateway) -> None:
        if not self._health[gateway.id].answered():
            return
        log.info("SIP gateway %s is in service", gateway.id)
        for line in gateway.line_ids:
            self._emit(LineInService(self._now(), line))

    def _gateway_lost(self, gateway: SipGateway, reason: str) -> None:
        if self._health[gateway.id].lost():
            self._report_gateway_lost(gateway, reason)

    def _report_gateway_lost(self, gateway: SipGateway, reason: str) -> None:
        log.warning("SIP gateway %s out of service: %s", gateway.id, reason)
        for line in gateway.line_ids:
            slot = self._lines[line]
            if slot.leg is not None:
                with contextlib.suppress(Exception):
                    slot.leg.end()
            self._emit(LineFaulted(self._now(), line, reason=reason))

    # -- line actions ---------------------------------------------------------------------------

    def _line_action(self, action: LineAction) -> None:
        slot = self._lines.get(action.line)
        if slot is None:
            raise SipError(f"{action.line} is not a SIP line of this box")
        if isinstance(action, DialOut):
            self._dial_out(slot, action.number)
            return
        leg = slot.leg
        if leg is None:
            if isinstance(action, PlayPrompt):
                self._emit(
                    PromptFinished(self._now(), slot.line, play_id=action.play_id, interrupted=True)
                )
            log.info("%s: no call on the line for %s", slot.line, type(action).__name__)
            return
        if isinstance(action, AnswerLine):
            leg.respond(200)
        elif isinstance(action, RefuseCall):
            leg.respond(486)
        elif isinstance(action, HangUpLine):
            # Free the line now: a new call may come before pjsua reports this one gone.
            self._release_line(slot)
            leg.end()
        elif isinstance(action, PlayPrompt):
            self._play_prompt(slot, action)
        elif isinstance(action, PlayMusic):
            self._play_music(slot)
        elif isinstance(action, PlayTone):
            self._play_tone(slot, action.tone, action.duration_s)
        elif isinstance(action, SendDigits):
            leg.send_digits(action.digits)
        elif isinstance(action, StopMedia):
            self._stop_player(slot, emit=True)
            self._remix()
        elif isinstance(action, RecordMessage):
            self._record_message(slot, action)
        else:
            raise SipError(f"the SIP line driver cannot do {type(action).__name__}")

    def _dial_out(self, slot: _LineSlot, number: str) -> None:
        from drivers.sip import backend

        if slot.leg is not None:
            self._emit(DialFailed(self._now(), slot.line, reason="the line is busy"))
            return
        gateway = slot.gateway
        account = self._accounts[gateway.id]
        leg = backend.Leg(self, account)
        leg.kind, leg.owner = "line", slot.line
        try:
            leg.dial(f"sip:{_uri_user(number)}@{gateway.host}:{gateway.port}")
        except backend.Error as error:
            self._emit(DialFailed(self._now(), slot.line, reason=backend.describe(error)))
            return
        slot.leg, slot.outbound = leg, True
        self._legs[leg.getId()] = leg

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

    def _play_prompt(self, slot: _LineSlot, action: PlayPrompt) -> None:
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

    def _play(self, slot: _LineSlot, paths: list[str], loop: bool) -> None:
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

    def _play_music(self, slot: _LineSlot) -> None:
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

    def _prompt_ended(self, slot: _LineSlot, serial: int) -> None:
        if slot.player is None or slot.player_serial != serial:
            return
        play_id = slot.prompt_id
        slot.player, slot.prompt_id = None, None
        self._remix()
        if play_id is not None:
            self._emit(PromptFinished(self._now(), slot.line, play_id=play_id))

    def _play_tone(self, slot: _LineSlot, tone: Tone, duration_s: float) -> None:
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

    def _stop_player(self, slot: _LineSlot, emit: bool) -> None:
        """Drop what feeds the caller; a prompt cut short reports PromptFinished(interrupted)."""
        if slot.player is None:
            return
        play_id = slot.prompt_id
        slot.player, slot.prompt_id, slot.barge_in = None, None, False
        self._forget(line_player_port(slot.line))
        if emit and play_id is not None:
            self._emit(PromptFinished(self._now(), slot.line, play_id=play_id, interrupted=True))

    def _record_message(self, slot: _LineSlot, action: RecordMessage) -> None:
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

    def _finish_message(self, slot: _LineSlot, emit: bool) -> None:
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

    # -- position actions -----------------------------------------------------------------------

    def _position_action(self, action: PositionAction) -> None:
        slot = self._positions.get(action.position)
        if slot is None:
            raise SipError(f"{action.position} is not a SIP position of this box")
        if isinstance(action, RingPosition):
            self._ring(slot, action)
        elif isinstance(action, StopRinging):
            slot.zip = None
            self._forget(position_player_port(slot.spec.id))
            self._plan.position_players.discard(slot.spec.id)
            if slot.spec.mode is PositionMode.RING and slot.leg is not None and slot.ringing:
                leg = slot.leg
                self._release_position(slot)  # ready to ring again before the CANCEL completes
                leg.end()
            self._remix()
        elif isinstance(action, HangUpPosition):
            self._drop_position_from_plan(slot.spec.id)
            self._remix()
            if slot.spec.mode is PositionMode.RING and slot.leg is not None:
                leg = slot.leg
                self._release_position(slot)
                leg.end()
        else:
            raise SipError(f"the SIP position driver cannot do {type(action).__name__}")

    def _ring(self, slot: _PositionSlot, action: RingPosition) -> None:
        from drivers.sip import backend

        now = self._now()
        if slot.spec.mode is PositionMode.PERSISTENT:
            if not slot.headset and (slot.leg is None or not slot.leg.confirmed):
                self._emit(
                    PositionRejected(now, slot.spec.id, reason="the agent is not dialled in")
                )
                return
            parts, loop = TONES[Tone.ZIP]
            self._player_serial += 1
            serial = self._player_serial
            slot.zip, slot.zip_serial = backend.open_tone(parts, loop), serial
            self._plan.position_players.add(slot.spec.id)
            self._remix()

            def zip_done() -> None:
                if slot.zip is not None and slot.zip_serial == serial:
                    slot.zip = None
                    self._forget(position_player_port(slot.spec.id))
                    self._plan.position_players.discard(slot.spec.id)
                    self._remix()

            self._worker.call_later(ZIP_SECONDS, zip_done)
            self._emit(PositionAnswered(now, slot.spec.id))
            return
        if slot.leg is not None:
            self._emit(PositionRejected(now, slot.spec.id, reason="the phone is already in a call"))
            return
        leg = backend.Leg(self, self._local_account)
        leg.kind, leg.owner = "position", slot.spec.id
        shown = action.caller.name or action.caller.number or "depotline"
        number = action.caller.number or "depotline"
        host = self.listen if self.listen not in ("", "0.0.0.0") else "127.0.0.1"
        from_uri = f'"{_quote(shown)}" <sip:{_uri_user(number)}@{host}:{self.port}>'
        try:
            leg.dial(slot.spec.uri, from_uri)
        except backend.Error as error:
            self._emit(PositionRejected(now, slot.spec.id, reason=backend.describe(error)))
            return
        slot.leg, slot.ringing = leg, True
        self._legs[leg.getId()] = leg

    # -- media bridge ---------------------------------------------------------------------------

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

    def _end_recording(self, slot: _LineSlot) -> None:
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

    def _modem_music(self, modem: _ModemLine) -> None:
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

    def _source(self, name: str, as_sink: bool = False) -> Any:
        """The bridge port a name stands for; the headset's earpiece differs from its mic."""
        kind, _, key = name.partition(":")
        if kind == "line":
            slot = self._lines.get(key)
            if slot is not None:
                return slot.leg.media if slot.leg is not None else None
            modem = self._modem_lines.get(key)
            return modem.port if modem is not None else None
        if kind == "pos":
            slot_p = self._positions.get(key)
            if slot_p is not None and slot_p.headset and self._headset_media is not None:
                return self._headset_media[1 if as_sink else 0]
            return slot_p.leg.media if slot_p is not None and slot_p.leg is not None else None
        if kind == "play":
            sub, _, ident = key.partition(":")
            if sub == "line":
                if ident in self._modem_lines:
                    return self._modem_lines[ident].music
                return self._lines[ident].player if ident in self._lines else None
            return self._positions[ident].zip if ident in self._positions else None
        if kind == "rec":
            return self._lines[key].recorder if key in self._lines else None
        return None

    def _forget(self, name: str) -> None:
        self._conference.forget(name)

    def _remix(self) -> None:
        self._conference.apply(self._plan_with_players())

    def _plan_with_players(self) -> MixPlan:
        plan = self._plan
        plan.line_players = {line for line, slot in self._lines.items() if slot.player is not None}
        plan.line_players |= {line for line, m in self._modem_lines.items() if m.music is not None}
        plan.position_players = {p for p, slot in self._positions.items() if slot.zip is not None}
        return plan


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _uri_user(number: str) -> str:
    """A dialled number as the user part of a SIP URI ('#' must be escaped there)."""
    allowed = set("0123456789+*#abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.")
    kept = "".join(c for c in number if c in allowed).replace("#", "%23")
    return kept or "depotline"

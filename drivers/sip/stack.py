"""The SIP stack of the box: one pjsua2 endpoint on its own thread carrying the SIP lines
(gateways, trunks), the SIP positions (agents' phones) and the conference bridge between them.
Everything here below `SipStack`'s public coroutines runs on the pjsua thread."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

from drivers.roles import (
    Clock,
    LineAction,
    LineAudio,
    LineEventSink,
    MediaAction,
    PositionAction,
    PositionEventSink,
    PositionInService,
)
from drivers.sip.bridged_admission import BridgedLineAdmission
from drivers.sip.call_progress import CallProgress
from drivers.sip.capacity import UPSTREAM_LIMITS, installed_limits
from drivers.sip.conference import Conference
from drivers.sip.errors import SipError
from drivers.sip.headers import split_uri
from drivers.sip.keepalive import OptionsPinger
from drivers.sip.mixing import (
    MixPlan,
)
from drivers.sip.peer_health import PeerHealth
from drivers.sip.prompt_audio import PromptAudio
from drivers.sip.settings import PositionMode, SipGateway, SipPosition
from drivers.sip.stack_state import (
    SHUTDOWN_GRACE_S,
    LineSlot,
    ModemLine,
    PendingEvents,
    PositionSlot,
)
from drivers.sip.worker import LibraryWake, PjsuaWorker

log = logging.getLogger(__name__)


class SipStack(CallProgress):
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
        max_calls: int | None = None,
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
        # Fewer call legs than the build allows (a test of the admission rule); None: the build's.
        self.max_calls = max_calls
        self._limits = UPSTREAM_LIMITS
        self._agent_legs_placed_per_call = any(p.mode is PositionMode.RING for p in self.positions)
        self._lines = {
            line: LineSlot(line, gateway) for gateway in self.gateways for line in gateway.line_ids
        }
        if len(self._lines) != sum(g.channels for g in self.gateways):
            raise SipError("two SIP gateways give the same line id: give each gateway its own id")
        self._positions = {
            p.id: PositionSlot(p, health=PeerHealth(p.options_misses_before_fault))
            for p in self.positions
        }
        if headset_position:
            if headset_position in self._positions:
                raise SipError(f"position {headset_position} is both a SIP phone and the headset")
            headset = SipPosition(headset_position, uri="", mode=PositionMode.PERSISTENT)
            self._positions[headset_position] = PositionSlot(headset, headset=True)
        self._headset_media: tuple[Any, Any] | None = None  # (microphone, earpiece)
        self._health = {g.id: PeerHealth(g.options_misses_before_fault) for g in self.gateways}
        self._registrar_silent: set[str] = set()  # trunks lost because OPTIONS went unanswered
        self._accounts: dict[str, Any] = {}  # gateway id → its pjsua2 Account
        self._modem_lines = {line: ModemLine(audio) for line, audio in (line_audio or {}).items()}
        self._plan = MixPlan()
        self._conference = Conference(self._source)
        self._player_serial = 0
        self._resolved: dict[str, set[str]] = {}
        self._stopping = False
        self._legs: dict[int, Any] = {}  # pjsua call id → Leg, until DISCONNECTED
        self._library: Any = None
        self._local_account: Any = None
        self._wake = LibraryWake()
        self._worker = PjsuaWorker(
            self._start_library,
            self._poll,
            self._stop_library,
            self._worker_exited,
            wake=self._wake.wake,
        )
        self._failed: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._line_sink: LineEventSink | None = None
        self._position_sink: PositionEventSink | None = None
        self._pending = PendingEvents()
        self._call_handler = self
        self._users = 0
        self._start_lock = asyncio.Lock()
        self._pinger: OptionsPinger | None = None
        self._keepalive_tasks: list[asyncio.Task[None]] = []
        self._warm_up: asyncio.Task[None] | None = None

    @property
    def line_ids(self) -> tuple[str, ...]:
        return tuple(self._lines)

    @property
    def position_ids(self) -> tuple[str, ...]:
        return tuple(self._positions)

    @property
    def places_agent_legs(self) -> bool:
        """Ring-mode phones: every caller needs a call leg of the box to reach their agent."""
        return self._agent_legs_placed_per_call

    def caller_admission(self, line: str) -> BridgedLineAdmission:
        """The admission rule for the callers of a modem line bridged into this stack."""
        if line not in self._modem_lines:
            raise SipError(f"{line} is not a modem line bridged into the SIP stack")
        return BridgedLineAdmission(
            self._worker,
            lambda: self._take_bridged_caller(line),
            lambda: self._release_bridged_caller(line),
        )

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

    # -- pjsua thread --------------------------------------------------------------------------

    def _start_library(self) -> None:
        try:
            from drivers.sip import backend
            from drivers.sip.library import Library
        except ImportError as error:
            raise SipError(
                f"pjsua2 is not installed ({error}): build and install it with"
                " `make pjsua2` (image_build/pjsua2/build.sh, docs/sip.md)"
            ) from error

        self._resolve_hosts()
        self._limits = (installed_limits() or UPSTREAM_LIMITS).capped(self.max_calls)
        log.info("pjsua2 build limits: %s", self._limits)
        library = Library()
        self._library = library
        try:
            library.start(
                self.listen,
                self.port,
                self.rtp_port,
                self.sound_device,
                self.wire_logging,
                self._limits.max_calls,
                self.on_refused_by_library,
            )
            self._wake.open(self.listen, self.port)
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
        self._wake.close()
        self._stopping = False

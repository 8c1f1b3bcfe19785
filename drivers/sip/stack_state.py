"""What the parts of the SIP stack share: the line and position slots, the event hand-over to
the event loop, and the conference bridge's ports. Runs on the pjsua thread unless noted."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drivers.roles import (
    Clock,
    LineAudio,
    LineEvent,
    LineEventSink,
    PositionEvent,
    PositionEventSink,
    Tone,
)
from drivers.sip.capacity import BuildLimits
from drivers.sip.conference import Conference
from drivers.sip.headers import split_uri
from drivers.sip.mixing import (
    MixPlan,
    line_player_port,
    line_port,
    position_player_port,
    recorder_port,
)
from drivers.sip.peer_health import PeerHealth
from drivers.sip.prompt_audio import PromptAudio
from drivers.sip.settings import SipGateway, SipPosition
from drivers.sip.worker import PjsuaWorker

if TYPE_CHECKING:
    from drivers.sip.backend import CallHandler

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
class LineSlot:
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
class PositionSlot:
    spec: SipPosition
    leg: Any = None
    zip: Any = None
    zip_serial: int = 0
    ringing: bool = False
    offer_id: str = ""  # the RingPosition the leg (or a persistent position's talk) is for
    headset: bool = False  # the box's sound device, not a SIP phone
    health: PeerHealth = field(default_factory=PeerHealth)


@dataclass
class ModemLine:
    audio: LineAudio
    port: Any = None
    music: Any = None  # hold music from the bridge while the modem's caller is held
    caller_taken: bool = False  # admitted (BridgedLineAdmission) until the call ends


@dataclass
class PendingEvents:
    line_events: list[LineEvent] = field(default_factory=list)
    position_events: list[PositionEvent] = field(default_factory=list)


class StackState:
    """The SIP stack's settings and state; the parts below add what they carry out."""

    # The stack's settings and its state, shared by the parts; SipStack.__init__ sets them.
    listen: str
    port: int
    rtp_port: int
    gateways: tuple[SipGateway, ...]
    positions: tuple[SipPosition, ...]
    prompt_dirs: tuple[str, ...]
    music_file: str
    sound_device: str
    headset_position: str
    clock: Clock
    wire_logging: bool
    _prompt_audio: PromptAudio
    _lines: dict[str, LineSlot]
    _positions: dict[str, PositionSlot]
    _headset_media: tuple[Any, Any] | None  # (microphone, earpiece)
    _health: dict[str, PeerHealth]
    _registrar_silent: set[str]  # trunks lost because OPTIONS went unanswered
    _accounts: dict[str, Any]  # gateway id → its pjsua2 Account
    _modem_lines: dict[str, ModemLine]
    _plan: MixPlan
    _conference: Conference
    _player_serial: int
    _resolved: dict[str, set[str]]
    _stopping: bool
    _legs: dict[int, Any]  # pjsua call id → Leg, until DISCONNECTED
    _library: Any
    _local_account: Any
    _worker: PjsuaWorker
    _loop: asyncio.AbstractEventLoop | None
    _line_sink: LineEventSink | None
    _position_sink: PositionEventSink | None
    _pending: PendingEvents
    _limits: BuildLimits  # of the pjsua2 build, capped by max_calls; set as the library starts
    _agent_legs_placed_per_call: bool  # ring-mode phones: each caller needs a leg to an agent
    _call_handler: CallHandler  # the stack itself: pjsua2 call callbacks go to CallProgress

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

"""The Pi's end of the wallboard link, without I/O: what to send when, given acks and time.

One frame is in flight at a time; figure changes that arrive meanwhile are coalesced into the
next frame, which carries only fields the board does not have yet. A heartbeat keeps the board
from showing NO DATA when nothing changes. The wire format is `firmware.wallboard.protocol`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from drivers.roles import AlertLevel, WallboardFigures
from firmware.wallboard import protocol as p

log = logging.getLogger(__name__)
wire_log = logging.getLogger(__name__ + ".wire")

FieldValue = tuple[int, int | bytes]  # (alert level, value)

_LEVELS = {AlertLevel.NORMAL: p.LEVEL_NORMAL, AlertLevel.WARNING: p.LEVEL_WARNING,
           AlertLevel.ALARM: p.LEVEL_ALARM}  # fmt: skip
# WallboardFigures field → wire field.
_NUMBER_FIELDS = (
    ("calls_waiting", p.F_WAITING),
    ("agents_ready", p.F_READY),
    ("agents_on_call", p.F_ON_CALL),
    ("agents_wrap_up", p.F_WRAP_UP),
    ("agents_paused", p.F_PAUSED),
    ("answered_today", p.F_ANSWERED),
    ("abandoned_today", p.F_ABANDONED),
)
_RATE_FIELDS = (("service_level", p.F_SERVICE_LEVEL), ("answer_rate", p.F_ANSWER_RATE))
_SECONDS_FIELDS = (("longest_wait_s", p.F_LONGEST_WAIT_S), ("asa_s", p.F_ASA_S),
                   ("aht_s", p.F_AHT_S))  # fmt: skip


def wire_fields(figures: WallboardFigures) -> dict[int, FieldValue]:
    """The figures as the board holds them: whole numbers, rates per mille, -1 for none."""
    fields: dict[int, FieldValue] = {}

    def level(name: str) -> int:
        return _LEVELS[figures.level(name)]

    for name, field in _NUMBER_FIELDS:
        fields[field] = (level(name), int(getattr(figures, name)))
    for name, field in _RATE_FIELDS:
        rate = getattr(figures, name)
        fields[field] = (level(name), -1 if rate is None else round(rate * 1000))
    for name, field in _SECONDS_FIELDS:
        seconds = getattr(figures, name)
        fields[field] = (level(name), -1 if seconds is None else int(seconds))
    fields[p.F_FAULTS] = (p.LEVEL_ALARM if figures.faults else p.LEVEL_NORMAL, len(figures.faults))
    fields[p.F_CLOSED] = (p.LEVEL_NORMAL, int(figures.closed))
    fields[p.F_TICKER] = (p.LEVEL_NORMAL, _ticker_bytes(figures.ticker))
    return fields


def _ticker_bytes(text: str) -> bytes:
    data = text.encode()
    if len(data) <= p.MAX_TICKER_BYTES:
        return data
    # Cut on a character boundary.
    return data[: p.MAX_TICKER_BYTES].decode(errors="ignore").encode()


@dataclass
class _InFlight:
    seq: int
    payload: bytes
    fields: dict[int, FieldValue]
    first_sent_s: float
    last_sent_s: float


class HostLink:
    """Feed it `received()` bytes and call `poll()` when `next_wakeup()` comes; write what
    `poll()` returns. `problem()` says when the board should be given up on."""

    def __init__(
        self,
        *,
        no_data_after_s: int = 10,
        retransmit_s: float = 0.25,
        fault_after_s: float = 3.0,
        heartbeat_s: float | None = None,
    ) -> None:
        self.no_data_after_s = no_data_after_s
        self.retransmit_s = retransmit_s
        self.fault_after_s = fault_after_s
        self.heartbeat_s = heartbeat_s or max(0.5, min(2.0, no_data_after_s / 4))
        self._desired: dict[int, FieldValue] = {}
        self.start(0.0)

    def start(self, now_s: float) -> None:
        """A fresh connection: say hello, then send every field."""
        self._reader = p.FrameReader()
        self._send_seq = 0
        self._in_flight: _InFlight | None = None
        self._board_has: dict[int, FieldValue] = {}
        self._started_s = now_s
        self._last_sent_s = now_s
        self._hello_sent_s: float | None = None
        self.ready = False
        self.board_version: int | None = None
        self.board_size: tuple[int, int] | None = None
        self.frames_sent = 0
        self.bytes_sent = 0
        self.retransmits = 0

    def set_fields(self, fields: dict[int, FieldValue]) -> None:
        self._desired = dict(fields)

    def received(self, data: bytes, now_s: float) -> None:
        for seq, payload in self._reader.feed(data):
            wire_log.debug("board → pi seq=%d %s", seq, payload.hex())
            if not payload:
                self._acked(seq, now_s)
            elif payload[0] == p.MSG_HELLO and len(payload) >= 4:
                self._board_said_hello(payload)

    def _board_said_hello(self, payload: bytes) -> None:
        self.board_version = payload[1]
        self.board_size = (payload[2], payload[3])
        if self.board_version != p.PROTOCOL_VERSION:
            return
        # Whether it answered our hello or started afresh, it holds no figures now.
        self._board_has = {}
        if self.ready:
            # It restarted: say hello again (it needs our silence time), then send everything.
            log.info("the wallboard restarted: sending every figure again")
            self.ready = False
            self._hello_sent_s = None
            return
        self.ready = True

    def _acked(self, next_seq: int, now_s: float) -> None:
        in_flight = self._in_flight
        if in_flight is None:
            return
        if next_seq == (in_flight.seq + 1) & p.SEQ_MASK:
            self._board_has.update(in_flight.fields)
            self._in_flight = None
            self._send_seq = next_seq
            return
        # The board dropped the frame and says which sequence number it expects (it restarted,
        # or a frame got lost): renumber and send again at once.
        in_flight.seq = next_seq
        in_flight.last_sent_s = now_s - self.retransmit_s

    def poll(self, now_s: float) -> bytes:
        in_flight = self._in_flight
        if in_flight is not None:
            if now_s - in_flight.last_sent_s < self.retransmit_s:
                return b""
            self.retransmits += 1
            in_flight.last_sent_s = now_s
            return self._frame(in_flight)
        if not self.ready:
            if (
                self._hello_sent_s is not None
                and now_s - self._hello_sent_s < 4 * self.retransmit_s
            ):
                return b""
            self._hello_sent_s = now_s
            return self._send(p.hello_request(self.no_data_after_s), {}, now_s)
        changed = {f: v for f, v in self._desired.items() if self._board_has.get(f) != v}
        if changed:
            payload, fields = self._figures_payload(changed)
            return self._send(payload, fields, now_s)
        if now_s - self._last_sent_s >= self.heartbeat_s:
            return self._send(bytes([p.MSG_HEARTBEAT]), {}, now_s)
        return b""

    def _figures_payload(self, changed: dict[int, FieldValue]) -> tuple[bytes, dict]:
        payload = bytearray([p.MSG_FIGURES])
        fields = {}
        for field in sorted(changed):
            level, value = changed[field]
            entry = p.encode_field(field, level, value)
            if len(payload) + len(entry) > p.MAX_PAYLOAD:
                break  # the rest goes in the next frame
            payload.extend(entry)
            fields[field] = changed[field]
        return bytes(payload), fields

    def _send(self, payload: bytes, fields: dict[int, FieldValue], now_s: float) -> bytes:
        self._in_flight = _InFlight(self._send_seq, payload, fields, now_s, now_s)
        return self._frame(self._in_flight)

    def _frame(self, in_flight: _InFlight) -> bytes:
        frame = p.encode_frame(in_flight.seq, in_flight.payload)
        wire_log.debug("pi → board seq=%d %s", in_flight.seq, in_flight.payload.hex())
        self._last_sent_s = in_flight.last_sent_s
        self.frames_sent += 1
        self.bytes_sent += len(frame)
        return frame

    def next_wakeup(self, now_s: float) -> float:
        if self._in_flight is not None:
            return self._in_flight.last_sent_s + self.retransmit_s
        if not self.ready:
            return (self._hello_sent_s or now_s) + 4 * self.retransmit_s
        return self._last_sent_s + self.heartbeat_s

    def problem(self, now_s: float) -> str | None:
        """Why the board should be given up on (reconnect), or None while all is well."""
        if self.board_version is not None and self.board_version != p.PROTOCOL_VERSION:
            return (
                f"the board's firmware speaks link protocol v{self.board_version}, this "
                f"depotline speaks v{p.PROTOCOL_VERSION}: run `depotline firmware flash`"
            )
        in_flight = self._in_flight
        if in_flight is not None and now_s - in_flight.first_sent_s >= self.fault_after_s:
            return f"the board has not answered for {now_s - in_flight.first_sent_s:.1f} s"
        if not self.ready and now_s - self._started_s >= self.fault_after_s:
            return "the board acknowledges frames but never says hello: is it depotline firmware?"
        return None

    @property
    def idle(self) -> bool:
        """Nothing in flight and the board has every figure."""
        return (
            self._in_flight is None
            and self.ready
            and all(self._board_has.get(f) == v for f, v in self._desired.items())
        )

"""SIP positions: agents' phones rung per call or dialled in, their keep-alive, and the position
actions."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from drivers.roles import (
    HangUpPosition,
    OfferNotPlaced,
    PositionAction,
    PositionAnswered,
    PositionFaulted,
    PositionInService,
    PositionRejected,
    RingPosition,
    StopRinging,
    Tone,
)
from drivers.sip.errors import SipError
from drivers.sip.headers import (
    quote_display_name,
    split_uri,
    uri_user,
)
from drivers.sip.media_actions import MediaActions
from drivers.sip.mixing import (
    position_player_port,
)
from drivers.sip.settings import PositionMode, SipPosition
from drivers.sip.stack_state import (
    TONES,
    ZIP_SECONDS,
    PositionSlot,
)

# A phone on the LAN answers an INVITE with 100 Trying within milliseconds; pjsip resends the
# INVITE at 0.5, 1.5 and 3.5 s, so nothing back by 4 s means the phone or the network is gone.
PHONE_SILENT_S = 4.0

log = logging.getLogger(__name__)


class PositionCalls(MediaActions):
    """Agent phone calls on the pjsua thread."""

    def _position_for(self, host: str, port: int | None, from_user: str) -> SipPosition | None:
        matches = []
        for spec in self.positions:
            user, spec_host, spec_port = split_uri(spec.uri)
            if host in self._addresses_of(spec_host) and spec_port in (None, port):
                matches.append((user == from_user, spec))
        matches.sort(key=lambda m: not m[0])
        return matches[0][1] if matches else None

    def _incoming_position_call(self, leg: Any, slot: PositionSlot) -> None:
        if slot.leg is not None:
            log.warning("position %s dialled in twice: refusing the second call", slot.spec.id)
            leg.kind = "refused"
            leg.respond(486)
            return
        slot.leg = leg
        leg.kind, leg.owner = "position", slot.spec.id
        leg.respond(200)

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

    def _ring(self, slot: PositionSlot, action: RingPosition) -> None:
        from drivers.sip import backend

        now = self._now()
        if slot.spec.mode is PositionMode.PERSISTENT:
            if not slot.headset and (slot.leg is None or not slot.leg.confirmed):
                self._reject(slot, action, "the agent is not dialled in")
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
            slot.offer_id = action.offer_id
            self._emit(PositionAnswered(now, slot.spec.id, offer_id=action.offer_id))
            return
        if slot.leg is not None:
            self._reject(slot, action, "the phone is already in a call")
            return
        if len(self._legs) >= self._limits.max_calls:
            # pjsua would refuse with PJ_ETOOMANY: the box's shortage, not the agent's miss
            self._offer_not_placed(slot, action, f"all {self._limits.max_calls} call legs in use")
            return
        leg = backend.Leg(self._call_handler, self._local_account)
        leg.kind, leg.owner = "position", slot.spec.id
        shown = action.caller.name or action.caller.number or "depotline"
        number = action.caller.number or "depotline"
        host = self.listen if self.listen not in ("", "0.0.0.0") else "127.0.0.1"
        from_uri = f'"{quote_display_name(shown)}" <sip:{uri_user(number)}@{host}:{self.port}>'
        try:
            leg.dial(slot.spec.uri, from_uri)
        except backend.Error as error:
            # no call slot, media port or socket left: the box could not place the leg
            self._offer_not_placed(slot, action, backend.describe(error))
            return
        slot.leg, slot.ringing, slot.offer_id = leg, True, action.offer_id
        self._legs[leg.getId()] = leg
        self._worker.call_later(PHONE_SILENT_S, lambda: self._phone_silent(slot, leg, action))

    def _phone_silent(self, slot: PositionSlot, leg: Any, action: RingPosition) -> None:
        """Not even a 100 Trying from the phone: it never rang, so the offer's ring time-out
        must not become the agent's missed offer (and auto-pause). The box's network or the
        phone failed: OfferNotPlaced, and the leg is given up."""
        from drivers.sip import backend

        if slot.leg is not leg or leg.heard:
            return
        self._release_position(slot)
        with contextlib.suppress(backend.Error):  # pjsip ends it after its time-out anyway
            leg.end()
        self._offer_not_placed(
            slot,
            action,
            f"the phone {slot.spec.uri} did not answer the call within {PHONE_SILENT_S:g} s:"
            " check its network cable and power",
        )

    def _reject(self, slot: PositionSlot, action: RingPosition, reason: str) -> None:
        """The position cannot take this offer now: the agent's miss (not dialled in, busy)."""
        self._emit(
            PositionRejected(self._now(), slot.spec.id, offer_id=action.offer_id, reason=reason)
        )

    def _offer_not_placed(self, slot: PositionSlot, action: RingPosition, reason: str) -> None:
        log.error(
            "could not ring %s for the caller %s: %s",
            slot.spec.id,
            action.caller.number or "(no number)",
            reason,
        )
        self._emit(
            OfferNotPlaced(self._now(), slot.spec.id, offer_id=action.offer_id, reason=reason)
        )

    def _release_position(self, slot: PositionSlot) -> None:
        slot.leg, slot.ringing, slot.zip, slot.offer_id = None, False, None, ""
        self._drop_position_from_plan(slot.spec.id)
        self._remix()

"""pjsua2's call callbacks (incoming call, state, media, keys), sent to the line or position
the leg belongs to."""

from __future__ import annotations

import logging
from typing import Any

from drivers.roles import (
    CallerHungUp,
    DialFailed,
    DigitPressed,
    HangUpCause,
    LineAnswered,
    OfferNotPlaced,
    PositionAnswered,
    PositionDigitPressed,
    PositionFaulted,
    PositionHungUp,
    PositionInService,
    PositionRejected,
)
from drivers.sip.headers import caller_id_from_request, line_caller_id, split_host_port
from drivers.sip.line_calls import LineCalls
from drivers.sip.position_calls import PositionCalls
from drivers.sip.settings import PositionMode

log = logging.getLogger(__name__)


class CallProgress(LineCalls, PositionCalls):
    """Turns pjsua2's call callbacks into line and position events."""

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
                self._emit(PositionAnswered(now, leg.owner, offer_id=slot.offer_id))

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
            offer_id = pslot.offer_id
            self._release_position(pslot)
            if pslot.spec.mode is PositionMode.PERSISTENT:
                if was_talking:
                    self._emit(PositionHungUp(now, pslot.spec.id, offer_id=offer_id))
                self._emit(
                    PositionFaulted(now, pslot.spec.id, reason="the agent's dial-in call ended")
                )
            elif leg.local_hangup:
                return
            elif leg.confirmed:
                self._emit(PositionHungUp(now, pslot.spec.id, offer_id=offer_id))
            elif leg.unreached:
                # nothing came back from the phone: not the agent's miss (no auto-pause)
                self._emit(
                    OfferNotPlaced(
                        now,
                        pslot.spec.id,
                        offer_id=offer_id,
                        reason=f"the phone could not be reached ({code} {reason})".strip(),
                    )
                )
            else:
                self._emit(
                    PositionRejected(
                        now, pslot.spec.id, offer_id=offer_id, reason=f"{code} {reason}".strip()
                    )
                )

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

"""SIP lines: calls from and to gateways and trunks, their registration and keep-alive, and the
line actions."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from drivers.roles import (
    AdmissionAnswer,
    AnswerLine,
    CallArrived,
    CallerId,
    CallTurnedAway,
    DialFailed,
    DialOut,
    HangUpLine,
    LineAction,
    LineFaulted,
    LineInService,
    PlayMusic,
    PlayPrompt,
    PlayTone,
    PromptFinished,
    RecordMessage,
    RefuseCall,
    SendDigits,
    StopMedia,
    TurnedAwayReason,
)
from drivers.sip.capacity import RECORDERS_PER_LINE, BoxUse, admits_caller
from drivers.sip.errors import SipError
from drivers.sip.headers import line_caller_id, split_host_port, split_uri, uri_user
from drivers.sip.media_actions import MediaActions
from drivers.sip.settings import PositionMode, SipGateway
from drivers.sip.stack_state import (
    LineSlot,
)

log = logging.getLogger(__name__)


class LineCalls(MediaActions):
    """Gateway and trunk calls on the pjsua thread."""

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

    def _incoming_line_call(self, leg: Any, gateway: SipGateway, caller: CallerId) -> None:
        self._gateway_alive(gateway)
        free = self._free_lines(gateway)
        use = self._box_use()
        if free and admits_caller(use, self._limits, self._agent_legs_placed_per_call):
            slot = self._lines[free[0]]
            slot.leg, slot.outbound = leg, False
            leg.kind, leg.owner = "line", slot.line
            leg.respond(180)
            self._emit(CallArrived(self._now(), slot.line, caller=caller))
            return
        leg.kind = "refused"
        leg.respond(486)
        self._turn_away(
            gateway,
            caller,
            f"486: {use.legs} of {self._limits.max_calls} call legs in use,"
            f" {use.callers_without_agent_leg} kept for callers not yet put through",
        )

    def on_refused_by_library(self, source: str, msg: str, code: int) -> None:
        """pjsua answered an INVITE itself before the box heard of it: 486 when no call slot was
        left (a flood beyond the spare slot), 5xx when it could not set up the media. A gateway's
        caller is recorded like one the admission rule refused; anything else is only logged."""
        host, port = split_host_port(source)
        gateway = self._gateway_for(host, port)
        if gateway is None or self._stopping:
            log.warning("pjsua refused a SIP call from %s itself (%d)", source, code)
            return
        self._turn_away(gateway, line_caller_id(msg, gateway.id), f"{code} from pjsua itself")

    def _free_lines(self, gateway: SipGateway) -> list[str]:
        return [line for line in gateway.line_ids if self._lines[line].leg is None]

    def _turn_away(self, gateway: SipGateway, caller: CallerId, why: str) -> None:
        """Record a gateway's caller the box refused: box full while one of the gateway's lines
        was free, else every line busy (the gateway sent more calls than its `channels`; no line
        to name, so the gateway's id stands for it)."""
        free = self._free_lines(gateway)
        reason = TurnedAwayReason.BOX_FULL if free else TurnedAwayReason.LINES_BUSY
        line = free[0] if free else gateway.id
        log.warning(
            "%s: turned away the caller %s (%s): %s",
            line,
            caller.number or "(no number)",
            reason.value,
            why,
        )
        self._emit(CallTurnedAway(self._now(), line, caller=caller, reason=reason))

    def _take_bridged_caller(self, line: str) -> AdmissionAnswer:
        """A modem line's caller asks to be answered: taken by the same rule as a SIP line's
        caller (it has no leg of its own, but needs an agent leg like them)."""
        modem = self._modem_lines[line]
        if modem.caller_taken:
            return AdmissionAnswer(taken=True)
        use = self._box_use()
        if admits_caller(use, self._limits, self._agent_legs_placed_per_call):
            modem.caller_taken = True
            return AdmissionAnswer(taken=True)
        return AdmissionAnswer(
            taken=False,
            why=f"{use.legs} of {self._limits.max_calls} call legs in use,"
            f" {use.callers_without_agent_leg} kept for callers not yet put through",
        )

    def _release_bridged_caller(self, line: str) -> None:
        self._modem_lines[line].caller_taken = False

    def _box_use(self) -> BoxUse:
        """What the bridge holds now, each taken caller keeping room for their own media. A
        caller (of a SIP line, or a modem line's admitted one) still needs an agent leg while no
        phone talks with them; a phone's leg that talks with nobody yet (ringing, or answered and
        not yet bridged) is counted as theirs. A leg talking with another call (a three-way
        colleague) is not."""
        line_calls = sum(1 for slot in self._lines.values() if slot.leg is not None)
        waiting = sum(
            1
            for slot in self._lines.values()
            if slot.leg is not None and not slot.outbound and not self._plan.talks.get(slot.line)
        )
        waiting += sum(
            1
            for line, modem in self._modem_lines.items()
            if modem.caller_taken and not self._plan.talks.get(line)
        )
        talking = {position for talks in self._plan.talks.values() for position in talks}
        agent_legs_on_the_way = sum(
            1
            for position, slot in self._positions.items()
            if slot.leg is not None
            and slot.spec.mode is PositionMode.RING
            and position not in talking
        )
        zips = sum(1 for slot in self._positions.values() if slot.zip is not None)
        modem_music = sum(1 for modem in self._modem_lines.values() if modem.music is not None)
        return BoxUse(
            legs=len(self._legs),
            callers_without_agent_leg=max(0, waiting - agent_legs_on_the_way),
            players=line_calls + zips + modem_music,
            recorders=RECORDERS_PER_LINE * line_calls,
        )

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

    def _dial_out(self, slot: LineSlot, number: str) -> None:
        from drivers.sip import backend

        if slot.leg is not None:
            self._emit(DialFailed(self._now(), slot.line, reason="the line is busy"))
            return
        gateway = slot.gateway
        account = self._accounts[gateway.id]
        leg = backend.Leg(self._call_handler, account)
        leg.kind, leg.owner = "line", slot.line
        try:
            leg.dial(f"sip:{uri_user(number)}@{gateway.host}:{gateway.port}")
        except backend.Error as error:
            self._emit(DialFailed(self._now(), slot.line, reason=backend.describe(error)))
            return
        slot.leg, slot.outbound = leg, True
        self._legs[leg.getId()] = leg

    def _release_line(self, slot: LineSlot) -> None:
        """The line's call is over (or being ended by us): free the line for the next call."""
        slot.leg = None
        self._stop_player(slot, emit=True)
        self._finish_message(slot, emit=True)
        self._end_recording(slot)
        self._plan.talks.pop(slot.line, None)
        self._plan.supervisions.pop(slot.line, None)
        self._remix()

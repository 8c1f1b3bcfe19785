"""The keypad self-service of the 货物查询 branch: the caller keys a waybill number ending
with #, the shell looks it up in the tracking rows (LookUpWaybill → WaybillFound or
WaybillUnknown), and the status, place and time are read back from prompt pieces. A "0" after
the read-back, an unknown number or no number joins the queue with the waybill on the call
(the agent's screen pop); hanging up after the read-back ends the call as self_served."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from appliance.engine.calls import Call
from appliance.engine.commands import WaybillFound, WaybillUnknown
from appliance.engine.hours import zone
from appliance.engine.prompts import WAYBILL_STATUS_TEXTS
from appliance.engine.records import EndReason, LookUpWaybill, Verb
from appliance.engine.spoken_time import time_prompts
from appliance.engine.state import EngineState

KEYING = "keying"
LOOKING_UP = "looking_up"
HEARD = "heard"
WAYBILL_KEY_WAIT_S = 8.0  # no key for this long while keying: the number ends (or the queue)
LOOK_UP_WAIT_S = 5.0  # the shell did not answer the look-up (store trouble): on to an agent
AFTER_READ_BACK_WAIT_S = 8.0  # no "0" after the read-back: goodbye, served by the keypad
MAX_WAYBILL_DIGITS = 20
AGENT_KEY = "0"


class WaybillSelfService:
    """Keying, look-up and read-back for the queues with `waybill_self_service`."""

    def __init__(self, state: EngineState) -> None:
        self._s = state

    def wire(
        self,
        enter_queue: Callable[[Call, str], None],
        hang_up_line: Callable[[Call, EndReason], None],
    ) -> None:
        self._enter_queue = enter_queue
        self._hang_up_line = hang_up_line

    def start(self, call: Call, queue_id: str) -> None:
        """The caller chose the self-service queue in the menu: ask for the waybill number."""
        call.menu_plays = 0  # the menu no longer takes keys
        call.chosen_queue = queue_id
        call.waybill_step = KEYING
        call.waybill = ""
        self._s.play(call, ("waybill_enter",), "waybill_keys", True)

    def prompt_done(self, call: Call, after: str) -> None:
        self._s.cancel(call.menu_timer)
        wait_s = WAYBILL_KEY_WAIT_S if after == "waybill_keys" else AFTER_READ_BACK_WAIT_S
        call.menu_timer = self._s.schedule(wait_s, "waybill", call.id)

    def digit(self, call: Call, digit: str) -> None:
        s = self._s
        if call.waybill_step == KEYING:
            call.play_id = 0  # a key cut the prompt: its end no longer starts the wait
            s.cancel(call.menu_timer)
            if digit == "#":
                self._look_up(call)
            elif digit.isdigit() and len(call.waybill) < MAX_WAYBILL_DIGITS:
                call.waybill += digit
                call.menu_timer = s.schedule(WAYBILL_KEY_WAIT_S, "waybill", call.id)
            else:
                call.menu_timer = s.schedule(WAYBILL_KEY_WAIT_S, "waybill", call.id)
        elif call.waybill_step == HEARD and digit == AGENT_KEY:
            self._to_agent(call)

    def timed_out(self, call_id: str) -> None:
        call = self._s.calls.get(call_id)
        if call is None or not call.waybill_step:
            return
        call.menu_timer = 0
        if call.waybill_step == KEYING:
            self._look_up(call)
        elif call.waybill_step == LOOKING_UP:
            self._s.log(call.id, call.chosen_queue, "", Verb.WAYBILL, call.waybill, "not_answered")
            self._to_agent(call)
        elif call.waybill_step == HEARD:
            self._hang_up_line(call, EndReason.SELF_SERVED)

    def _look_up(self, call: Call) -> None:
        s = self._s
        s.cancel(call.menu_timer)
        call.menu_timer = 0
        if not call.waybill:
            self._to_agent(call)
            return
        call.waybill_step = LOOKING_UP
        s.out.append(LookUpWaybill(call.id, call.waybill))
        call.menu_timer = s.schedule(LOOK_UP_WAIT_S, "waybill", call.id)

    def on_found(self, event: WaybillFound) -> None:
        call = self._answered(event.call_id, "found")
        if call is not None:
            call.waybill_step = HEARD
            self._s.play(call, self.read_back(call.language, event), "waybill_heard", True)

    def on_unknown(self, event: WaybillUnknown) -> None:
        call = self._answered(event.call_id, "unknown")
        if call is not None:
            call.waybill_step = ""
            self._s.play(call, ("waybill_unknown",), "enter_queue")

    def _answered(self, call_id: str, result: str) -> Call | None:
        """The call still waiting for this look-up, its WAYBILL row logged; None if gone."""
        s = self._s
        call = s.calls.get(call_id)
        if call is None or call.waybill_step != LOOKING_UP:
            return None
        s.cancel(call.menu_timer)
        call.menu_timer = 0
        s.log(call.id, call.chosen_queue, "", Verb.WAYBILL, call.waybill, result)
        return call

    def _to_agent(self, call: Call) -> None:
        call.waybill_step = ""
        call.play_id = 0
        self._enter_queue(call, call.chosen_queue)

    def read_back(self, language: str, found: WaybillFound) -> tuple[str, ...]:
        """Status, place and time as prompt pieces: a piece per known status and recorded
        place, the generic "waybill_status_other"/"waybill_place_other" otherwise; the time
        in the depot's time zone as each language says it (spoken_time)."""
        status = found.status if found.status in WAYBILL_STATUS_TEXTS else "other"
        places = dict(self._s.setup.waybill_place_prompts)
        place = places.get(found.place, "waybill_place_other")
        depot_zone = zone(self._s.setup.hours.timezone)
        local = dt.datetime.fromtimestamp(found.updated_s, depot_zone)
        today = dt.datetime.fromtimestamp(self._s.now, depot_zone).date()
        return (
            "waybill_status_is",
            f"waybill_status_{status}",
            "waybill_place_is",
            place,
            "waybill_time_is",
            *time_prompts(local, today, language),
            "waybill_agent_key",
        )

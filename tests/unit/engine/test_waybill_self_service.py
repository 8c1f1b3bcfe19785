"""The 货物查询 keypad self-service: key a waybill number, hear its status, or reach an agent
with the keyed waybill on the screen pop."""

from __future__ import annotations

from engine_harness import T0, Harness, make_setup, queue

from appliance.engine.commands import WaybillFound, WaybillUnknown
from appliance.engine.records import (
    AgentNotice,
    CallbackRequested,
    EndReason,
    LookUpWaybill,
    NoticeKind,
    Verb,
)
from drivers.roles import HangUpLine, PlayMusic

NUMBER = "8000123456"


def depot(**fields: object) -> Harness:
    queues = (queue("cargo", waybill_self_service=True), queue("orders"), queue("complaints"))
    h = Harness(make_setup(queues=queues, **fields))  # type: ignore[arg-type]
    h.lines("l1")
    h.login("a1")
    h.clear()
    return h


def key_waybill(h: Harness, digits: str = NUMBER, end: str = "#") -> str:
    call_id = h.arrive()
    h.answer()
    h.press("l1", "1")
    for digit in digits + end:
        h.press("l1", digit)
    return call_id


def found(h: Harness, call_id: str, status: str = "in_transit", place: str = "广州") -> None:
    h.ev(WaybillFound, call_id=call_id, status=status, place=place, updated_s=T0)


def waybill_on_screen(h: Harness, call_id: str) -> str:
    view = next(c for c in h.engine.snapshot(h.now).calls if c.id == call_id)
    return view.waybill


def test_cargo_key_asks_for_waybill_not_the_queue() -> None:
    h = depot()
    call_id = h.arrive()
    h.answer()
    h.press("l1", "1")
    assert h.last_prompt("l1").prompts == ("waybill_enter",)
    assert Verb.ENTERQUEUE not in h.verbs(call_id)
    assert not h.of(PlayMusic)


def test_waybill_keyed_with_hash_is_looked_up() -> None:
    h = depot()
    call_id = key_waybill(h)
    assert h.of(LookUpWaybill) == [LookUpWaybill(call_id, NUMBER)]


def test_waybill_keys_stop_then_time_out_looks_up_what_was_keyed() -> None:
    h = depot()
    call_id = key_waybill(h, end="")
    assert not h.of(LookUpWaybill)
    h.advance(30)
    assert h.of(LookUpWaybill) == [LookUpWaybill(call_id, NUMBER)]


def test_found_waybill_is_read_back_status_place_and_time() -> None:
    h = depot()
    call_id = key_waybill(h)
    found(h, call_id)
    prompts = h.last_prompt("l1").prompts
    assert prompts[:4] == (
        "waybill_status_is",
        "waybill_status_in_transit",
        "waybill_place_is",
        "waybill_place_other",
    )
    # T0 is 2025-11-24 16:00 in Asia/Shanghai: 十一月二十四日十六点零分
    assert prompts[4:] == (
        "waybill_time_is",
        "num_11",
        "time_month",
        "num_20",
        "num_4",
        "time_day",
        "num_16",
        "time_hour",
        "num_0",
        "time_minute",
        "waybill_agent_key",
    )
    assert [e.data for e in h.log(call_id) if e.verb is Verb.WAYBILL] == [(NUMBER, "found")]


def test_english_caller_hears_the_time_as_an_english_speaker_says_it() -> None:
    h = depot()
    call_id = h.arrive()
    h.answer()
    h.press("l1", "9")  # English
    h.press("l1", "1")
    for digit in NUMBER + "#":
        h.press("l1", digit)
    # T0 is 16:00 today in Asia/Shanghai; the row is from yesterday 15:05
    h.ev(WaybillFound, call_id=call_id, status="held", place="广州", updated_s=T0 - 89_700)
    assert h.last_prompt("l1").language == "en"
    assert h.last_prompt("l1").prompts[4:] == (
        "waybill_time_is",
        "time_at",
        "num_3",
        "time_oh",
        "num_5",
        "time_pm",
        "date_yesterday",
        "waybill_agent_key",
    )


def test_found_waybill_with_recorded_place_and_unknown_status_reads_their_pieces() -> None:
    h = depot(waybill_place_prompts=(("广州", "place_guangzhou"),))
    call_id = key_waybill(h)
    found(h, call_id, status="lost_in_space")
    prompts = h.last_prompt("l1").prompts
    assert prompts[1] == "waybill_status_other"
    assert prompts[3] == "place_guangzhou"


def test_caller_hangs_up_after_read_back_is_self_served_not_abandoned() -> None:
    h = depot()
    call_id = key_waybill(h)
    found(h, call_id)
    h.finish_prompt("l1")
    h.hang_up()
    assert h.record(call_id).end_reason is EndReason.SELF_SERVED
    assert Verb.ABANDON not in h.verbs(call_id)
    assert not h.of(CallbackRequested)


def test_no_key_after_read_back_hangs_up_self_served() -> None:
    h = depot()
    call_id = key_waybill(h)
    found(h, call_id)
    h.finish_prompt("l1")
    h.advance(30)
    assert h.of(HangUpLine) == [HangUpLine("l1")]
    assert h.record(call_id).end_reason is EndReason.SELF_SERVED


def test_zero_after_read_back_queues_for_agent_with_waybill_on_screen() -> None:
    h = depot()
    call_id = key_waybill(h)
    found(h, call_id)
    h.press("l1", "0")
    assert [e.queue for e in h.log(call_id) if e.verb is Verb.ENTERQUEUE] == ["cargo"]
    assert waybill_on_screen(h, call_id) == NUMBER


def test_unknown_waybill_queues_for_agent_with_waybill_on_screen() -> None:
    h = depot()
    call_id = key_waybill(h)
    h.ev(WaybillUnknown, call_id=call_id)
    assert h.last_prompt("l1").prompts == ("waybill_unknown",)
    h.finish_prompt("l1")
    assert [e.queue for e in h.log(call_id) if e.verb is Verb.ENTERQUEUE] == ["cargo"]
    assert [e.data for e in h.log(call_id) if e.verb is Verb.WAYBILL] == [(NUMBER, "unknown")]
    assert waybill_on_screen(h, call_id) == NUMBER


def test_hash_without_digits_queues_for_agent() -> None:
    h = depot()
    call_id = key_waybill(h, digits="")
    assert not h.of(LookUpWaybill)
    assert [e.queue for e in h.log(call_id) if e.verb is Verb.ENTERQUEUE] == ["cargo"]


def test_key_during_waybill_prompt_does_not_cut_the_number_short() -> None:
    h = depot()
    call_id = h.arrive()
    h.answer()
    h.press("l1", "1")
    h.press("l1", "8")
    h.finish_prompt("l1", interrupted=True)  # the key cut the prompt
    h.advance(5)
    h.press("l1", "0")
    h.advance(5)
    h.press("l1", "#")
    assert h.of(LookUpWaybill) == [LookUpWaybill(call_id, "80")]


def test_caller_hangs_up_while_keying_is_abandoned_in_menu() -> None:
    h = depot()
    call_id = key_waybill(h, end="")
    h.hang_up()
    assert h.record(call_id).end_reason is EndReason.ABANDONED_IN_MENU


def test_agent_screen_pop_carries_the_keyed_waybill() -> None:
    h = depot()
    call_id = key_waybill(h)
    h.ev(WaybillUnknown, call_id=call_id)
    h.finish_prompt("l1")
    pops = [n for n in h.of(AgentNotice) if n.kind is NoticeKind.SCREEN_POP]
    assert [(n.agent, n.call_id, n.waybill) for n in pops] == [("a1", call_id, NUMBER)]


def test_look_up_never_answered_queues_for_agent_with_waybill() -> None:
    h = depot()
    call_id = key_waybill(h)
    h.advance(30)  # the store did not answer
    rows = [e.data for e in h.log(call_id) if e.verb is Verb.WAYBILL]
    assert rows == [(NUMBER, "not_answered")]
    assert [e.queue for e in h.log(call_id) if e.verb is Verb.ENTERQUEUE] == ["cargo"]
    assert waybill_on_screen(h, call_id) == NUMBER
    h.ev(WaybillFound, call_id=call_id, status="held", place="x", updated_s=T0)
    assert "waybill_status_held" not in h.last_prompt("l1").prompts  # too late: in the queue


def test_found_waybill_answered_in_time_is_not_sent_to_the_queue_later() -> None:
    h = depot()
    call_id = key_waybill(h)
    found(h, call_id)
    h.advance(3)
    h.finish_prompt("l1")
    h.hang_up()
    assert Verb.ENTERQUEUE not in h.verbs(call_id)
    assert h.record(call_id).end_reason is EndReason.SELF_SERVED

"""Before the queue: blacklist, opening hours, greeting and the DTMF menu."""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine_harness import T0, Harness, make_setup

from appliance.engine.records import CallbackRequested, EndReason, Verb
from appliance.engine.setup import OpeningHours
from drivers.roles import AnswerLine, HangUpLine, PlayMusic, RefuseCall

MENU_OPTIONS = ("menu_cargo", "menu_orders", "menu_complaints")

# T0 is Monday 16:00 in Asia/Shanghai
WEEKDAYS_9_TO_17 = (*(((9 * 60, 17 * 60),) for _ in range(5)), (), ())


def depot(**fields: Any) -> Harness:
    h = Harness(make_setup(**fields))
    h.lines("l1")
    h.login("a1")
    h.clear()
    return h


def queue_entered(h: Harness, call_id: str) -> str:
    entry = next(e for e in h.log(call_id) if e.verb is Verb.ENTERQUEUE)
    return entry.queue


def test_blacklisted_number_is_refused_blocked_and_ended() -> None:
    h = depot(blacklist=("13000000000",))
    call_id = h.arrive("l1", "13000000000")
    assert h.of(RefuseCall) == [RefuseCall("l1")]
    assert not h.of(AnswerLine)
    assert h.verbs(call_id) == [Verb.INBOUND, Verb.BLOCKED, Verb.HANGUP]
    assert h.log(call_id)[1].data == ("blacklist",)
    assert h.record(call_id).end_reason is EndReason.BLOCKED


def test_closed_hours_answers_plays_closed_prompt_and_hangs_up() -> None:
    h = depot(hours=OpeningHours(weekly=WEEKDAYS_9_TO_17))
    h.at_offset(2 * 3600)  # 18:00 local
    call_id = h.arrive()
    assert h.of(AnswerLine) == [AnswerLine("l1")]
    h.answer()
    assert h.last_prompt("l1").prompts == ("closed",)
    h.finish_prompt("l1")
    assert h.of(HangUpLine) == [HangUpLine("l1")]
    assert h.verbs(call_id) == [Verb.INBOUND, Verb.CLOSED, Verb.HANGUP]
    assert h.record(call_id).end_reason is EndReason.CLOSED_HOURS
    assert not h.of(CallbackRequested)


def test_open_hours_within_weekly_range_reaches_menu() -> None:
    h = depot(hours=OpeningHours(weekly=WEEKDAYS_9_TO_17))
    h.arrive()
    h.answer()
    assert h.last_prompt("l1").prompts[0] == "greeting"


def test_holiday_is_closed_all_day() -> None:
    h = depot(hours=OpeningHours(weekly=WEEKDAYS_9_TO_17, holidays=(dt.date(2025, 11, 24),)))
    call_id = h.arrive()
    h.answer()
    assert h.last_prompt("l1").prompts == ("closed",)
    assert Verb.CLOSED in h.verbs(call_id)
    assert not h.engine.snapshot(T0).open_now


def test_menu_digit_picks_the_queue() -> None:
    h = depot()
    call_id = h.arrive()
    h.answer()
    h.press("l1", "2")
    assert queue_entered(h, call_id) == "orders"


def test_menu_digit_for_staffed_queue_puts_caller_on_music() -> None:
    h = depot()
    h.arrive()
    h.answer()
    h.press("l1", "1")
    assert h.of(PlayMusic) == [PlayMusic("l1")]


def test_menu_no_key_replays_after_timeout_then_default_queue() -> None:
    h = depot()
    call_id = h.arrive()
    h.answer()
    h.finish_prompt("l1")
    h.advance(5.9)
    assert len([a for a in h.actions if a.__class__.__name__ == "PlayPrompt"]) == 1
    h.advance(0.1)
    replay = h.last_prompt("l1")
    assert replay.prompts == (*MENU_OPTIONS, "menu_language") and replay.barge_in
    h.finish_prompt("l1")
    h.advance(6)
    assert queue_entered(h, call_id) == "cargo"


def test_menu_invalid_key_says_so_and_replays() -> None:
    h = depot()
    h.arrive()
    h.answer()
    h.press("l1", "7")
    assert h.last_prompt("l1").prompts == ("menu_invalid", *MENU_OPTIONS, "menu_language")


def test_menu_invalid_keys_up_to_attempts_then_default_queue() -> None:
    h = depot()
    call_id = h.arrive()
    h.answer()
    h.press("l1", "7")
    h.press("l1", "8")
    assert queue_entered(h, call_id) == "cargo"


def test_menu_language_key_replays_menu_in_english() -> None:
    h = depot()
    call_id = h.arrive()
    h.answer()
    h.press("l1", "9")
    prompt = h.last_prompt("l1")
    assert prompt.language == "en"
    assert prompt.prompts == ("greeting", *MENU_OPTIONS)
    h.press("l1", "3")
    assert queue_entered(h, call_id) == "complaints"
    assert h.engine.snapshot(h.now).calls[0].language == "en"


def test_late_prompt_finished_of_interrupted_menu_is_ignored() -> None:
    h = depot()
    h.arrive()
    h.answer()
    menu_play = h.last_prompt("l1").play_id
    h.press("l1", "9")
    h.clear()
    from drivers.roles import PromptFinished

    h.ev(PromptFinished, line="l1", play_id=menu_play, interrupted=True)
    h.advance(60)  # the English menu never finished: no timer started from the old one
    assert h.actions == []


def test_line_with_fixed_queue_skips_the_menu() -> None:
    h = depot(line_queues=(("l1", "orders"),))
    call_id = h.arrive()
    h.answer()
    assert h.last_prompt("l1").prompts == ("greeting",)
    h.finish_prompt("l1")
    assert queue_entered(h, call_id) == "orders"


def test_caller_hanging_up_in_menu_after_answer_gets_callback_task() -> None:
    h = depot()
    call_id = h.arrive(number="13811112222")
    h.answer()
    h.hang_up()
    assert h.record(call_id).end_reason is EndReason.ABANDONED_IN_MENU
    task = h.of(CallbackRequested)[0]
    assert task.reason == "abandoned" and task.number == "13811112222"
    assert h.verbs(call_id) == [Verb.INBOUND, Verb.CALLBACKREQUEST, Verb.HANGUP]


def test_caller_hanging_up_before_answer_gets_no_callback() -> None:
    h = depot()
    call_id = h.arrive()
    h.hang_up()
    assert h.record(call_id).end_reason is EndReason.ABANDONED_IN_MENU
    assert not h.of(CallbackRequested)


def test_menu_without_options_sends_caller_to_default_queue_after_greeting() -> None:
    from appliance.engine.setup import Menu

    h = depot(menu=Menu(default_queue="cargo"))
    call_id = h.arrive()
    h.answer()
    assert h.last_prompt("l1").prompts == ("greeting",)
    h.finish_prompt("l1")
    assert queue_entered(h, call_id) == "cargo"

"""How callers leave a queue without an agent: overflow, full queue, empty queue, virtual
hold, abandon; and what they hear while waiting."""

from __future__ import annotations

from engine_harness import Harness, agent, make_setup, queue

from appliance.engine.commands import LogOut, Pause
from appliance.engine.records import CallbackRequested, EndReason, Verb
from appliance.engine.setup import Overflow, OverflowKind
from drivers.roles import (
    HangUpLine,
    MediaCapability,
    PlayMusic,
    PlayTone,
    RecordingFinished,
    RecordMessage,
    StopRinging,
    Tone,
)

LINES = ("l1", "l2", "l3", "l4")


def depot(*queues: object, agents: tuple[object, ...] | None = None, **fields: object) -> Harness:
    h = Harness(
        make_setup(
            queues=queues or (queue("cargo"),),  # type: ignore[arg-type]
            agents=agents or (agent("a1", "cargo"),),  # type: ignore[arg-type]
            line_queues=tuple((line, "cargo") for line in LINES),
            **fields,
        )
    )
    h.lines(*LINES)
    h.login("a1")
    h.ev(Pause, agent="a1")
    h.clear()
    return h


def wait_in_queue(h: Harness, line: str = "l1", number: str = "13800000001") -> str:
    call_id = h.arrive(line, number)
    h.answer(line)
    h.finish_prompt(line)
    return call_id


def test_max_wait_overflows_to_another_queue_keeping_entry_time() -> None:
    h = depot(
        queue("cargo", max_wait_s=60, overflow=Overflow(OverflowKind.QUEUE, "orders")),
        queue("orders"),
        agents=(agent("a1", "cargo"), agent("b1", "orders")),
    )
    h.login("b1")
    h.ev(Pause, agent="b1")
    call_id = wait_in_queue(h)
    entered = h.now
    h.advance(60)
    assert h.verbs(call_id)[-3:] == [Verb.EXITWITHTIMEOUT, Verb.OVERFLOW, Verb.ENTERQUEUE]
    timeout, overflow, enter = h.log(call_id)[-3:]
    assert timeout.queue == "cargo" and timeout.data == ("1", "1", "60.000")
    assert overflow.data == ("queue", "orders") and enter.queue == "orders"
    call = h.engine.snapshot(h.now).calls[0]
    assert call.queue == "orders" and call.enqueued_s == entered


def test_max_wait_overflow_to_voicemail_records_and_requests_callback() -> None:
    h = depot(queue("cargo", max_wait_s=60, overflow=Overflow(OverflowKind.VOICEMAIL)))
    call_id = wait_in_queue(h, number="13811112222")
    h.advance(60)
    assert h.last_prompt("l1").prompts == ("all_busy",)
    h.finish_prompt("l1")
    assert h.of(PlayTone)[0].tone is Tone.BEEP
    record = h.of(RecordMessage)[0]
    assert record.path == f"/vm/{call_id}-voicemail.wav"
    h.now += 20
    h.ev(RecordingFinished, line="l1", path=record.path, duration_s=19.5)
    assert h.last_prompt("l1").prompts == ("voicemail_saved",)
    task = h.of(CallbackRequested)[0]
    assert task.reason == "voicemail" and task.number == "13811112222"
    h.finish_prompt("l1")
    assert h.of(HangUpLine) == [HangUpLine("l1")]
    assert h.verbs(call_id)[-5:] == [
        Verb.EXITWITHTIMEOUT,
        Verb.OVERFLOW,
        Verb.VOICEMAIL,
        Verb.CALLBACKREQUEST,
        Verb.HANGUP,
    ]
    assert h.log(call_id)[-3].data == (f"/vm/{call_id}-voicemail.wav", "19.500")
    record = h.record(call_id)
    assert record.end_reason is EndReason.OVERFLOWED
    assert record.wait_s == 60  # waiting ended when the caller left the queue


def test_caller_hanging_up_during_voicemail_still_keeps_the_message() -> None:
    h = depot(queue("cargo", max_wait_s=60, overflow=Overflow(OverflowKind.VOICEMAIL)))
    call_id = wait_in_queue(h)
    h.advance(60)
    h.finish_prompt("l1")
    h.now += 8
    h.hang_up()
    assert Verb.VOICEMAIL in h.verbs(call_id)
    assert h.of(CallbackRequested)[0].reason == "voicemail"


def test_max_wait_overflow_to_callback_confirms_and_hangs_up() -> None:
    h = depot(queue("cargo", max_wait_s=60, overflow=Overflow(OverflowKind.CALLBACK)))
    call_id = wait_in_queue(h)
    h.advance(60)
    task = h.of(CallbackRequested)[0]
    assert task.reason == "callback_request" and task.queue == "cargo"
    assert task.due_s == h.now + 3 * 24 * 3600
    assert h.last_prompt("l1").prompts == ("callback_confirmed",)
    h.finish_prompt("l1")
    assert h.of(HangUpLine) == [HangUpLine("l1")]
    assert h.record(call_id).end_reason is EndReason.OVERFLOWED


def test_max_length_full_queue_exits_full_without_a_place_in_line() -> None:
    h = depot(queue("cargo", max_length=2, overflow=Overflow(OverflowKind.HANG_UP)))
    wait_in_queue(h, "l1")
    wait_in_queue(h, "l2")
    third = wait_in_queue(h, "l3")
    assert h.verbs(third) == [Verb.INBOUND, Verb.ENTERQUEUE, Verb.EXITFULL, Verb.OVERFLOW]
    assert [c.position_in_queue for c in h.engine.snapshot(h.now).calls] == [1, 2, 0]
    assert h.last_prompt("l3").prompts == ("sorry_try_later",)


def test_no_agent_logged_in_and_join_false_overflows_at_once() -> None:
    h = depot(queue("cargo", overflow=Overflow(OverflowKind.CALLBACK)))
    h.ev(LogOut, agent="a1")
    call_id = wait_in_queue(h)
    assert h.verbs(call_id) == [
        Verb.INBOUND,
        Verb.ENTERQUEUE,
        Verb.EXITEMPTY,
        Verb.OVERFLOW,
        Verb.CALLBACKREQUEST,
    ]


def test_no_agent_logged_in_and_join_true_waits() -> None:
    h = depot(queue("cargo", join_when_no_agents=True))
    h.ev(LogOut, agent="a1")
    call_id = wait_in_queue(h)
    assert h.verbs(call_id) == [Verb.INBOUND, Verb.ENTERQUEUE]


def test_last_agent_logging_out_makes_waiting_callers_leave() -> None:
    h = depot(queue("cargo", overflow=Overflow(OverflowKind.CALLBACK)))
    first = wait_in_queue(h, "l1")
    second = wait_in_queue(h, "l2")
    h.now += 30
    h.ev(LogOut, agent="a1")
    assert h.verbs(first)[-3:] == [Verb.EXITEMPTY, Verb.OVERFLOW, Verb.CALLBACKREQUEST]
    assert h.log(first)[-3].data == ("1", "1", "30.000")
    assert h.log(second)[-3].data == ("1", "2", "30.000")


def test_announcements_say_place_in_line_then_music_again() -> None:
    h = depot(queue("cargo", announce_every_s=30))
    wait_in_queue(h, "l1")
    wait_in_queue(h, "l2", "13800000002")
    h.advance(30)
    first = h.last_prompt("l1")
    second = h.last_prompt("l2")
    assert first.prompts == ("next_in_line", "virtual_hold_press", "num_1") and first.barge_in
    # Mandarin says how many are ahead: one
    assert second.prompts == (
        "position_is", "num_1", "in_line", "virtual_hold_press", "num_1"
    )  # fmt: skip
    h.finish_prompt("l2")
    assert h.of(PlayMusic)[-1] == PlayMusic("l2")
    assert h.engine.next_deadline() == h.now + 30


def test_announcement_in_english_says_place_and_estimated_wait() -> None:
    h = depot(queue("cargo", announce_every_s=30, wrap_up_s=0), language="en")
    from appliance.engine.commands import Ready
    from drivers.roles import PositionHungUp

    h.ev(Ready, agent="a1")
    wait_in_queue(h, "l1")
    h.pick_up("pos_a1")
    h.now += 240
    h.ev(PositionHungUp, position="pos_a1")  # the queue's handle time: 240 s
    wait_in_queue(h, "l2")
    h.pick_up("pos_a1")  # a1, the one agent taking calls, is busy
    wait_in_queue(h, "l3")
    wait_in_queue(h, "l4")
    h.advance(30)
    assert h.last_prompt("l4").prompts == (
        "position_is",
        "num_2",
        "in_line",
        "wait_about",
        "num_8",
        "minutes",
        "virtual_hold_press",
        "num_1",
    )


def test_virtual_hold_key_keeps_place_as_callback_due_now() -> None:
    h = depot(queue("cargo", announce_every_s=30))
    call_id = wait_in_queue(h)
    entered = h.now
    h.now += 45
    h.press("l1", "1")
    assert h.verbs(call_id)[-2:] == [Verb.EXITWITHKEY, Verb.CALLBACKREQUEST]
    assert h.log(call_id)[-2].data == ("1", "1", "1", "45.000")
    task = h.of(CallbackRequested)[0]
    assert task.reason == "virtual_hold" and task.due_s == h.now and task.entered_s == entered
    assert h.last_prompt("l1").prompts == ("callback_confirmed",)
    h.finish_prompt("l1")
    assert h.of(HangUpLine) == [HangUpLine("l1")]
    assert h.record(call_id).end_reason is EndReason.VIRTUAL_HOLD


def test_abandon_in_queue_logs_abandon_and_makes_callback_task() -> None:
    h = depot()
    call_id = wait_in_queue(h, number="13811112222")
    h.now += 12
    h.hang_up()
    assert h.verbs(call_id)[-3:] == [Verb.ABANDON, Verb.CALLBACKREQUEST, Verb.HANGUP]
    assert h.log(call_id)[-3].data == ("1", "1", "12.000")
    assert h.of(CallbackRequested)[0].reason == "abandoned"
    assert h.record(call_id).end_reason is EndReason.ABANDONED_IN_QUEUE


def test_abandon_while_ringing_cancels_ring_and_makes_callback_task() -> None:
    h = depot()
    from appliance.engine.commands import Ready

    h.ev(Ready, agent="a1")
    call_id = wait_in_queue(h)
    h.now += 5
    h.hang_up()
    assert h.of(StopRinging) == [StopRinging("pos_a1")]
    assert h.verbs(call_id)[-5:] == [
        Verb.OFFER,
        Verb.RINGCANCELED,
        Verb.ABANDON,
        Verb.CALLBACKREQUEST,
        Verb.HANGUP,
    ]
    assert h.record(call_id).end_reason is EndReason.ABANDONED_RINGING


def test_withheld_number_abandoning_gets_no_callback_task() -> None:
    h = depot()
    call_id = wait_in_queue(h, number="")
    h.hang_up()
    assert Verb.ABANDON in h.verbs(call_id)
    assert not h.of(CallbackRequested)


def test_half_duplex_line_goes_straight_to_overflow_after_menu() -> None:
    h = depot(queue("cargo", overflow=Overflow(OverflowKind.VOICEMAIL)))
    from appliance.engine.commands import Ready

    h.ev(Ready, agent="a1")
    h.lines("l4", media=MediaCapability.HALF_DUPLEX)
    call_id = wait_in_queue(h, "l4")
    assert h.rung() == []
    assert h.verbs(call_id) == [Verb.INBOUND, Verb.ENTERQUEUE, Verb.OVERFLOW]
    assert h.last_prompt("l4").prompts == ("all_busy",)


def test_virtual_hold_key_not_offered_yet_does_not_leave_queue() -> None:
    """Pressing 1 twice for the menu: the second 1 lands in the queue before any announcement
    offered virtual hold (here announcements are off): the caller stays in line."""
    h = depot(queue("cargo", announce_every_s=0))
    call_id = h.arrive("l1")
    h.answer("l1")
    h.finish_prompt("l1")
    h.press("l1", "1")
    assert Verb.EXITWITHKEY not in h.verbs(call_id)
    assert h.engine.snapshot(h.now).calls[0].position_in_queue == 1


def test_virtual_hold_prompt_names_the_queues_own_key() -> None:
    h = depot(queue("cargo", announce_every_s=30, virtual_hold_key="2"))
    call_id = wait_in_queue(h)
    h.advance(30)
    assert h.last_prompt("l1").prompts[-2:] == ("virtual_hold_press", "num_2")
    h.press("l1", "1")
    assert Verb.EXITWITHKEY not in h.verbs(call_id)
    h.press("l1", "2")
    exit_row = next(e for e in h.log(call_id) if e.verb is Verb.EXITWITHKEY)
    assert exit_row.data[0] == "2"


def test_virtual_hold_star_key_spoken_as_star() -> None:
    h = depot(queue("cargo", announce_every_s=30, virtual_hold_key="*"), language="en")
    wait_in_queue(h)
    h.advance(30)
    assert h.last_prompt("l1").prompts[-2:] == ("virtual_hold_press", "key_star")

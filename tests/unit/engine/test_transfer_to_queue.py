"""An agent hands the connected caller on to another queue (转队列): what the caller, the agent,
the queue log and the call record see."""

from __future__ import annotations

from typing import Any

import pytest
from engine_harness import T0, Harness, agent, make_setup, queue

from appliance.engine.commands import CommandRefused, Hold, Pause, Ready, TransferToQueue
from appliance.engine.records import EndReason, Verb
from appliance.engine.setup import OpeningHours, Strategy
from appliance.engine.views import AgentState
from drivers.roles import (
    Disconnect,
    HangUpPosition,
    PlayMusic,
    RingPosition,
    StopRecording,
)


def talking(*, record_calls: bool = False, **orders_fields: Any) -> tuple[Harness, str]:
    """a1 (cargo) talks to a caller on l1 after a 10 s wait; a3 (orders) is logged in, paused."""
    h = Harness(
        make_setup(
            queues=(
                queue("cargo", strategy=Strategy.LINEAR, wrap_up_s=20.0, record_calls=record_calls),
                queue("orders", **orders_fields),
            ),
            agents=(agent("a1", "cargo"), agent("a3", "orders")),
            line_queues=(("l1", "cargo"), ("l2", "orders")),
        )
    )
    h.lines("l1", "l2")
    for agent_id in ("a1", "a3"):
        h.login(agent_id)
        h.ev(Pause, agent=agent_id)
    call_id = h.arrive("l1", "13800000001")
    h.answer("l1")
    h.finish_prompt("l1")
    h.now += 10
    h.ev(Ready, agent="a1")
    h.pick_up("pos_a1")
    h.now += 30
    h.clear()
    return h, call_id


def states(h: Harness) -> dict[str, AgentState]:
    return {view.id: view.state for view in h.engine.snapshot(h.now).agents}


def test_transfer_to_queue_ends_the_agents_leg_and_puts_the_caller_in_line() -> None:
    h, call_id = talking()
    h.ev(TransferToQueue, agent="a1", queue="orders")
    assert h.actions[:2] == [Disconnect("l1", "pos_a1"), HangUpPosition("pos_a1")]
    assert PlayMusic("l1") in h.actions
    transfer, enter = (e for e in h.log(call_id) if e.verb in (Verb.TRANSFER, Verb.ENTERQUEUE))
    assert (transfer.queue, transfer.agent) == ("cargo", "a1")
    assert transfer.data == ("orders", "queue", "10.000", "30.000")
    assert (enter.queue, enter.data) == ("orders", ("", "13800000001", "0"))
    assert states(h)["a1"] is AgentState.WRAP_UP
    wrap = next(e for e in h.log() if e.verb is Verb.WRAPUPSTART)
    assert (wrap.queue, wrap.data) == ("cargo", ("20.000",))
    waiting = next(c for c in h.engine.snapshot(h.now).calls if c.id == call_id)
    assert waiting.queue == "orders" and waiting.position_in_queue == 1
    # the caller keeps their first queue entry: the longest wait counts from it
    assert waiting.enqueued_s == T0


def test_transferred_caller_answered_in_new_queue_gives_one_truthful_record() -> None:
    h, call_id = talking()
    h.ev(TransferToQueue, agent="a1", queue="orders")
    h.now += 25
    h.ev(Ready, agent="a3")
    assert h.of(RingPosition)[-1].position == "pos_a3"
    h.pick_up("pos_a3")
    connect = [e for e in h.log(call_id) if e.verb is Verb.CONNECT][-1]
    # the new queue's own wait: from the transfer, as a new caller of that queue
    assert (connect.queue, connect.agent, connect.data[0]) == ("orders", "a3", "25.000")
    h.now += 40
    h.hang_up("l1")
    record = h.record(call_id)
    assert (record.queue, record.agent, record.end_reason) == ("orders", "a3", EndReason.ANSWERED)
    # wait: 10 s before a1 plus 25 s in orders; talk: 30 s with a1 plus 40 s with a3
    assert (record.wait_s, record.talk_s) == (35.0, 70.0)
    assert h.verbs(call_id)[-2:] == [Verb.COMPLETECALLER, Verb.HANGUP]


def test_transferred_caller_hanging_up_in_line_ends_answered_with_wait_in_record() -> None:
    h, call_id = talking()
    h.ev(TransferToQueue, agent="a1", queue="orders")
    h.now += 12
    h.hang_up("l1")
    abandon = next(e for e in h.log(call_id) if e.verb is Verb.ABANDON)
    assert abandon.queue == "orders" and abandon.data[2] == "12.000"
    record = h.record(call_id)
    assert record.end_reason is EndReason.ANSWERED  # the caller was answered once (by a1)
    assert (record.wait_s, record.talk_s) == (22.0, 30.0)


def test_recording_goes_on_through_the_wait_and_stops_with_the_call() -> None:
    h, call_id = talking(record_calls=True)
    h.ev(TransferToQueue, agent="a1", queue="orders")
    assert StopRecording("l1") not in h.actions  # one recording a call, through the wait
    h.now += 5
    h.hang_up("l1")
    assert h.of(StopRecording) == [StopRecording("l1")]
    assert h.record(call_id).recording_path == f"/rec/{call_id}.wav"


def test_transfer_to_queue_from_hold_counts_the_hold() -> None:
    h, call_id = talking()
    h.ev(Hold, agent="a1")
    h.now += 8
    h.ev(TransferToQueue, agent="a1", queue="orders")
    h.now += 5
    h.hang_up("l1")
    assert h.record(call_id).hold_s == 8


@pytest.mark.parametrize(
    ("queue_id", "orders_fields", "message"),
    [
        ("returns", {}, "there is no queue 'returns'"),
        ("orders", {"max_length": 1}, "queue orders is full"),
        ("orders", {"paused_is_empty": True}, "nobody is taking calls in queue orders"),
    ],
)
def test_transfer_to_a_queue_that_would_refuse_the_caller_is_refused(
    queue_id: str, orders_fields: dict[str, Any], message: str
) -> None:
    h, _call_id = talking(**orders_fields)
    if orders_fields.get("max_length"):
        h.arrive("l2", "13800000002")
        h.answer("l2")
        h.finish_prompt("l2")
        h.clear()
    with pytest.raises(CommandRefused, match=message):
        h.ev(TransferToQueue, agent="a1", queue=queue_id)
    assert h.actions == []
    assert states(h)["a1"] is AgentState.ON_CALL


def test_transfer_to_a_closed_queue_is_refused() -> None:
    h = Harness(
        make_setup(
            queues=(queue("cargo"), queue("orders")),
            agents=(agent("a1", "cargo"), agent("a3", "orders")),
            line_queues=(("l1", "cargo"),),
            hours=OpeningHours(weekly=(((8 * 60, 18 * 60),),) * 7),
        )
    )
    h.lines("l1")
    h.login("a1")
    h.login("a3")
    h.arrive("l1")
    h.answer("l1")
    h.finish_prompt("l1")
    h.pick_up("pos_a1")
    h.now = T0 + 3 * 3600  # 19:00 in the depot: closed
    h.clear()
    with pytest.raises(CommandRefused, match="queue orders is closed now"):
        h.ev(TransferToQueue, agent="a1", queue="orders")


def test_transfer_to_queue_without_a_conversation_is_refused() -> None:
    h, _call_id = talking()
    with pytest.raises(CommandRefused, match="a3 is not in a conversation"):
        h.ev(TransferToQueue, agent="a3", queue="cargo")

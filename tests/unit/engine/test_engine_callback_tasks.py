"""Callback tasks as the callback list shows them (finding 6 of issue 12): one open task per
number, a repeat abandon adds to it, the customer's own answered call settles it, withheld
numbers get none, and a caller who hangs up in the "all busy, leave a message" prompt is an
abandon with a task. The engine's actions are kept by a real store, as the shell does."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine_harness import Harness, agent, make_setup, queue

from appliance.engine.commands import Pause, Ready
from appliance.engine.records import CallbackRequested, CallEnded, EndReason, Verb
from appliance.engine.setup import Overflow, OverflowKind
from appliance.runtime import STORABLE
from appliance.store import Store
from appliance.store.tasks import CALLED_AGAIN, CALLED_IN, CallbackTask
from drivers.roles import CallArrived, CallerId

NUMBER = "13800000001"


def _depot(**queue_fields: object) -> Harness:
    h = Harness(
        make_setup(
            queues=(queue("cargo", **queue_fields),),
            agents=(agent("a1", "cargo"),),
            line_queues=(("l1", "cargo"),),
        )
    )
    h.lines("l1")
    h.login("a1")
    h.ev(Pause, agent="a1")
    return h


def _abandon(h: Harness, number: str = NUMBER, wait_s: float = 30.0) -> str:
    call_id = h.arrive("l1", number)
    h.answer("l1")
    h.finish_prompt("l1")
    h.advance(wait_s)
    h.hang_up("l1")
    return call_id


def _kept(h: Harness, tmp_path: Path) -> tuple[list[CallbackTask], list[list[str]]]:
    """Record every action the harness saw, in order, in a store; the open tasks and each
    task's history outcomes."""

    async def main() -> tuple[list[CallbackTask], list[list[str]]]:
        store = await Store.open(tmp_path / "depot.db")
        try:
            await store.record([a for a in h.actions if isinstance(a, STORABLE)])
            open_tasks = await store.open_callback_tasks()
            first = [a for a in h.actions if isinstance(a, CallbackRequested)]
            histories = [
                [attempt.outcome for attempt in await store.callback_attempts(task.task_id)]
                for task in first[:1]
            ]
            return open_tasks, histories
        finally:
            await store.close()

    return asyncio.run(main())


def test_three_abandons_one_open_task_with_repeats_in_history(tmp_path: Path) -> None:
    h = _depot()
    for _ in range(3):
        _abandon(h)
        h.advance(60.0)
    open_tasks, (history,) = _kept(h, tmp_path)
    assert [(t.number, t.reason) for t in open_tasks] == [(NUMBER, "abandoned")]
    assert history == [CALLED_AGAIN, CALLED_AGAIN]


def test_answered_later_call_settles_open_task(tmp_path: Path) -> None:
    h = _depot()
    _abandon(h)
    _abandon(h)
    h.ev(Ready, agent="a1")
    h.advance(60.0)
    call_id = h.arrive("l1", NUMBER)
    h.answer("l1")
    h.finish_prompt("l1")
    h.pick_up("pos_a1")
    assert h.log(call_id)[-1].verb is Verb.CONNECT
    open_tasks, (history,) = _kept(h, tmp_path)
    assert open_tasks == []
    assert history == [CALLED_AGAIN, CALLED_IN]


def test_other_numbers_keep_their_own_tasks(tmp_path: Path) -> None:
    h = _depot()
    _abandon(h, NUMBER)
    _abandon(h, "13900000002")
    open_tasks, _ = _kept(h, tmp_path)
    assert sorted(t.number for t in open_tasks) == [NUMBER, "13900000002"]


def test_withheld_number_abandon_gets_no_task() -> None:
    h = _depot()
    h.ev(CallArrived, line="l1", caller=CallerId("", withheld="private"))
    h.answer("l1")
    h.finish_prompt("l1")
    h.advance(30.0)
    h.hang_up("l1")
    assert h.of(CallbackRequested) == []


def test_hang_up_in_leave_a_message_prompt_is_abandon_with_task() -> None:
    h = _depot(max_wait_s=120.0, overflow=Overflow(OverflowKind.VOICEMAIL))
    call_id = h.arrive("l1", NUMBER)
    h.answer("l1")
    h.finish_prompt("l1")
    h.advance(120.0)
    assert h.last_prompt("l1").prompts == ("all_busy",)
    h.now += 3.0
    h.hang_up("l1")  # during "all busy, please leave a message", before the beep
    assert Verb.ABANDON in h.verbs(call_id)
    assert [t.reason for t in h.of(CallbackRequested)] == ["abandoned"]
    record = h.record(call_id)
    assert record.end_reason is EndReason.ABANDONED_IN_QUEUE
    assert record.wait_s == 120.0


def test_withheld_kinds_stay_apart_in_the_call_record() -> None:
    """'private' (the caller withheld it) and 'unavailable' (the line could not deliver it) are
    different facts for the depot; both have no number and neither gets a task."""
    h = _depot()
    h.ev(CallArrived, line="l1", caller=CallerId("", withheld="private"))
    h.answer("l1")
    h.hang_up("l1")
    h.ev(CallArrived, line="l1", caller=CallerId("", withheld="unavailable"))
    h.answer("l1")
    h.hang_up("l1")
    h.arrive("l1", NUMBER)
    h.answer("l1")
    h.hang_up("l1")
    kinds = [(c.record.number, c.record.withheld) for c in h.of(CallEnded)]
    assert kinds == [("", "private"), ("", "unavailable"), (NUMBER, "")]

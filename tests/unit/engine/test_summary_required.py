"""A queue that requires the call summary (通话小结): the agent's wrap-up lasts until the
desk saved it; a supervisor can still force the agent ready or paused."""

from __future__ import annotations

import pytest
from engine_harness import Harness, agent, make_setup, queue

from appliance.engine.commands import (
    CommandRefused,
    PlaceCall,
    Ready,
    SummarySaved,
    Transfer,
    TransferToQueue,
)
from appliance.engine.commands import Pause as PauseCommand
from appliance.engine.records import Verb
from appliance.engine.views import AgentState, AgentView
from drivers.roles import RingPosition


def on_call(*, summary_required: bool = True, wrap_up_s: float = 10.0) -> tuple[Harness, str]:
    """a1 talks to a caller on l1 (queue cargo) for 60 s; a2 is free."""
    h = Harness(
        make_setup(
            queues=(
                queue("cargo", wrap_up_s=wrap_up_s, summary_required=summary_required),
                queue("orders"),
            ),
            agents=(agent("a1", "cargo"), agent("a2", "cargo", "orders")),
            line_queues=(("l1", "cargo"), ("l2", "cargo")),
        )
    )
    h.lines("l1", "l2")
    h.login("a1")
    call_id = h.arrive("l1")
    h.answer("l1")
    h.finish_prompt("l1")
    h.pick_up("pos_a1")
    h.login("a2")
    h.now += 60
    return h, call_id


def talked(*, summary_required: bool = True, wrap_up_s: float = 10.0) -> tuple[Harness, str]:
    """As on_call, and the caller has just hung up."""
    h, call_id = on_call(summary_required=summary_required, wrap_up_s=wrap_up_s)
    h.hang_up("l1")
    return h, call_id


def a1(h: Harness) -> AgentView:
    return next(view for view in h.engine.snapshot(h.now).agents if view.id == "a1")


def test_wrap_up_waits_past_its_time_until_the_summary_is_saved() -> None:
    h, call_id = talked()
    h.advance(30)
    assert a1(h).state is AgentState.WRAP_UP and a1(h).summary_pending
    assert a1(h).call_id == call_id
    assert Verb.WRAPUPEND not in h.verbs()
    h.clear()
    h.ev(SummarySaved, agent="a1", call_id=call_id)
    assert a1(h).state is AgentState.READY and not a1(h).summary_pending
    assert h.log()[0].verb is Verb.WRAPUPEND and h.log()[0].data == ("30.000",)


def test_summary_saved_early_lets_the_wrap_up_end_on_its_timer() -> None:
    h, call_id = talked()
    h.ev(SummarySaved, agent="a1", call_id=call_id)
    assert a1(h).state is AgentState.WRAP_UP and not a1(h).summary_pending
    h.advance(10)
    assert a1(h).state is AgentState.READY


def test_summary_saved_while_talking_means_none_is_owed() -> None:
    h, call_id = on_call()
    h.ev(SummarySaved, agent="a1", call_id=call_id)
    h.hang_up("l1")
    assert not a1(h).summary_pending
    h.advance(10)
    assert a1(h).state is AgentState.READY


def test_summary_of_another_call_does_not_end_the_wait() -> None:
    h, _call_id = talked()
    h.advance(30)
    h.ev(SummarySaved, agent="a1", call_id="an-older-call")
    assert a1(h).state is AgentState.WRAP_UP and a1(h).summary_pending


def test_agent_cannot_end_a_wrap_up_owing_a_summary_but_a_supervisor_can() -> None:
    h, _call_id = talked()
    with pytest.raises(CommandRefused, match="must save the call summary"):
        h.ev(Ready, agent="a1")
    with pytest.raises(CommandRefused, match="must save the call summary"):
        h.ev(PlaceCall, agent="a1", number="13800000009")
    h.ev(Ready, agent="a1", by="boss")
    assert a1(h).state is AgentState.READY


def test_supervisor_forced_pause_ends_the_wait_for_the_summary() -> None:
    h, _call_id = talked()
    h.advance(30)
    h.ev(PauseCommand, agent="a1", reason="meeting", by="boss")
    assert a1(h).state is AgentState.PAUSED and not a1(h).summary_pending
    assert Verb.WRAPUPEND in h.verbs()


def test_agents_own_pause_keeps_the_wait_for_the_summary() -> None:
    h, call_id = talked()
    h.advance(30)
    h.ev(PauseCommand, agent="a1", reason="lunch")
    assert a1(h).state is AgentState.WRAP_UP and a1(h).summary_pending
    h.ev(SummarySaved, agent="a1", call_id=call_id)
    assert a1(h).state is AgentState.PAUSED


def test_wrap_up_of_zero_still_waits_for_a_required_summary() -> None:
    h, call_id = talked(wrap_up_s=0.0)
    assert a1(h).state is AgentState.WRAP_UP and a1(h).summary_pending
    h.ev(SummarySaved, agent="a1", call_id=call_id)
    assert a1(h).state is AgentState.READY


def test_without_the_setting_wrap_up_ends_on_its_timer() -> None:
    h, _call_id = talked(summary_required=False)
    assert not a1(h).summary_pending
    h.advance(10)
    assert a1(h).state is AgentState.READY


def test_agent_who_transfers_owes_the_summary_the_colleague_does_not_yet() -> None:
    h = Harness(
        make_setup(
            queues=(queue("cargo", summary_required=True), queue("orders")),
            agents=(agent("a1", "cargo"), agent("a2", "cargo"), agent("a3", "orders")),
            line_queues=(("l1", "cargo"),),
        )
    )
    h.lines("l1")
    for agent_id in ("a1", "a2", "a3"):
        h.login(agent_id)
    h.arrive("l1")
    h.answer("l1")
    h.finish_prompt("l1")
    position = h.of(RingPosition)[-1].position
    h.pick_up(position)
    first = "a1" if position == "pos_a1" else "a2"
    other = "a2" if first == "a1" else "a1"
    h.ev(Transfer, agent=first, to_agent=other)
    h.pick_up(f"pos_{other}")
    views = {view.id: view for view in h.engine.snapshot(h.now).agents}
    assert views[first].summary_pending and views[other].state is AgentState.ON_CALL
    h.ev(TransferToQueue, agent=other, queue="orders")
    views = {view.id: view for view in h.engine.snapshot(h.now).agents}
    assert views[other].summary_pending and views["a3"].state is AgentState.RINGING

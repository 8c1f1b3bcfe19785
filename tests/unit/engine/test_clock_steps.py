"""The box's clock stepped while the daemon runs (NTP on a Pi without RTC): set back by
seconds to minutes, or forward by hours. Nothing shown or recorded comes out negative."""

from __future__ import annotations

from engine_harness import Harness, agent, make_setup, queue

from appliance.engine.commands import Pause
from appliance.engine.views import AgentState

SET_BACK_S = 90.0


def _depot() -> Harness:
    h = Harness(
        make_setup(
            queues=(queue("cargo", wrap_up_s=30.0),),
            agents=(agent("a1", "cargo"), agent("a2", "cargo")),
            line_queues=(("l1", "cargo"),),
        )
    )
    h.lines("l1")
    return h


def test_snapshot_after_clock_set_back_shows_no_negative_time_in_state_or_wait() -> None:
    h = _depot()
    h.login("a1")
    h.advance(10.0)
    h.login("a2")  # a2 ready since now
    h.ev(Pause, agent="a1")
    call_id = h.arrive("l1")
    h.answer("l1")
    h.finish_prompt("l1")
    # the monitor, the phone bar and the wallboard ask for the picture on the box's clock,
    # which NTP has just set back
    snapshot = h.engine.snapshot(h.now - SET_BACK_S)
    assert snapshot.calls and snapshot.calls[0].id == call_id
    for seen in snapshot.agents:
        if seen.state is not AgentState.LOGGED_OUT:
            assert snapshot.time_s - seen.since_s >= 0.0, seen
    for call in snapshot.calls:
        assert snapshot.time_s - (call.enqueued_s or call.arrived_s) >= 0.0, call

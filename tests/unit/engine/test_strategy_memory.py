"""Each agent's day (calls and talk time) for fewest-calls and least-talk-time: rebuilt from
today's queue log when the daemon starts, and counting only conversations the agent led —
not failed dials, not three-way joins (finding 9 of issue 12)."""

from __future__ import annotations

from test_call_control import states, talking
from test_routing import depot_with, direct_call

from appliance.engine.commands import Pause, PlaceCall, Ready, ThreeWay
from appliance.engine.engine import Engine
from appliance.engine.memory import agents_today
from appliance.engine.setup import Strategy
from drivers.roles import DialFailed, PositionAnswered, PositionHungUp


def _calls_today(h: object, agent_id: str) -> int:
    agents = h.engine.snapshot(h.now).agents  # type: ignore[attr-defined]
    return next(a.calls_today for a in agents if a.id == agent_id)


def test_failed_dial_not_counted_in_calls_today() -> None:
    h, _call_id = talking()
    h.ev(PlaceCall, agent="a2", number="13900000009")
    h.ev(PositionAnswered, position="pos_a2")
    h.ev(DialFailed, line="l2", reason="busy")
    assert states(h)["a2"].value == "ready"
    assert _calls_today(h, "a2") == 0


def test_three_way_join_not_counted_in_calls_today() -> None:
    h, _call_id = talking()
    h.ev(ThreeWay, agent="a1", with_agent="a2")
    h.ev(PositionAnswered, position="pos_a2")
    h.now += 30
    h.ev(PositionHungUp, position="pos_a2")
    assert _calls_today(h, "a2") == 0


def _busy_day() -> tuple[object, list[object]]:
    """a1 takes three calls of 100 s, then (a1 paused) a2 one of 10 s."""
    h = depot_with(Strategy.LINEAR, agents=2)
    for agent_id, talk_s in [("a1", 100.0), ("a1", 100.0), ("a1", 100.0), ("a2", 10.0)]:
        if agent_id == "a2":
            h.ev(Pause, agent="a1")
        direct_call(h, "l1")
        h.pick_up(f"pos_{agent_id}")
        h.now += talk_s
        h.hang_up("l1")
        h.now += 60
    h.ev(Ready, agent="a1")
    return h, h.log()


def test_fewest_calls_after_restart_remembers_todays_calls() -> None:
    h, log = _busy_day()
    memory = agents_today(log)  # type: ignore[arg-type]
    assert (memory["a1"].calls, memory["a2"].calls) == (3, 1)
    assert (memory["a1"].talk_s, memory["a2"].talk_s) == (300.0, 10.0)
    restarted = depot_with(Strategy.FEWEST_CALLS, agents=2)
    restarted.engine = Engine(
        restarted.engine._s.setup, strict=True, agents_today=memory
    )  # the daemon started again with today's log
    restarted.lines("l1")
    restarted.login("a1")
    restarted.login("a2")
    restarted.now = h.now  # type: ignore[attr-defined]
    restarted.clear()
    direct_call(restarted, "l1")
    assert restarted.rung() == ["pos_a2"], "a2 has had fewer calls today"

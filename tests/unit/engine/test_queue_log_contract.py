"""The queue log the engine writes, folded by the figures reducer, tells the same story as
the engine's own snapshot (APIS.md: engine and reducer share one agent-state rule)."""

from __future__ import annotations

from collections import Counter

from engine_harness import Harness, agent, make_setup, queue

from appliance.engine.commands import LogOut, Pause, PlaceCall, Ready, Transfer
from appliance.engine.records import QueueLogEntry
from appliance.engine.setup import Strategy
from appliance.engine.views import AgentState
from appliance.stats.figures import Figures
from drivers.roles import LineAnswered, PositionAnswered, PositionHungUp


class Checked:
    """A harness whose every queue-log entry is folded into Figures as it is written."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.figures = Figures(timezone="Asia/Shanghai")
        self.folded = 0

    def check(self) -> None:
        entries = [a for a in self.h.actions if isinstance(a, QueueLogEntry)]
        for entry in entries[self.folded :]:
            self.figures.fold(entry)
        self.folded = len(entries)
        board = self.figures.wallboard(self.h.now)
        states = Counter(v.state for v in self.h.engine.snapshot(self.h.now).agents)
        assert board.agents_ready == states[AgentState.READY]
        assert board.agents_on_call == states[AgentState.ON_CALL] + states[AgentState.RINGING]
        assert board.agents_wrap_up == states[AgentState.WRAP_UP]
        assert board.agents_paused == states[AgentState.PAUSED]
        waiting = [c for c in self.h.engine.snapshot(self.h.now).calls if c.position_in_queue]
        assert board.calls_waiting == len(waiting)


def direct(h: Harness, line: str) -> str:
    call_id = h.arrive(line, "13800000001")
    h.answer(line)
    h.finish_prompt(line)
    return call_id


def test_engine_queue_log_and_reducer_agree_through_a_busy_spell() -> None:
    h = Harness(
        make_setup(
            queues=(queue("cargo", strategy=Strategy.RING_ALL, wrap_up_s=20.0),),
            agents=tuple(agent(f"a{i}", "cargo") for i in range(1, 5)),
            line_queues=tuple((f"l{i}", "cargo") for i in range(1, 5)),
        )
    )
    h.lines("l1", "l2", "l3", "l4")
    c = Checked(h)
    for i in range(1, 5):
        h.login(f"a{i}")
    c.check()
    h.ev(Pause, agent="a4", reason="lunch")
    direct(h, "l1")  # rings a1, a2, a3
    c.check()
    h.pick_up("pos_a2")
    c.check()
    direct(h, "l2")  # rings a1, a3
    h.advance(15)  # nobody answers
    c.check()
    h.advance(2)
    h.pick_up("pos_a1")
    c.check()
    h.ev(Transfer, agent="a2", to_agent="a3")
    c.check()
    h.ev(PositionAnswered, position="pos_a3")  # a2 to wrap-up, a3 on the call
    c.check()
    h.ev(Ready, agent="a4")
    h.ev(PlaceCall, agent="a4", number="13900000000")
    c.check()
    h.ev(PositionAnswered, position="pos_a4")
    h.ev(LineAnswered, line="l3")
    c.check()
    h.now += 30
    h.ev(PositionHungUp, position="pos_a4")
    c.check()
    h.hang_up("l1")
    c.check()
    direct(h, "l4")
    h.advance(25)
    c.check()
    h.ev(LogOut, agent="a1")
    c.check()
    h.advance(60)
    c.check()
    report = c.figures.report(h.now)
    assert report.totals.offered == 3
    assert report.totals.answered == 2


def test_engine_queue_log_and_reducer_agree_on_three_way_survey_and_faults() -> None:
    from appliance.engine.commands import ThreeWay
    from drivers.roles import DigitPressed, PositionFaulted, PositionInService

    h = Harness(
        make_setup(
            queues=(queue("cargo", strategy=Strategy.LINEAR, wrap_up_s=10.0, survey=True),),
            agents=tuple(agent(f"a{i}", "cargo") for i in range(1, 4)),
            line_queues=tuple((f"l{i}", "cargo") for i in range(1, 4)),
        )
    )
    h.lines("l1", "l2", "l3")
    c = Checked(h)
    for i in range(1, 4):
        h.login(f"a{i}")
    direct(h, "l1")
    h.pick_up("pos_a1")
    h.ev(ThreeWay, agent="a1", with_agent="a2")
    c.check()
    h.ev(PositionAnswered, position="pos_a2")
    c.check()
    h.now += 30
    h.ev(PositionHungUp, position="pos_a1")  # survey follows; both agents are done
    c.check()
    h.finish_prompt("l1")
    h.ev(DigitPressed, line="l1", digit="5")
    h.finish_prompt("l1")
    c.check()
    direct(h, "l2")
    first = h.rung()[-1]
    h.pick_up(first)
    h.ev(PositionFaulted, position=first)  # caller back to the head of the queue
    c.check()
    h.advance(10)  # wrap-ups end: another agent gets the caller
    c.check()
    second = h.rung()[-1]
    assert second != first
    h.ev(PositionInService, position=first)
    h.pick_up(second)
    h.hang_up("l2")
    h.advance(30)
    c.check()
    assert c.figures.report(h.now).totals.answered == 2

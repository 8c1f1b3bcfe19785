"""Agents auto-paused for missed offers that were their position's fault, not theirs: put back
when the position is in service again, with an UNPAUSE the supervisor can read."""

from __future__ import annotations

from engine_harness import Harness, agent, make_setup, queue
from test_routing import direct_call

from appliance.engine.commands import Pause, Ready
from appliance.engine.records import Verb
from appliance.engine.views import AgentState
from drivers.roles import PositionFaulted, PositionInService

PHONE_GONE = "the phone sip:a1@192.168.1.61 does not answer SIP OPTIONS"


def depot() -> Harness:
    """One queue, agent a1 paused after two misses in a row, line l1; a1 logged in."""
    h = Harness(
        make_setup(
            queues=(queue("cargo", retry_s=1.0, wrap_up_s=0.0),),
            agents=(agent("a1", "cargo", max_missed_offers=2),),
            line_queues=(("l1", "cargo"),),
        )
    )
    h.lines("l1")
    h.login("a1")
    return h


def paused_for_misses() -> Harness:
    """a1 misses two offers and is paused "missed"; the caller hangs up."""
    h = depot()
    direct_call(h)
    h.advance(15)  # the first offer times out
    h.advance(1)
    h.advance(15)  # and the second
    assert [e.data for e in h.agent_log("a1") if e.verb is Verb.PAUSE] == [("missed",)]
    h.hang_up("l1")
    return h


def state(h: Harness) -> AgentState:
    return h.engine.snapshot(h.now).agents[0].state


def test_paused_for_misses_then_position_faults_is_unpaused_when_it_is_back() -> None:
    h = paused_for_misses()
    h.advance(40)  # the phone is found silent a while after the misses
    h.ev(PositionFaulted, position="pos_a1", reason=PHONE_GONE)
    assert state(h) is AgentState.PAUSED  # nothing to offer on a dead phone anyway
    h.advance(300)
    h.ev(PositionInService, position="pos_a1")
    unpauses = [e for e in h.agent_log("a1") if e.verb is Verb.UNPAUSE]
    assert [e.data for e in unpauses] == [("position_restored",)]
    assert state(h) is AgentState.READY
    direct_call(h)  # and the next caller reaches them
    assert h.rung()[-1] == "pos_a1"


def test_paused_for_misses_long_before_an_unrelated_fault_stays_paused() -> None:
    h = paused_for_misses()
    h.advance(3600)  # the agent walked away; an hour later the phone is unplugged
    h.ev(PositionFaulted, position="pos_a1", reason=PHONE_GONE)
    h.ev(PositionInService, position="pos_a1")
    assert Verb.UNPAUSE not in [e.verb for e in h.agent_log("a1")]
    assert state(h) is AgentState.PAUSED


def test_agent_who_pauses_themselves_during_the_fault_stays_paused_when_it_clears() -> None:
    h = paused_for_misses()
    h.ev(PositionFaulted, position="pos_a1", reason=PHONE_GONE)
    h.send(Pause(h.now, agent="a1", reason="lunch"))
    h.ev(PositionInService, position="pos_a1")
    assert [e.data for e in h.agent_log("a1") if e.verb is Verb.PAUSE][-1] == ("lunch",)
    assert Verb.UNPAUSE not in [e.verb for e in h.agent_log("a1")]
    assert state(h) is AgentState.PAUSED


def test_agent_made_ready_during_the_fault_gets_no_second_unpause() -> None:
    h = paused_for_misses()
    h.ev(PositionFaulted, position="pos_a1", reason=PHONE_GONE)
    h.send(Ready(h.now, agent="a1"))
    h.ev(PositionInService, position="pos_a1")
    assert [e.data for e in h.agent_log("a1") if e.verb is Verb.UNPAUSE] == [()]


def test_a_miss_before_a_fault_does_not_count_towards_the_next_pause() -> None:
    h = depot()
    direct_call(h)
    h.advance(15)  # one miss on the failing phone
    h.ev(PositionFaulted, position="pos_a1", reason=PHONE_GONE)
    h.ev(PositionInService, position="pos_a1")
    h.advance(1)
    h.advance(15)  # one more miss after it is back: one in a row, not two
    assert Verb.PAUSE not in [e.verb for e in h.agent_log("a1")]
    assert h.engine.snapshot(h.now).agents[0].missed_offers == 1

"""Which agent a queue offers a call to: strategies, tiers, VIPs, retries, missed offers."""

from __future__ import annotations

from engine_harness import Harness, agent, make_setup, queue

from appliance.engine.commands import Pause, Ready
from appliance.engine.records import Verb
from appliance.engine.setup import Strategy, Tier
from appliance.engine.views import AgentState
from drivers.roles import PositionHungUp, PositionRejected, RingPosition, StopRinging


def depot_with(
    strategy: Strategy, agents: int = 3, seed: int = 0, **queue_fields: object
) -> Harness:
    fields = {"wrap_up_s": 0.0, **queue_fields}
    harness = Harness(
        make_setup(
            queues=(queue("cargo", strategy=strategy, **fields),),
            agents=tuple(agent(f"a{i}", "cargo") for i in range(1, agents + 1)),
            line_queues=(("l1", "cargo"), ("l2", "cargo"), ("l3", "cargo")),
        ),
        seed=seed,
    )
    harness.lines("l1", "l2", "l3")
    for i in range(1, agents + 1):
        harness.login(f"a{i}")
        harness.now += 1
    return harness


def direct_call(h: Harness, line: str = "l1", number: str = "13800000001") -> str:
    """A caller on a line that goes straight to the queue (greeting, then the queue)."""
    call_id = h.arrive(line, number)
    h.answer(line)
    h.finish_prompt(line)
    return call_id


def answered_call(h: Harness, talk_s: float = 10.0) -> str:
    """One call: returns the position that got it; the agent talks `talk_s` and hangs up."""
    before = len(h.rung())
    direct_call(h)
    position = h.rung()[before]
    h.pick_up(position)
    h.now += talk_s
    h.ev(PositionHungUp, position=position)
    h.now += 1
    return position


def test_longest_idle_offers_to_agent_idle_longest() -> None:
    h = depot_with(Strategy.LONGEST_IDLE)
    assert answered_call(h) == "pos_a1"  # logged in first
    assert answered_call(h) == "pos_a2"
    assert answered_call(h) == "pos_a3"
    assert answered_call(h) == "pos_a1"


def test_round_robin_carries_on_after_last_agent_offered_across_calls() -> None:
    h = depot_with(Strategy.ROUND_ROBIN)
    h.ev(Pause, agent="a1")
    assert answered_call(h) == "pos_a2"
    h.ev(Ready, agent="a1")
    # a1 idled longest, but the memory says a3 is next
    assert answered_call(h) == "pos_a3"
    assert answered_call(h) == "pos_a1"
    assert answered_call(h) == "pos_a2"


def test_linear_always_offers_to_first_listed_free_agent() -> None:
    h = depot_with(Strategy.LINEAR)
    assert [answered_call(h) for _ in range(3)] == ["pos_a1", "pos_a1", "pos_a1"]
    h.ev(Pause, agent="a1")
    assert answered_call(h) == "pos_a2"


def test_fewest_calls_prefers_agent_with_fewest_calls_today() -> None:
    h = depot_with(Strategy.FEWEST_CALLS)
    h.ev(Pause, agent="a2")
    h.ev(Pause, agent="a3")
    answered_call(h)
    answered_call(h)  # a1: two calls
    h.ev(Ready, agent="a2")
    h.ev(Pause, agent="a1")
    answered_call(h)  # a2: one call
    h.ev(Ready, agent="a1")
    h.ev(Ready, agent="a3")  # a3: no call, but idle for the shortest time
    assert answered_call(h) == "pos_a3"
    assert answered_call(h) == "pos_a2"


def test_least_talk_time_prefers_agent_with_least_talk_today() -> None:
    h = depot_with(Strategy.LEAST_TALK_TIME, agents=2)
    h.ev(Pause, agent="a2")
    answered_call(h, talk_s=100)  # a1: one call, 100 s
    h.ev(Pause, agent="a1")
    h.ev(Ready, agent="a2")
    answered_call(h, talk_s=5)
    answered_call(h, talk_s=5)  # a2: two calls, 10 s
    h.ev(Ready, agent="a1")
    assert answered_call(h, talk_s=5) == "pos_a2"


def test_random_is_reproducible_by_seed() -> None:
    def picks(seed: int) -> list[str]:
        h = depot_with(Strategy.RANDOM, seed=seed)
        return [answered_call(h) for _ in range(12)]

    first = picks(7)
    assert picks(7) == first
    assert len(set(first)) > 1


def test_ring_all_rings_every_free_agent_and_first_answer_takes_it() -> None:
    h = depot_with(Strategy.RING_ALL)
    call_id = direct_call(h)
    assert h.rung() == ["pos_a1", "pos_a2", "pos_a3"]
    h.clear()
    h.pick_up("pos_a2")
    assert h.of(StopRinging) == [StopRinging("pos_a1"), StopRinging("pos_a3")]
    cancelled = [e.agent for e in h.log(call_id) if e.verb is Verb.RINGCANCELED]
    assert cancelled == ["a1", "a3"]
    assert h.log(call_id)[-1].verb is Verb.CONNECT and h.log(call_id)[-1].agent == "a2"


def test_ring_timeout_stops_ringing_then_retries_next_agent_after_retry_s() -> None:
    h = depot_with(Strategy.LONGEST_IDLE, ring_timeout_s=15.0, retry_s=2.0)
    call_id = direct_call(h)
    assert h.rung() == ["pos_a1"]
    h.advance(15)
    assert h.of(StopRinging) == [StopRinging("pos_a1")]
    no_answer = h.log(call_id)[-1]
    assert no_answer.verb is Verb.RINGNOANSWER and no_answer.data == ("15000",)
    h.advance(1.9)
    assert h.rung() == ["pos_a1"]
    h.advance(0.1)
    assert h.rung() == ["pos_a1", "pos_a2"]


def test_rejected_offer_logs_ringrejected_and_moves_on() -> None:
    h = depot_with(Strategy.LINEAR, retry_s=0.0)
    call_id = direct_call(h)
    h.ev(PositionRejected, position="pos_a1", reason="busy")
    assert [e.verb for e in h.log(call_id)][-2:] == [Verb.RINGREJECTED, Verb.OFFER]
    assert h.log(call_id)[-2].data == ("busy",)
    assert h.rung() == ["pos_a1", "pos_a2"]


def test_agent_missing_max_offers_is_paused_with_reason_missed() -> None:
    h = Harness(
        make_setup(
            queues=(queue("cargo", retry_s=1.0),),
            agents=(agent("a1", "cargo", max_missed_offers=2),),
            line_queues=(("l1", "cargo"),),
        )
    )
    h.lines("l1")
    h.login("a1")
    direct_call(h)
    h.advance(15)
    h.advance(1)
    assert h.rung() == ["pos_a1", "pos_a1"]
    h.advance(15)
    pause = [e for e in h.agent_log("a1") if e.verb is Verb.PAUSE]
    assert [e.data for e in pause] == [("missed",)]
    view = h.engine.snapshot(h.now).agents[0]
    assert view.state is AgentState.PAUSED and view.pause_reason == "missed"
    h.advance(60)
    assert len(h.rung()) == 2  # paused agents get no offers


def test_one_agent_is_never_offered_two_calls_at_once() -> None:
    h = depot_with(Strategy.RING_ALL, agents=1)
    direct_call(h, "l1")
    direct_call(h, "l2")
    assert h.rung() == ["pos_a1"]
    h.advance(15)  # no answer: a1 free again, next offer goes to one caller only
    h.advance(2)
    rings = h.of(RingPosition)
    assert len(rings) == 2
    assert len({r.call_id for r in rings}) == 2  # the second caller (head after retry) got it


def tier_depot(escalation_s: float = 30.0) -> Harness:
    h = Harness(
        make_setup(
            queues=(queue("cargo", tier_escalation_s=escalation_s, wrap_up_s=0.0),),
            agents=(
                agent("g1", "cargo", tier=Tier.GENERAL),
                agent("s1", "cargo", tier=Tier.SKILLED),
                agent("e1", "cargo", tier=Tier.EXPERT),
            ),
            line_queues=(("l1", "cargo"),),
        )
    )
    h.lines("l1")
    return h


def test_tiers_offer_lowest_tier_first_and_escalate_after_wait() -> None:
    h = tier_depot()
    for agent_id in ("g1", "s1", "e1"):
        h.login(agent_id)
    h.ev(Pause, agent="g1")
    direct_call(h)
    assert h.rung() == []
    h.advance(29.9)
    assert h.rung() == []
    h.advance(0.1)
    assert h.rung() == ["pos_s1"]


def test_tiers_escalate_one_level_per_escalation_interval() -> None:
    h = tier_depot()
    for agent_id in ("g1", "s1", "e1"):
        h.login(agent_id)
    h.ev(Pause, agent="g1")
    h.ev(Pause, agent="s1")
    direct_call(h)
    h.advance(30)
    assert h.rung() == []
    h.advance(30)
    assert h.rung() == ["pos_e1"]


def test_tiers_nobody_logged_in_at_lowest_tier_means_no_wait_for_it() -> None:
    h = tier_depot()
    h.login("s1")
    direct_call(h)
    assert h.rung() == ["pos_s1"]


def test_vip_caller_jumps_ahead_of_waiting_callers() -> None:
    h = Harness(
        make_setup(
            queues=(queue("cargo"),),
            agents=(agent("a1", "cargo"),),
            line_queues=(("l1", "cargo"), ("l2", "cargo"), ("l3", "cargo")),
            vip_numbers=("13999999999",),
        )
    )
    h.lines("l1", "l2", "l3")
    h.login("a1")
    h.ev(Pause, agent="a1")
    first_id = direct_call(h, "l1", "13800000001")
    h.now += 1
    direct_call(h, "l2", "13800000002")
    h.now += 1
    vip_id = direct_call(h, "l3", "13999999999")
    places = {c.id: c.position_in_queue for c in h.engine.snapshot(h.now).calls}
    assert places[vip_id] == 1 and places[first_id] == 2
    h.ev(Ready, agent="a1")
    assert h.of(RingPosition)[0].call_id == vip_id
    enter = next(e for e in h.log(vip_id) if e.verb is Verb.ENTERQUEUE)
    assert enter.data == ("", "13999999999", "1")


def test_fifo_within_a_priority_class() -> None:
    h = depot_with(Strategy.LINEAR, agents=1)
    h.ev(Pause, agent="a1")
    first_id = direct_call(h, "l1", "1")
    h.now += 1
    direct_call(h, "l2", "2")
    h.ev(Ready, agent="a1")
    assert h.of(RingPosition)[0].call_id == first_id


def test_ring_all_time_out_stops_every_phone_and_counts_a_miss_each() -> None:
    h = depot_with(Strategy.RING_ALL, retry_s=3.0)
    call_id = direct_call(h)
    h.advance(15)
    assert sorted(s.position for s in h.of(StopRinging)) == ["pos_a1", "pos_a2", "pos_a3"]
    misses = [e.agent for e in h.log(call_id) if e.verb is Verb.RINGNOANSWER]
    assert sorted(misses) == ["a1", "a2", "a3"]
    h.advance(3)
    assert len(h.rung()) == 6  # everybody rung again after retry_s


def test_tier_escalation_counts_the_whole_wait_after_overflow() -> None:
    from appliance.engine.setup import Overflow, OverflowKind

    h = Harness(
        make_setup(
            queues=(
                queue("cargo", max_wait_s=40, overflow=Overflow(OverflowKind.QUEUE, "orders")),
                queue("orders", tier_escalation_s=30.0),
            ),
            agents=(
                agent("c1", "cargo"),
                agent("g1", "orders", tier=Tier.GENERAL),
                agent("s1", "orders", tier=Tier.SKILLED),
            ),
            line_queues=(("l1", "cargo"),),
        )
    )
    h.lines("l1")
    for agent_id in ("c1", "g1", "s1"):
        h.login(agent_id)
    h.ev(Pause, agent="c1")
    h.ev(Pause, agent="g1")
    direct_call(h)
    h.advance(40)  # overflow to orders after 40 s: already past one escalation step
    assert h.rung() == ["pos_s1"]

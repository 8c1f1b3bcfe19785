"""The event contract names the offer: an answer connects only the caller it was offered, an
answer for an offer that is gone ends that agent's leg ("answered elsewhere"), and an agent
freed by an event is offered the next caller only after that event is done."""

from __future__ import annotations

from test_routing import depot_with, direct_call

from appliance.engine.records import Verb
from appliance.engine.setup import Strategy
from drivers.roles import Connect, HangUpPosition, OfferNotPlaced, RingPosition


def _connects(h: object, call_id: str) -> list[object]:
    return [e for e in h.log(call_id) if e.verb is Verb.CONNECT]  # type: ignore[attr-defined]


def test_ring_all_late_answer_for_taken_caller_never_connects_next_caller() -> None:
    h = depot_with(Strategy.RING_ALL, agents=2)
    first = direct_call(h, "l1")
    second = direct_call(h, "l2")
    a2_offer_for_first = h.last_offer_id("pos_a2")
    h.pick_up("pos_a1")  # a1 takes caller 1; a2 is freed and rung for caller 2
    assert h.last_offer_id("pos_a2") != a2_offer_for_first
    h.clear()
    out = h.pick_up("pos_a2", offer_id=a2_offer_for_first)  # a2's answer, sent for caller 1
    assert _connects(h, second) == []
    assert not [a for a in out if isinstance(a, Connect)]
    assert HangUpPosition("pos_a2", offer_id=a2_offer_for_first) in out
    assert [e.agent for e in _connects(h, first)] == []  # caller 1 stays with a1 only
    h.pick_up("pos_a2")  # a2 then answers caller 2's own ring
    assert [e.agent for e in _connects(h, second)] == ["a2"]


def test_answer_after_caller_hung_up_never_connects_next_caller() -> None:
    h = depot_with(Strategy.LONGEST_IDLE, agents=1)
    direct_call(h, "l1")
    second = direct_call(h, "l2")
    offer_for_first = h.last_offer_id("pos_a1")
    h.hang_up("l1")  # caller 1 gives up; a1 is rung for caller 2
    h.pick_up("pos_a1", offer_id=offer_for_first)
    assert _connects(h, second) == []
    assert HangUpPosition("pos_a1", offer_id=offer_for_first) in h.actions


def test_answer_at_exact_ring_timeout_never_connects_next_caller() -> None:
    h = depot_with(Strategy.LONGEST_IDLE, agents=1, ring_timeout_s=15.0)
    first = direct_call(h, "l1")
    second = direct_call(h, "l2")
    offer_for_first = h.last_offer_id("pos_a1")
    h.now += 15.0  # the answer arrives exactly when the ring times out
    h.pick_up("pos_a1", offer_id=offer_for_first)
    assert Verb.RINGNOANSWER in h.verbs(first)
    assert _connects(h, second) == []


def test_every_ring_carries_its_own_offer_id() -> None:
    h = depot_with(Strategy.RING_ALL, agents=3)
    direct_call(h, "l1")
    ids = [a.offer_id for a in h.of(RingPosition)]
    assert len(ids) == 3 and all(ids) and len(set(ids)) == 3


def test_agent_freed_by_hang_up_offered_next_caller_after_hang_up_recorded() -> None:
    h = depot_with(Strategy.LONGEST_IDLE, agents=1)
    first = direct_call(h, "l1")
    h.pick_up("pos_a1")
    second = direct_call(h, "l2")
    h.clear()
    h.hang_up("l1")
    order = [(e.call_id, e.verb) for e in h.log() if e.verb in (Verb.HANGUP, Verb.OFFER)]
    assert order == [(first, Verb.HANGUP), (second, Verb.OFFER)]


def test_offer_not_placed_by_box_not_charged_to_agent_and_caller_keeps_place() -> None:
    h = depot_with(Strategy.LONGEST_IDLE, agents=1, retry_s=2.0)
    first = direct_call(h, "l1")
    offer_id = h.last_offer_id("pos_a1")
    h.clear()
    h.ev(OfferNotPlaced, position="pos_a1", offer_id=offer_id, reason="no call leg left")
    assert Verb.RINGNOANSWER not in h.verbs() and Verb.RINGREJECTED not in h.verbs()
    assert Verb.PAUSE not in h.verbs()
    assert Verb.RINGCANCELED in h.verbs(first)
    assert h.engine.snapshot(h.now).agents[0].missed_offers == 0
    h.advance(2.0)  # after the queue's retry pause the caller is offered again, first in line
    assert h.rung() == ["pos_a1"]
    h.pick_up("pos_a1")
    assert [e.agent for e in _connects(h, first)] == ["a1"]

"""No setup makes a timer fire at the instant it fired again: setup validation refuses
periods ≤ 0 where 0 is not "off", announcements switched off mid-wait stop, and handle()
refuses a burst of timers at one instant (raises when strict, drops them otherwise)."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from engine_harness import Harness, agent, make_setup, queue

from appliance.engine.commands import CommandRefused, SetupChanged
from appliance.engine.engine import Engine
from appliance.engine.records import Verb
from appliance.engine.setup import Menu, SetupInvalid
from appliance.engine.timers import RunawayTimers
from drivers.roles import PlayPrompt


def _waiting_caller_offered(announce_every_s: float) -> Harness:
    """One caller whose announcement timer is pending while a1's phone rings for them."""
    h = Harness(
        make_setup(
            queues=(queue("cargo", announce_every_s=announce_every_s, ring_timeout_s=60.0),),
            agents=(agent("a1", "cargo"),),
            line_queues=(("l1", "cargo"),),
        )
    )
    h.lines("l1")
    h.login("a1")
    call_id = h.arrive("l1")
    h.answer("l1")
    h.finish_prompt("l1")
    assert Verb.OFFER in h.verbs(call_id)
    return h


@pytest.mark.timeout(20)
def test_announcement_turned_off_while_agent_rings_stops_announcing() -> None:
    h = _waiting_caller_offered(announce_every_s=30.0)
    setup = h.engine._s.setup  # the harness's own setup, changed as the settings page does
    off = dataclasses.replace(
        setup, queues=(dataclasses.replace(setup.queues[0], announce_every_s=0.0),)
    )
    h.ev(SetupChanged, setup=off)
    h.clear()
    h.advance(30.0)  # the pending announcement fires while a1's phone rings: it must return
    h.advance(30.0)
    assert not [p for p in h.of(PlayPrompt) if "next_in_line" in p.prompts]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ring_timeout_s", 0.0),
        ("ring_timeout_s", -5.0),
        ("announce_every_s", -1.0),
        ("retry_s", -2.0),
        ("tier_escalation_s", float("nan")),
        ("sl_threshold_s", 0.0),
    ],
)
def test_setup_with_period_at_or_below_zero_refused(field: str, value: float) -> None:
    bad = make_setup(queues=(queue("cargo", **{field: value}),))
    with pytest.raises(SetupInvalid, match=f"queue cargo: {field}"):
        Engine(bad)
    h = Harness(make_setup())
    with pytest.raises(CommandRefused, match=field):
        h.ev(SetupChanged, setup=bad)


def test_setup_with_menu_timeout_zero_refused() -> None:
    with pytest.raises(SetupInvalid, match="menu: timeout_s"):
        Engine(make_setup(menu=Menu(timeout_s=0.0)))


def test_zero_meaning_off_accepted() -> None:
    Engine(
        make_setup(
            queues=(
                queue("cargo", announce_every_s=0, max_wait_s=0, retry_s=0, wrap_up_s=0),
                queue("orders"),
                queue("complaints"),
            )
        )
    )


def _self_renewing_timer(h: Harness) -> None:
    """A timer kind that sets itself again at the same instant: the fault the bound catches."""
    state = h.engine._s

    def again(subject: object) -> None:
        state.schedule(0.0, "retry", subject)

    h.engine._timer_handlers["retry"] = again
    state.schedule(1.0, "retry", "runaway")


@pytest.mark.timeout(20)
def test_timer_renewing_itself_at_same_instant_raises_when_strict() -> None:
    h = Harness(make_setup())
    _self_renewing_timer(h)
    with pytest.raises(RunawayTimers, match="retry"):
        h.advance(1.0)


@pytest.mark.timeout(20)
def test_timer_renewing_itself_in_production_logged_and_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    h = Harness(make_setup())
    h.engine._strict = False
    _self_renewing_timer(h)
    with caplog.at_level(logging.ERROR):
        h.advance(1.0)
    assert "keeps setting itself again" in caplog.text
    assert h.engine.next_deadline() is None
    h.advance(1.0)  # and the engine goes on

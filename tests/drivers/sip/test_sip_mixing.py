"""Who hears whom on the bridge for each call-control state (Q6, Q8)."""

from __future__ import annotations

from drivers.roles import ListenMode
from drivers.sip.mixing import MixPlan, Supervision, Talk, wanted_edges

CALLER, AGENT, AGENT2, SUP = "line:gw1", "pos:pos1", "pos:pos2", "pos:sup"


def talking(**talk: bool) -> MixPlan:
    return MixPlan(talks={"gw1": {"pos1": Talk(**talk)}})


def test_connected_caller_and_agent_hear_each_other() -> None:
    assert wanted_edges(talking()) == {(CALLER, AGENT), (AGENT, CALLER)}


def test_held_caller_hears_music_and_agent_hears_nothing() -> None:
    plan = talking(held=True)
    plan.line_players.add("gw1")
    assert wanted_edges(plan) == {("play:line:gw1", CALLER)}


def test_muted_caller_is_not_heard_by_agent_but_hears_agent() -> None:
    assert wanted_edges(talking(muted=True)) == {(AGENT, CALLER)}


def test_three_way_everybody_hears_everybody() -> None:
    plan = MixPlan(talks={"gw1": {"pos1": Talk(), "pos2": Talk()}})
    assert wanted_edges(plan) == {
        (CALLER, AGENT),
        (AGENT, CALLER),
        (CALLER, AGENT2),
        (AGENT2, CALLER),
        (AGENT, AGENT2),
        (AGENT2, AGENT),
    }


def test_supervisor_listen_whisper_barge() -> None:
    base = {(CALLER, AGENT), (AGENT, CALLER), (CALLER, SUP), (AGENT, SUP)}
    for mode, extra in (
        (ListenMode.LISTEN, set()),
        (ListenMode.WHISPER, {(SUP, AGENT)}),
        (ListenMode.BARGE, {(SUP, AGENT), (SUP, CALLER)}),
    ):
        plan = talking()
        plan.supervisions["gw1"] = [Supervision("pos1", "sup", mode)]
        assert wanted_edges(plan) == base | extra, mode


def test_recording_takes_caller_and_live_agents_not_music() -> None:
    plan = talking()
    plan.recorded_lines.add("gw1")
    assert wanted_edges(plan) == {
        (CALLER, AGENT),
        (AGENT, CALLER),
        (CALLER, "rec:gw1"),
        (AGENT, "rec:gw1"),
    }
    plan.talks["gw1"]["pos1"].held = True
    assert wanted_edges(plan) == {(CALLER, "rec:gw1")}


def test_zip_tone_reaches_persistent_position() -> None:
    plan = MixPlan(position_players={"pos1"})
    assert wanted_edges(plan) == {("play:pos:pos1", AGENT)}


def test_barging_supervisor_is_recorded_listening_one_is_not() -> None:
    plan = talking()
    plan.recorded_lines.add("gw1")
    plan.supervisions["gw1"] = [Supervision("pos1", "sup", ListenMode.LISTEN)]
    assert (SUP, "rec:gw1") not in wanted_edges(plan)
    plan.supervisions["gw1"] = [Supervision("pos1", "sup", ListenMode.BARGE)]
    assert (SUP, "rec:gw1") in wanted_edges(plan)

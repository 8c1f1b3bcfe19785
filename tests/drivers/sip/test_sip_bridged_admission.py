"""The admission rule for a modem line bridged into SIP, counted with the SIP lines' callers on
a stack that is not started (the counting needs no pjsua2): a modem caller keeps room for their
agent leg until an agent talks with them, and gives it back when their call ends."""

from __future__ import annotations

from drivers.roles import AdmissionAnswer, LineAudio
from drivers.sip import SipGateway, SipPosition, SipStack
from drivers.sip.capacity import BuildLimits, admits_caller
from drivers.sip.mixing import Talk

NO_AUDIO = LineAudio(take_received=lambda: None, put_to_send=lambda frame: None)


def stack_of_four_legs() -> SipStack:
    """Two gateway channels, two ring-mode phones, two modem lines; 4 call legs (3 usable)."""
    stack = SipStack(
        gateways=[SipGateway(id="gw1", host="127.0.0.2", channels=2, options_interval_s=0)],
        positions=[
            SipPosition(id=f"pos{n}", uri=f"sip:agent{n}@127.0.0.3", options_interval_s=0)
            for n in (1, 2)
        ],
        line_audio={"fxo0": NO_AUDIO, "fxo1": NO_AUDIO},
    )
    stack._limits = BuildLimits(4, 64, 64, 256, 1024)  # what the library start would set
    return stack


def leg_up(stack: SipStack, leg_id: int) -> object:
    leg = object()
    stack._legs[leg_id] = leg
    return leg


def test_bridged_admission_modem_callers_keep_room_for_their_agent_legs_then_give_it_back() -> None:
    stack = stack_of_four_legs()
    assert stack._take_bridged_caller("fxo0") == AdmissionAnswer(taken=True)  # 0 + its agent leg
    # a gateway caller: its own leg and its agent's, with the modem caller's agent leg kept
    stack._lines["gw1-1"].leg = leg_up(stack, 1)
    refused = stack._take_bridged_caller("fxo1")
    assert refused == AdmissionAnswer(
        taken=False, why="1 of 4 call legs in use, 2 kept for callers not yet put through"
    )
    # the modem caller talks with pos1 (its agent leg exists): no longer kept for
    stack._positions["pos1"].leg = leg_up(stack, 2)
    stack._plan.talks["fxo0"] = {"pos1": Talk()}
    assert not stack._take_bridged_caller("fxo1").taken  # 2 legs + the gateway caller's agent
    # the modem caller's call ends and the agent's leg goes: room for the next modem caller
    stack._release_bridged_caller("fxo0")
    del stack._plan.talks["fxo0"]
    stack._positions["pos1"].leg = None
    del stack._legs[2]
    assert stack._take_bridged_caller("fxo1").taken
    assert stack._box_use().callers_without_agent_leg == 2  # the gateway caller and fxo1's


def test_bridged_admission_taken_modem_caller_refuses_the_sip_caller_its_agent_leg_needs() -> None:
    stack = stack_of_four_legs()
    assert stack._take_bridged_caller("fxo0").taken
    assert stack._take_bridged_caller("fxo1").taken  # two agent legs kept: 2 of 3 usable
    use = stack._box_use()
    assert (use.legs, use.callers_without_agent_leg) == (0, 2)
    # a gateway caller now would need its own leg and its agent's: 4 of 3
    leg_up(stack, 1)
    assert not admits_caller(stack._box_use(), stack._limits, agent_leg_needed=True)

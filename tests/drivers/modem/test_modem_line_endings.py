"""How calls on a modem line end when nobody signals it: a caller who rang and stopped before the
box answered (a missed call), and a caller who left a quiet line without a hang-up signal. The
real driver (real pyserial) against the simulator on a pty."""

from __future__ import annotations

from pathlib import Path

import pytest
from modem_harness import LineUnderTest, run_line

from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    CallerId,
    CallTurnedAway,
    DigitPressed,
    HangUpCause,
    LineAnswered,
    PlayMusic,
    TurnedAwayReason,
)


@pytest.mark.parametrize(
    ("number", "name", "uk", "expected"),
    [
        ("0151234567", "ONE RING", False, CallerId("0151234567", "ONE RING")),
        ("", "", False, CallerId()),
        ("02079460000", "", True, CallerId("02079460000", "")),
    ],
    ids=["number-received", "no-caller-id", "uk-caller-id-before-ring"],
)
def test_modem_line_call_that_rings_once_and_stops_is_a_missed_call(
    tmp_path: Path, number: str, name: str, uk: bool, expected: CallerId
) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.incoming_call(number, name, rings=1)
        missed = await line.next(CallTurnedAway)
        assert missed.caller == expected
        assert missed.reason is TurnedAwayReason.MISSED_AT_LINE
        # the line still works, and the missed call was reported once
        await line.answered_call("0159999999", "NEXT")

    line = run_line(tmp_path, scenario, "usr", {"caller_id_before_ring": uk})
    assert line.kinds().count("CallTurnedAway") == 1
    assert line.kinds().index("CallTurnedAway") < line.kinds().index("CallArrived")
    assert line.sim.offhook_times and len(line.sim.offhook_times) == 1  # only the next call


def test_modem_line_caller_id_without_any_ring_is_a_missed_call(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.incoming_call("01619496000", "NO RING", rings=0)
        missed = await line.next(CallTurnedAway)
        assert missed.caller == CallerId("01619496000", "NO RING")

    run_line(tmp_path, scenario, "usr", {"caller_id_before_ring": True})


def test_modem_line_offered_call_that_stops_ringing_is_a_hang_up_not_a_missed_call(
    tmp_path: Path,
) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.incoming_call("5550000", "IMPATIENT", rings=3)
        await line.next(CallArrived)
        await line.next(CallerHungUp)
        await line.answered_call("0159999999", "NEXT")

    line = run_line(tmp_path, scenario, "usr")
    assert "CallTurnedAway" not in line.kinds()


def test_modem_line_answered_call_is_never_a_missed_call(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.incoming_call("0151111111", "TAKEN", rings=2)
        await line.next(CallArrived)
        await line.driver.perform(AnswerLine("fxo0"))
        await line.next(LineAnswered)
        line.sim.hang_up("loop_break")
        await line.next(CallerHungUp)
        line.sim.incoming_call("0153333333", "LATER", rings=1)
        assert (await line.next(CallTurnedAway)).caller.number == "0153333333"

    line = run_line(tmp_path, scenario, "usr")
    assert line.kinds().count("CallTurnedAway") == 1


def test_modem_line_caller_gone_without_signal_during_music_ends_silent_on_hook(
    tmp_path: Path,
) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(PlayMusic("fxo0"))
        await line.sim_until(lambda: line.sim.heard_s > 0.2)
        line.sim.hang_up("none")  # the exchange signals nothing at all
        gone = await line.next(CallerHungUp, timeout_s=10)
        assert gone.cause is HangUpCause.SILENCE
        await line.sim_until(lambda: not line.sim.offhook)

    line = run_line(tmp_path, scenario, "usr", quiet_line_s=1.0)
    assert line.kinds().count("CallerHungUp") == 1
    assert line.transcript[-2:] == ["> AT+VLS=0", "< OK"]


def test_modem_line_caller_pressing_keys_is_not_taken_for_a_quiet_line(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(PlayMusic("fxo0"))
        line.sim.press("1234", gap_s=0.6)  # 1.8 s of keys, each within the 1 s quiet limit
        digits = [(await line.next(DigitPressed)).digit for _ in range(4)]
        assert digits == ["1", "2", "3", "4"]
        line.sim.hang_up("none")
        assert (await line.next(CallerHungUp, timeout_s=10)).cause is HangUpCause.SILENCE

    line = run_line(tmp_path, scenario, "usr", quiet_line_s=1.0)
    assert line.kinds().index("CallerHungUp") > max(
        i for i, kind in enumerate(line.kinds()) if kind == "DigitPressed"
    )


def test_modem_line_caller_talking_in_duplex_is_not_taken_for_a_quiet_line(
    tmp_path: Path,
) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        line.sim.speak(2.0)  # twice the quiet limit of talk
        assert await line.driver.start_duplex("fxo0")
        gone = await line.next(CallerHungUp, timeout_s=10)
        assert gone.cause is HangUpCause.SILENCE
        # the call lasted through the talk: the caller's voice kept it up
        answered = next(e for e in line.events if isinstance(e, LineAnswered))
        assert gone.time_s - answered.time_s >= 2.0

    line = run_line(tmp_path, scenario, "generic", {"full_duplex": True}, quiet_line_s=1.0)
    assert "> AT+VTR" in line.transcript

"""A modem line bridged into SIP asks the box before it answers a caller: when the box is full
the line rings on unanswered and the caller is turned away once; a caller it took gives the room
back however their call ends. The real driver (real pyserial) against the simulator on a pty."""

from __future__ import annotations

import asyncio
from pathlib import Path

from modem_harness import LineUnderTest, run_line

from drivers.roles import (
    AdmissionAnswer,
    CallArrived,
    CallerHungUp,
    CallTurnedAway,
    HangUpLine,
    LineFaulted,
    TurnedAwayReason,
)


class BoxRoom:
    """The box's side as the SIP stack answers it: room for `room` callers at once."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.taken = 0
        self.asked = 0

    async def take(self) -> AdmissionAnswer:
        self.asked += 1
        if self.taken < self.room:
            self.taken += 1
            return AdmissionAnswer(taken=True)
        return AdmissionAnswer(taken=False, why="2 of 3 call legs in use")

    def release(self) -> None:
        assert self.taken > 0, "room given back that was never taken"
        self.taken -= 1


def test_modem_line_on_full_box_rings_unanswered_turned_away_once_then_next_caller_answered(
    tmp_path: Path,
) -> None:
    box = BoxRoom(0)

    async def scenario(line: LineUnderTest) -> None:
        line.driver.admit_callers_through(box)
        line.sim.incoming_call("0151234567", "FULL BOX", rings=4)
        turned_away = await line.next(CallTurnedAway)
        assert (turned_away.caller.number, turned_away.reason) == (
            "0151234567",
            TurnedAwayReason.BOX_FULL,
        )
        await line.sim_until(lambda: not line.sim.ringing)
        assert line.sim.offhook_times == []  # the caller heard ringing, never an answer
        box.room = 1  # an agent's call ended
        await line.answered_call("0159999999", "NEXT")
        line.sim.hang_up("loop_break")
        await line.next(CallerHungUp)

    line = run_line(tmp_path, scenario, "usr")
    # nothing more was recorded when the refused caller's ringing stopped
    assert line.kinds() == [
        "LineInService",
        "CallTurnedAway",
        "CallArrived",
        "LineAnswered",
        "CallerHungUp",
    ]
    assert line.transcript.count("> AT+VLS=1") == 1  # the second caller's answer only
    assert box.taken == 0


def test_modem_line_caller_taken_by_the_box_gives_the_room_back_however_the_call_ends(
    tmp_path: Path,
) -> None:
    box = BoxRoom(1)

    async def scenario(line: LineUnderTest) -> None:
        line.driver.admit_callers_through(box)
        # offered, and the caller gives up before the answer
        line.sim.incoming_call("0151111111", "GAVE UP", rings=3)
        await line.next(CallArrived)
        await line.next(CallerHungUp)
        assert box.taken == 0
        # offered, and the engine lets it ring out (HangUpLine before the answer)
        line.sim.incoming_call("0152222222", "LET RING", rings=3)
        await line.next(CallArrived)
        await line.driver.perform(HangUpLine("fxo0"))
        await line.sim_until(lambda: not line.sim.ringing)
        # answered, and the caller hangs up: the room of each earlier caller came back too
        await line.answered_call("0153333333", "TALKED")
        line.sim.hang_up("loop_break")
        await line.next(CallerHungUp)

    line = run_line(tmp_path, scenario, "usr")
    assert box.asked == 3 and box.taken == 0
    assert "CallTurnedAway" not in line.kinds()


class SilentBox:
    """A box that never answers the line's question (its thread is busy)."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.released = asyncio.Event()

    async def take(self) -> AdmissionAnswer:
        self.asked.set()
        await asyncio.Event().wait()
        raise AssertionError("never answered")

    def release(self) -> None:
        self.released.set()


def test_modem_line_unplugged_while_asking_the_box_gives_the_room_back(tmp_path: Path) -> None:
    box = SilentBox()

    async def scenario(line: LineUnderTest) -> None:
        line.driver.admit_callers_through(box)
        line.sim.incoming_call("0151234567", "ASKING", rings=10)
        await asyncio.wait_for(box.asked.wait(), 5.0)
        line.sim.unplug()
        await line.next(LineFaulted)
        # the box may have taken the caller just before the line stopped asking
        await asyncio.wait_for(box.released.wait(), 5.0)

    line = run_line(tmp_path, scenario, "usr")
    assert "CallArrived" not in line.kinds()

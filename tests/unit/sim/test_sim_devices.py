"""The simulated lines, positions and bridge behave like the real drivers' contract says."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    CallerId,
    Connect,
    DialFailed,
    DialOut,
    DigitPressed,
    Disconnect,
    HangUpLine,
    HangUpPosition,
    LineAnswered,
    LineDriver,
    LineInService,
    PlayPrompt,
    PositionAnswered,
    PositionDriver,
    PositionHungUp,
    PositionInService,
    PositionRejected,
    PromptFinished,
    RecordingFinished,
    RecordMessage,
    RefuseCall,
    RingPosition,
    StopMedia,
    StopRinging,
)
from drivers.sim import (
    SimulatedBridge,
    SimulatedLines,
    SimulatedPositions,
    prompt_duration_s,
)
from drivers.sim.lines import LineState, SimLineError
from drivers.sim.positions import PhoneRang, PhoneState, PhoneStopped

SPEED = 200.0  # simulated seconds per real second: a 2 s prompt plays in 10 ms
TIMEOUT_S = 5.0


def clock() -> float:
    return time.time()


class Events:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[object] = asyncio.Queue()

    def __call__(self, event: object) -> None:
        self.queue.put_nowait(event)

    async def next(self) -> object:
        return await asyncio.wait_for(self.queue.get(), TIMEOUT_S)


def with_lines(test: Callable[[SimulatedLines, Events], Awaitable[None]]) -> None:
    async def main() -> None:
        lines = SimulatedLines(("sim-1", "sim-2"), clock=clock, speed=SPEED)
        events = Events()
        runner = asyncio.create_task(lines.run(events))
        assert isinstance(await events.next(), LineInService)
        assert isinstance(await events.next(), LineInService)
        try:
            await test(lines, events)
        finally:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)

    asyncio.run(main())


def test_sim_lines_satisfy_the_line_driver_role() -> None:
    lines = SimulatedLines(("a",), clock=clock)
    assert isinstance(lines, LineDriver)
    assert isinstance(SimulatedPositions(("p",), clock=clock), PositionDriver)


def test_sim_line_call_is_answered_greeted_and_hung_up_by_the_caller() -> None:
    async def test(lines: SimulatedLines, events: Events) -> None:
        assert lines.incoming_call("sim-1", CallerId("13800138000", "张伟"))
        arrived = await events.next()
        assert isinstance(arrived, CallArrived)
        assert arrived.caller == CallerId("13800138000", "张伟")
        await lines.perform(AnswerLine("sim-1"))
        assert isinstance(await events.next(), LineAnswered)
        await lines.perform(PlayPrompt("sim-1", ("greeting", "menu_cargo"), play_id=7))
        finished = await events.next()
        assert isinstance(finished, PromptFinished)
        assert (finished.play_id, finished.interrupted) == (7, False)
        lines.hang_up("sim-1")
        hung_up = await events.next()
        assert isinstance(hung_up, CallerHungUp)
        assert lines.state("sim-1") is LineState.IDLE
        assert lines.transcript.texts() == [
            "caller rings sim-1 13800138000",
            "box AnswerLine sim-1",
            "box PlayPrompt sim-1 {'prompts': ('greeting', 'menu_cargo'), 'language': 'zh-CN',"
            " 'play_id': 7}",
            "caller hangs up sim-1",
        ]

    with_lines(test)


def test_sim_line_key_during_barge_in_prompt_cuts_it_short() -> None:
    async def test(lines: SimulatedLines, events: Events) -> None:
        lines.incoming_call("sim-2", CallerId("1"))
        await events.next()
        await lines.perform(AnswerLine("sim-2"))
        await events.next()
        # a long prompt, so it is still playing when the key comes
        long_prompt = ("greeting",) * 500
        await lines.perform(PlayPrompt("sim-2", long_prompt, play_id=3, barge_in=True))
        lines.press("sim-2", "2")
        assert isinstance(digit := await events.next(), DigitPressed) and digit.digit == "2"
        finished = await events.next()
        assert isinstance(finished, PromptFinished)
        assert (finished.play_id, finished.interrupted) == (3, True)

    with_lines(test)


def test_sim_line_stop_media_reports_the_prompt_interrupted() -> None:
    async def test(lines: SimulatedLines, events: Events) -> None:
        lines.incoming_call("sim-1", CallerId("1"))
        await events.next()
        await lines.perform(AnswerLine("sim-1"))
        await events.next()
        await lines.perform(PlayPrompt("sim-1", ("greeting",) * 500, play_id=4))
        await lines.perform(StopMedia("sim-1"))
        finished = await events.next()
        assert isinstance(finished, PromptFinished) and finished.interrupted

    with_lines(test)


def test_sim_line_recording_finishes_after_a_few_seconds() -> None:
    async def test(lines: SimulatedLines, events: Events) -> None:
        lines.incoming_call("sim-1", CallerId("1"))
        await events.next()
        await lines.perform(AnswerLine("sim-1"))
        await events.next()
        await lines.perform(RecordMessage("sim-1", path="/tmp/vm.wav", max_s=60))
        done = await events.next()
        assert isinstance(done, RecordingFinished)
        assert (done.path, done.duration_s) == ("/tmp/vm.wav", 4.0)

    with_lines(test)


def test_sim_line_refused_call_frees_the_line_and_a_busy_line_takes_no_call() -> None:
    async def test(lines: SimulatedLines, events: Events) -> None:
        assert lines.incoming_call("sim-1", CallerId("17000000000"))
        await events.next()
        assert not lines.incoming_call("sim-1", CallerId("2")), "the line is ringing already"
        await lines.perform(RefuseCall("sim-1"))
        assert lines.free_lines() == ["sim-1", "sim-2"]

    with_lines(test)


def test_sim_line_unplugged_reports_a_fault_and_refuses_actions() -> None:
    async def test(lines: SimulatedLines, events: Events) -> None:
        lines.unplug("sim-2")
        fault = await events.next()
        assert fault.reason == "simulated line unplugged"  # type: ignore[attr-defined]
        with pytest.raises(SimLineError):
            await lines.perform(HangUpLine("sim-2"))
        lines.plug_in("sim-2")
        assert isinstance(await events.next(), LineInService)

    with_lines(test)


def test_prompt_duration_counts_numbers_shorter() -> None:
    assert prompt_duration_s(("position_is", "num_2", "in_line")) == pytest.approx(4.6)


def test_sim_positions_ring_answer_reject_and_hang_up() -> None:
    async def main() -> None:
        phones = SimulatedPositions(("pos1",), clock=clock)
        events = Events()
        heard: list[object] = []
        phones.listen(heard.append)
        runner = asyncio.create_task(phones.run(events))
        assert isinstance(await events.next(), PositionInService)
        await phones.perform(RingPosition("pos1", call_id="c1", caller=CallerId("1")))
        assert heard == [PhoneRang("pos1", "c1", CallerId("1"))]
        assert phones.reject("pos1")
        assert isinstance(await events.next(), PositionRejected)
        await phones.perform(RingPosition("pos1", call_id="c2"))
        assert phones.answer("pos1")
        assert isinstance(await events.next(), PositionAnswered)
        assert phones.state("pos1") is PhoneState.TALKING
        assert not phones.answer("pos1"), "a phone already talking cannot answer again"
        assert phones.hang_up("pos1")
        assert isinstance(await events.next(), PositionHungUp)
        await phones.perform(RingPosition("pos1", call_id="c3"))
        await phones.perform(StopRinging("pos1"))
        assert heard[-1] == PhoneStopped("pos1")
        assert not phones.answer("pos1"), "the offer was withdrawn"
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)

    asyncio.run(main())


def test_sim_positions_echo_offer_id_and_ignore_hang_up_of_earlier_leg() -> None:
    async def main() -> None:
        phones = SimulatedPositions(("pos1",), clock=clock)
        events = Events()
        runner = asyncio.create_task(phones.run(events))
        await events.next()
        await phones.perform(RingPosition("pos1", call_id="c1", offer_id="c1/1"))
        assert phones.reject("pos1")
        assert (await events.next()).offer_id == "c1/1"  # type: ignore[attr-defined]
        await phones.perform(RingPosition("pos1", call_id="c2", offer_id="c2/2"))
        assert phones.answer("pos1")
        assert (await events.next()).offer_id == "c2/2"  # type: ignore[attr-defined]
        await phones.perform(HangUpPosition("pos1", offer_id="c1/1"))
        assert phones.state("pos1") is PhoneState.TALKING, "only the earlier leg ends"
        assert phones.hang_up("pos1")
        assert (await events.next()).offer_id == "c2/2"  # type: ignore[attr-defined]
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)

    asyncio.run(main())


def test_sim_bridge_keeps_who_talks_to_whom() -> None:
    async def main() -> None:
        bridge = SimulatedBridge(clock=clock)
        await bridge.perform(Connect("sim-1", "pos1"))
        assert {(c.line, c.position) for c in bridge.conversations} == {("sim-1", "pos1")}
        await bridge.perform(Disconnect("sim-1", "pos1"))
        assert bridge.conversations == set()

    asyncio.run(main())


def test_sim_line_dial_out_is_answered_or_fails() -> None:
    async def main() -> None:
        lines = SimulatedLines(
            ("sim-1", "sim-2"),
            clock=clock,
            speed=SPEED,
            outbound_answer=lambda line, number: number != "13000000000",
        )
        events = Events()
        runner = asyncio.create_task(lines.run(events))
        await events.next()
        await events.next()
        await lines.perform(DialOut("sim-1", number="13800138000"))
        answered = await events.next()
        assert isinstance(answered, LineAnswered) and answered.line == "sim-1"
        assert lines.state("sim-1") is LineState.CONNECTED
        await lines.perform(DialOut("sim-2", number="13000000000"))
        failed = await events.next()
        assert isinstance(failed, DialFailed) and failed.reason == "no answer"
        assert lines.state("sim-2") is LineState.IDLE
        lines.incoming_call("sim-2", CallerId("1"))
        await events.next()
        await lines.perform(DialOut("sim-2", number="13800138000"))
        busy = await events.next()
        assert isinstance(busy, DialFailed) and busy.reason == "line in use"
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)

    asyncio.run(main())

"""On a real voice modem (`pytest -m hw`, with DEPOTLINE_TEST_MODEM=/dev/ttyACM0): the driver
opens it, recognises its dialect and reports the line in service. With DEPOTLINE_TEST_CALL=1
it also waits up to a minute for a call on the line, answers, plays the greeting and hangs up."""

from __future__ import annotations

import asyncio
import os

import pytest

from appliance.prompts import prompt_dirs
from drivers.modem import ModemLine
from drivers.roles import (
    AnswerLine,
    CallArrived,
    HangUpLine,
    LineEvent,
    LineFaulted,
    LineInService,
    PlayPrompt,
    PromptFinished,
)

DEVICE = os.environ.get("DEPOTLINE_TEST_MODEM", "")

pytestmark = [
    pytest.mark.hw,
    pytest.mark.skipif(not DEVICE, reason="set DEPOTLINE_TEST_MODEM to the modem's tty"),
]


def test_real_modem_comes_into_service_and_takes_a_call() -> None:
    async def main() -> None:
        events: asyncio.Queue[LineEvent] = asyncio.Queue()
        line = ModemLine("hw0", DEVICE, prompts_dir=prompt_dirs())
        task = asyncio.create_task(line.run(events.put_nowait))

        async def next_event(*kinds: type[LineEvent], timeout_s: float) -> LineEvent:
            async with asyncio.timeout(timeout_s):
                while True:
                    event = await events.get()
                    if isinstance(event, kinds):
                        return event

        try:
            first = await next_event(LineInService, LineFaulted, timeout_s=15)
            assert isinstance(first, LineInService), first
            print(f"dialect {line.dialect.value}, {line.sample_format.value}, {first.media}")
            if os.environ.get("DEPOTLINE_TEST_CALL") != "1":
                return
            arrived = await next_event(CallArrived, timeout_s=60)
            print(f"call from {arrived}")
            await line.perform(AnswerLine("hw0"))
            await line.perform(PlayPrompt("hw0", ("greeting",), "en", 1))
            await next_event(PromptFinished, timeout_s=30)
            await line.perform(HangUpLine("hw0"))
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())

"""Test harness of the modem driver tests: the real driver (real pyserial) against the modem
simulator on a pty, with its events collected."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from appliance.prompts import PROMPTS_DIR
from drivers.modem import ModemLine
from drivers.modem.sim import ModemSimulator
from drivers.roles import (
    AnswerLine,
    CallArrived,
    LineAnswered,
    LineEvent,
    LineInService,
)

E = TypeVar("E", bound=LineEvent)

# Fast but realistic timing: rings every 0.25 s instead of 6 s.
FAST_DRIVER: dict[str, Any] = {
    "rings_before_answer": 2,
    "ping_interval_s": 60.0,
    "caller_id_wait_s": 0.6,
    "ring_gap_s": 0.8,
    "reopen_initial_s": 0.05,
    "reopen_max_s": 0.2,
    "prompts_dir": str(PROMPTS_DIR),
}


class LineUnderTest:
    """The driver running in the test's event loop, its events, and the simulator."""

    def __init__(self, sim: ModemSimulator, driver: ModemLine) -> None:
        self.sim = sim
        self.driver = driver
        self.events: list[LineEvent] = []
        self.transcript: list[str] = []  # the simulator's, as the scenario ended
        self._cursor = 0
        self._arrived = asyncio.Event()

    def emit(self, event: LineEvent) -> None:
        self.events.append(event)
        self._arrived.set()

    async def next(self, kind: type[E], timeout_s: float = 5.0) -> E:
        """The next event of `kind` after those already taken (others are skipped over)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            while self._cursor < len(self.events):
                event = self.events[self._cursor]
                self._cursor += 1
                if isinstance(event, kind):
                    return event
            self._arrived.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no {kind.__name__} within {timeout_s} s; got {self.events}")
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                continue

    def kinds(self) -> list[str]:
        return [type(event).__name__ for event in self.events]

    async def sim_until(self, predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
        ok = await asyncio.to_thread(self.sim.wait_for, predicate, timeout_s)
        assert ok, f"simulator never got there; transcript: {self.sim.transcript}"

    async def answered_call(self, number: str = "0151234567", name: str = "CALLER") -> None:
        self.sim.incoming_call(number, name)
        await self.next(CallArrived)
        await self.driver.perform(AnswerLine(self.driver.line_ids[0]))
        await self.next(LineAnswered)


Scenario = Callable[[LineUnderTest], Awaitable[None]]


def run_line(
    tmp_path: Path,
    scenario: Scenario,
    sim_dialect: str = "usr",
    sim_options: dict[str, Any] | None = None,
    *,
    plugged_in: bool = True,
    **driver_options: Any,
) -> LineUnderTest:
    """Start a simulator and the driver, wait for LineInService (unless the modem starts
    unplugged), run the scenario, stop."""
    sim_kwargs: dict[str, Any] = {"ring_interval_s": 0.25, **(sim_options or {})}
    sim = ModemSimulator(sim_dialect, link=os.fspath(tmp_path / "modem0"), **sim_kwargs)
    options = {**FAST_DRIVER, **driver_options}
    holder: list[LineUnderTest] = []

    async def main() -> None:
        driver = ModemLine("fxo0", sim.device, **options)
        line = LineUnderTest(sim, driver)
        holder.append(line)
        task = asyncio.create_task(driver.run(line.emit))
        try:
            if plugged_in:
                await line.next(LineInService)
            await scenario(line)
            line.transcript = sim.transcript
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    with sim:
        if not plugged_in:
            sim.unplug()
        asyncio.run(main())
    return holder[0]

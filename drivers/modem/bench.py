"""Modem line benchmark against the pty simulator: ring-to-off-hook latency (engine decision →
AT+VLS=1 at the modem), playback rate accuracy (bytes a second the modem receives against
8000) and CPU of the driver per active line (its event-loop thread while playing)."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from drivers.modem.driver import ModemLine
from drivers.modem.sim import ModemSimulator
from drivers.roles import (
    AnswerLine,
    CallArrived,
    HangUpLine,
    LineAnswered,
    LineEvent,
    LineInService,
    PlayMusic,
)

_PROMPTS_DIR = Path(__file__).resolve().parents[2] / "appliance" / "prompts"
CALLS = 5
PLAY_S = 4.0


class _Events:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[LineEvent] = asyncio.Queue()

    def emit(self, event: LineEvent) -> None:
        self.queue.put_nowait(event)

    async def next(self, kind: type[LineEvent], timeout_s: float = 10.0) -> LineEvent:
        async with asyncio.timeout(timeout_s):
            while True:
                event = await self.queue.get()
                if isinstance(event, kind):
                    return event


def _rate_bytes_per_s(arrivals: list[tuple[float, int]], skip_s: float = 0.5) -> float:
    """Least-squares slope of bytes received against time, after the initial lead burst."""
    if not arrivals:
        return 0.0
    start = arrivals[0][0]
    points: list[tuple[float, float]] = []
    total = 0
    for when, size in arrivals:
        total += size
        if when - start >= skip_s:
            points.append((when, total))
    if len(points) < 2:
        return 0.0
    mean_t = statistics.fmean(t for t, _ in points)
    mean_b = statistics.fmean(b for _, b in points)
    num = sum((t - mean_t) * (b - mean_b) for t, b in points)
    den = sum((t - mean_t) ** 2 for t, _ in points)
    return num / den if den else 0.0


async def _measure(sim: ModemSimulator) -> dict[str, float | int | str]:
    events = _Events()
    driver = ModemLine(
        "bench0",
        sim.device,
        rings_before_answer=1,
        caller_id_wait_s=0.5,
        ring_gap_s=2.0,
        ping_interval_s=3600.0,
        prompts_dir=str(_PROMPTS_DIR),
    )
    task = asyncio.create_task(driver.run(events.emit))
    try:
        await events.next(LineInService)
        latencies_ms = []
        for n in range(CALLS):
            sim.incoming_call(f"555000{n}", "BENCH", rings=3)
            await events.next(CallArrived)
            decided = time.monotonic()
            await driver.perform(AnswerLine("bench0"))
            await events.next(LineAnswered)
            latencies_ms.append((sim.offhook_times[-1] - decided) * 1000)
            if n < CALLS - 1:
                await driver.perform(HangUpLine("bench0"))
                await asyncio.to_thread(sim.wait_for, lambda: not sim.offhook, 5.0)
        # playback: hold music (the longest stream a line plays) for PLAY_S seconds
        cpu_start, wall_start = time.thread_time(), time.monotonic()
        await driver.perform(PlayMusic("bench0"))
        await asyncio.sleep(PLAY_S)
        cpu_s, wall_s = time.thread_time() - cpu_start, time.monotonic() - wall_start
        rate = _rate_bytes_per_s(list(sim.playback_arrivals))
        await driver.perform(HangUpLine("bench0"))
        await asyncio.to_thread(sim.wait_for, lambda: not sim.offhook, 5.0)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return {
        "offhook_latency_ms": round(statistics.median(latencies_ms), 2),
        "offhook_latency_max_ms": round(max(latencies_ms), 2),
        "playback_rate_bytes_per_s": round(rate, 1),
        "playback_rate_error_pct": round(abs(rate - 8000) / 80, 3),
        "cpu_pct_per_line": round(100 * cpu_s / wall_s, 2),
        "calls": CALLS,
        "dialect": sim.dialect,
    }


def run_benchmark() -> dict[str, float | int | str]:
    with tempfile.TemporaryDirectory() as tmp:
        sim = ModemSimulator("usr", link=os.path.join(tmp, "modem"), ring_interval_s=0.3)
        with sim:
            return asyncio.run(_measure(sim))


if __name__ == "__main__":
    import json

    print(json.dumps(run_benchmark(), indent=2))

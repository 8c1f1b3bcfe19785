"""`depotline bench wallboard`: latency from a figures change to the wire and to the board's
frame buffer, and the link's load at a busy depot's rate — real driver, real pyserial, the
real firmware on its fake HAL over a pty."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path

from drivers.roles import WallboardFigures
from drivers.wallboard.board import LedBoard
from drivers.wallboard.board_sim import SimulatedBoard
from firmware.wallboard import protocol as p
from firmware.wallboard.render import Canvas

LATENCY_CHANGES = 200
LATENCY_SPACING_S = 0.02
BUSY_DURATION_S = 6.0


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


async def _measure(folder: str) -> dict[str, float | int | str]:
    board = SimulatedBoard(str(Path(folder) / "board0"))
    board.start()
    driver = LedBoard(board.path)
    on_wire_s: dict[int, float] = {}
    on_leds_s: dict[int, float] = {}
    bytes_to_pi = 0
    wire_reader = p.FrameReader()

    def heard_by_board(data: bytes) -> bytes:
        now_s = time.perf_counter()
        for _, payload in wire_reader.feed(data):
            if payload[:1] == bytes([p.MSG_FIGURES]):
                for field, _, value in p.decode_figures(payload):
                    if field == p.F_ANSWERED and isinstance(value, int):
                        on_wire_s.setdefault(value, now_s)
        return data

    def said_by_board(data: bytes) -> bytes:
        nonlocal bytes_to_pi
        bytes_to_pi += len(data)
        return data

    board.hal.tamper_in = heard_by_board
    board.hal.tamper_out = said_by_board
    firmware = board.firmware
    assert firmware is not None
    shown = firmware.display.show

    def show_and_time(canvas: Canvas) -> None:
        answered = firmware.figures.get(p.F_ANSWERED, (0, -1))[1]
        if isinstance(answered, int):
            on_leds_s.setdefault(answered, time.perf_counter())
        shown(canvas)

    firmware.display.show = show_and_time  # type: ignore[method-assign]
    task = asyncio.create_task(driver.run(lambda status: None))
    try:
        async with asyncio.timeout(10):
            await driver.connected.wait()
        changed_s: dict[int, float] = {}
        for answered in range(1, LATENCY_CHANGES + 1):
            changed_s[answered] = time.perf_counter()
            await driver.show(WallboardFigures(calls_waiting=answered % 5, answered_today=answered))
            await asyncio.sleep(LATENCY_SPACING_S)
        await asyncio.sleep(0.5)
        to_wire_ms = [(on_wire_s[n] - changed_s[n]) * 1000 for n in changed_s if n in on_wire_s]
        to_leds_ms = [(on_leds_s[n] - changed_s[n]) * 1000 for n in changed_s if n in on_leds_s]

        # A busy depot: 8 lines, 12 agents, a call every ~20 s, figures pushed on every change
        # and the longest wait once a second while callers wait.
        rng = random.Random(7)
        waiting, ready, on_call, answered = 2, 4, 8, 300
        sent_before = driver.link.bytes_sent
        to_pi_before = bytes_to_pi
        started_s = time.perf_counter()
        tick = 0
        while time.perf_counter() - started_s < BUSY_DURATION_S:
            tick += 1
            if rng.random() < 0.5:
                waiting = max(0, waiting + rng.choice((-1, 1)))
            if rng.random() < 0.3:
                ready, on_call, answered = max(0, ready - 1), on_call + 1, answered + 1
            elif rng.random() < 0.3 and on_call:
                ready, on_call = ready + 1, on_call - 1
            figures = WallboardFigures(
                calls_waiting=waiting,
                longest_wait_s=float(tick // 2 if waiting else 0),
                agents_ready=ready,
                agents_on_call=on_call,
                answered_today=answered,
                abandoned_today=answered // 20,
                service_level=0.8 + rng.random() / 10,
            )
            await driver.show(figures)
            await asyncio.sleep(0.5)
        elapsed_s = time.perf_counter() - started_s
        link_bytes = driver.link.bytes_sent - sent_before + bytes_to_pi - to_pi_before
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        board.stop()
    return {
        "change_to_wire_p99_ms": round(_p99(to_wire_ms), 2),
        "change_to_framebuffer_p99_ms": round(_p99(to_leds_ms), 2),
        "change_to_framebuffer_median_ms": round(sorted(to_leds_ms)[len(to_leds_ms) // 2], 2),
        "changes_measured": len(to_leds_ms),
        "link_bytes_per_s": round(link_bytes / elapsed_s, 1),
        "busy_depot_updates_per_s": round(tick / elapsed_s, 2),
    }


def run_benchmark() -> dict[str, float | int | str]:
    with tempfile.TemporaryDirectory(prefix="depotline-wallboard-bench-") as folder:
        return asyncio.run(_measure(folder))


if __name__ == "__main__":
    print(run_benchmark())

"""The firmware's main loop on its fake HAL, on a pty, driven by the real LED board driver over
real pyserial: figures reach the LEDs; damaged, lost and duplicated frames, garbage, silence
and a replug are survived."""

import asyncio
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from drivers.roles import DeviceFaulted, DeviceRestored, DeviceStatus, WallboardFigures
from drivers.wallboard.board import LedBoard
from drivers.wallboard.board_sim import SimulatedBoard


async def until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.01)


def shows(board: SimulatedBoard, *texts: str) -> Callable[[], bool]:
    def check() -> bool:
        lines = board.screen_lines()
        return all(any(text in line for line in lines) for text in texts)

    return check


Scenario = Callable[[SimulatedBoard, LedBoard, list[DeviceStatus]], Awaitable[None]]


def run(tmp_path: Path, scenario: Scenario, *, no_data_after_s: int = 10) -> None:
    async def main() -> None:
        board = SimulatedBoard(str(tmp_path / "board0"), no_data_after_s=no_data_after_s)
        board.start()
        driver = LedBoard(
            board.path,
            no_data_after_s=no_data_after_s,
            retransmit_s=0.05,
            fault_after_s=2.0,
            first_retry_s=0.05,
            max_retry_s=0.2,
        )
        reports: list[DeviceStatus] = []
        task = asyncio.create_task(driver.run(reports.append))
        try:
            await scenario(board, driver, reports)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            board.stop()

    asyncio.run(main())


def test_figures_sent_by_the_driver_appear_on_the_leds(tmp_path: Path) -> None:
    async def scenario(board: SimulatedBoard, driver: LedBoard, reports: list) -> None:
        await driver.show(WallboardFigures(calls_waiting=3, longest_wait_s=125, agents_ready=2))
        await until(shows(board, "等待 3最长2:05", "空闲 2"))
        await driver.show(WallboardFigures(calls_waiting=4, longest_wait_s=126, agents_ready=2))
        await until(shows(board, "等待 4最长2:06"))
        assert reports == []

    run(tmp_path, scenario)


def _damage(kind: str, rng: random.Random) -> Callable[[bytes], bytes]:
    def tamper(data: bytes) -> bytes:
        if rng.random() > 0.3:
            return data
        if kind == "crc":
            damaged = bytearray(data)
            damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
            return bytes(damaged)
        if kind == "lost":
            return b""
        if kind == "duplicated":
            return data + data
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))) + data

    return tamper


@pytest.mark.parametrize("kind", ["crc", "lost", "duplicated", "garbage"])
def test_link_survives_damaged_frames_in_both_directions(tmp_path: Path, kind: str) -> None:
    async def scenario(board: SimulatedBoard, driver: LedBoard, reports: list) -> None:
        await until(driver.connected.is_set)
        board.hal.tamper_in = _damage(kind, random.Random(1))
        board.hal.tamper_out = _damage(kind, random.Random(2))
        for waiting in range(1, 31):
            await driver.show(WallboardFigures(calls_waiting=waiting, agents_on_call=waiting % 7))
            await asyncio.sleep(0.01)
        await until(shows(board, "等待 30", "通话 2"))
        await until(lambda: driver.link.idle)
        board.hal.tamper_in = board.hal.tamper_out = None
        assert reports == []
        if kind in ("crc", "garbage"):
            assert board.firmware is not None
            assert board.firmware.reader.crc_errors + board.firmware.reader.garbage_bytes > 0

    run(tmp_path, scenario)


def test_replugged_board_is_reported_and_gets_every_figure_again(tmp_path: Path) -> None:
    async def scenario(board: SimulatedBoard, driver: LedBoard, reports: list) -> None:
        await driver.show(WallboardFigures(calls_waiting=5, agents_paused=1, abandoned_today=9))
        await until(shows(board, "等待 5"))
        board.unplug()
        await until(lambda: len(reports) == 1)
        assert isinstance(reports[0], DeviceFaulted)
        assert reports[0].device == "wallboard"
        assert board.path in reports[0].reason
        board.plug_in()  # the board restarts with nothing on it
        await until(lambda: len(reports) == 2)
        assert isinstance(reports[1], DeviceRestored)
        await until(shows(board, "等待 5"))
        assert board.boots == 2

    run(tmp_path, scenario)


def test_board_that_stops_answering_is_a_fault_and_recovers_by_itself(tmp_path: Path) -> None:
    async def scenario(board: SimulatedBoard, driver: LedBoard, reports: list) -> None:
        await driver.show(WallboardFigures(calls_waiting=1))
        await until(shows(board, "等待 1"))
        board.hal.tamper_out = lambda data: b""  # the board hears but its answers are lost
        await until(lambda: len(reports) == 1, timeout_s=5)
        assert isinstance(reports[0], DeviceFaulted)
        assert "not answered" in reports[0].reason
        board.hal.tamper_out = None
        await until(lambda: len(reports) == 2, timeout_s=5)
        assert isinstance(reports[1], DeviceRestored)
        await driver.show(WallboardFigures(calls_waiting=2))
        await until(shows(board, "等待 2"))

    run(tmp_path, scenario)


def test_board_shows_no_data_when_the_pi_falls_silent_and_figures_when_it_returns(
    tmp_path: Path,
) -> None:
    async def scenario(board: SimulatedBoard, driver: LedBoard, reports: list) -> None:
        await driver.show(WallboardFigures(calls_waiting=6))
        await until(shows(board, "等待 6"))
        # The daemon stops talking (crashed, cable cut on the Pi's side).
        board.hal.tamper_in = lambda data: b""
        firmware = board.firmware
        assert firmware is not None and firmware.last_heard_ms is not None
        silent_ms = board.hal.ticks_ms() - firmware.last_heard_ms
        board.hal.advance_s((10_000 - silent_ms - 1000) / 1000)
        await asyncio.sleep(0.05)
        assert board.screen_lines() != ["无数据", "NO DATA"]
        board.hal.advance_s(1.2)
        await until(lambda: board.screen_lines() == ["无数据", "NO DATA"])
        board.hal.tamper_in = None
        await until(shows(board, "等待 6"))

    run(tmp_path, scenario)


def test_heartbeats_keep_unchanged_figures_on_the_board(tmp_path: Path) -> None:
    async def scenario(board: SimulatedBoard, driver: LedBoard, reports: list) -> None:
        await driver.show(WallboardFigures(calls_waiting=2))
        await until(shows(board, "等待 2"))
        deadline = time.monotonic() + 4.0  # twice the silence time, nothing changes
        while time.monotonic() < deadline:
            assert board.screen_lines() != ["无数据", "NO DATA"]
            await asyncio.sleep(0.05)
        assert driver.link.frames_sent >= 4

    run(tmp_path, scenario, no_data_after_s=2)


def test_closed_reaches_the_board_before_the_daemon_lets_go(tmp_path: Path) -> None:
    async def scenario(board: SimulatedBoard, driver: LedBoard, reports: list) -> None:
        await driver.show(WallboardFigures(calls_waiting=2))
        await until(shows(board, "等待 2"))
        await driver.show(WallboardFigures(calls_waiting=2, closed=True))
        assert await driver.flush(timeout_s=2.0)  # acknowledged by the board
        await until(lambda: board.screen_lines() == ["已关闭", "CLOSED"])

    run(tmp_path, scenario)


def test_board_missing_at_start_is_a_fault_saying_to_plug_it_in(tmp_path: Path) -> None:
    async def main() -> list[DeviceStatus]:
        driver = LedBoard(str(tmp_path / "nothing"), first_retry_s=0.05)
        reports: list[DeviceStatus] = []
        task = asyncio.create_task(driver.run(reports.append))
        await until(lambda: bool(reports))
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return reports

    reports = asyncio.run(main())
    assert isinstance(reports[0], DeviceFaulted)
    assert "plugged in" in reports[0].reason and "nothing" in reports[0].reason


def test_retries_back_off_while_the_board_stays_unplugged(tmp_path: Path) -> None:
    async def scenario(board: SimulatedBoard, driver: LedBoard, reports: list) -> None:
        await until(driver.connected.is_set)
        opened: list[float] = []
        real_session = driver._session

        async def counting_session(report: Callable[[DeviceStatus], None]) -> None:
            opened.append(time.monotonic())
            await real_session(report)

        driver._session = counting_session  # type: ignore[method-assign]
        board.unplug()
        await until(lambda: len(opened) >= 5, timeout_s=5)
        gaps = [later - earlier for earlier, later in itertools.pairwise(opened)]
        # 0.05 → 0.1 → 0.2 s, capped at max_retry_s (a load can only make gaps longer)
        assert gaps[-1] >= 0.18

    run(tmp_path, scenario)


def test_board_that_restarts_on_a_live_link_gets_every_figure_again(tmp_path: Path) -> None:
    async def scenario(board: SimulatedBoard, driver: LedBoard, reports: list) -> None:
        await driver.show(WallboardFigures(calls_waiting=7, agents_ready=3))
        await until(shows(board, "等待 7", "空闲 3"))
        board.no_data_after_s = 30  # the restarted firmware's own default
        board.restart()
        await until(shows(board, "等待 7", "空闲 3"))  # the Pi sent everything again…
        assert board.firmware is not None and board.firmware.no_data_ms == 10_000  # …and hello
        assert reports == []

    run(tmp_path, scenario)

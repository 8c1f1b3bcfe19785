"""The modem simulator on its own: the standalone command a person points a config at, and the
scripted demo caller."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import serial
from modem_harness import LineUnderTest, run_line

from drivers.modem.sim import scripted_call
from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    DigitPressed,
    HangUpCause,
    PlayPrompt,
    PromptFinished,
)


def test_modem_sim_standalone_links_a_port_that_answers_at_commands(tmp_path: Path) -> None:
    link = tmp_path / "fxo0"
    process = subprocess.Popen(
        [sys.executable, "-m", "drivers.modem.sim", "--link", str(link), "--dialect", "conexant"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()  # printed once the port is linked
        assert banner.startswith("simulated conexant modem on ") and link.is_symlink()
        with serial.Serial(str(link), timeout=2, exclusive=True) as port:
            port.write(b"ATE0\r")
            port.write(b"ATI3\r")
            answer = b""
            deadline = time.monotonic() + 5
            while b"CX93001" not in answer or not answer.endswith(b"OK\r\n"):
                assert time.monotonic() < deadline, answer
                answer += port.read(64)
        assert b"CX93001-EIS_V0.2002-V92" in answer
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    assert not link.exists()


def test_scripted_call_listens_presses_and_hangs_up(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        caller = asyncio.create_task(
            scripted_call(line.sim, "5550100", "DEMO", keys="2", listen_s=0.3, stay_s=0.5)
        )
        await line.next(CallArrived)
        await line.driver.perform(AnswerLine("fxo0"))
        await line.driver.perform(PlayPrompt("fxo0", ("menu_orders",), "en", 1, True))
        assert (await line.next(DigitPressed)).digit == "2"
        assert (await line.next(PromptFinished)).interrupted
        assert (await line.next(CallerHungUp)).cause is HangUpCause.LOOP_BREAK
        assert await caller

    run_line(tmp_path, scenario, "generic")

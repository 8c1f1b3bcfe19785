"""Two simulated voice modems on the real depot (engine, store on disk, runtime) with a
simulated agent: two callers ring, hear the greeting, press a menu key, wait and hear their
place in the queue; the first is answered by the agent and hangs up, the second gives up. The
CDRs and the queue log agree with what happened on the lines."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

from appliance import seed
from appliance.clock import ShellClock
from appliance.config import ThresholdsConfig
from appliance.engine.records import CallRecord, EndReason, Verb
from appliance.engine.setup import DepotSetup
from appliance.prompts import PROMPTS_DIR, prompt_dirs
from appliance.runtime import DeviceSet, Runtime, open_runtime
from appliance.service import DepotService
from drivers.modem import ModemLine, audio
from drivers.modem.sim import ModemSimulator
from drivers.sim.positions import PhoneState, SimulatedBridge, SimulatedPositions

TIMEZONE = "Asia/Shanghai"
CALLER = ("13800138000", "ZHANG SAN")
SECOND_CALLER = ("13900139000", "LI SI")
MUSIC_STOPPED = ["> <DLE CAN>", "> <DLE ETX>", "< OK"]
RINGING = PhoneState.RINGING


def _heard_form(name: str, language: str = "zh-CN") -> bytes:
    """A prompt as the USR modem plays it (8-bit unsigned linear)."""
    samples = audio.read_wav(PROMPTS_DIR / language / f"{name}.wav")
    return audio.encode(samples, audio.SampleFormat.UNSIGNED_LINEAR)


def _setup() -> DepotSetup:
    # the demo depot, announcing the caller's position every 2 s instead of 45 s; callers wait
    # through the only agent's break (by default a queue whose agents are all paused is empty)
    base = seed.demo_setup(TIMEZONE)
    queues = tuple(
        dataclasses.replace(q, announce_every_s=2.0, paused_is_empty=False) for q in base.queues
    )
    return dataclasses.replace(base, queues=queues)


def _hears(line: ModemSimulator, sound: bytes) -> Callable[[], bool]:
    return lambda: line.heard.startswith(sound)


async def _until(what: str, check: Callable[[], bool], timeout_s: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not check():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


@dataclasses.dataclass
class _Depot:
    runtime: Runtime
    service: DepotService
    positions: SimulatedPositions
    clock: ShellClock


@contextlib.asynccontextmanager
async def _modem_depot(
    tmp_path: Path,
    sims: Sequence[ModemSimulator],
    default_setup: Callable[[], DepotSetup],
    *,
    prompts_dir: str = "",
) -> AsyncIterator[_Depot]:
    """The real depot on the simulated modems (fxo0, fxo1, …) and one simulated agent phone,
    running until the block ends; `prompts_dir` holds the depot's recorded and generated
    prompts."""
    clock = ShellClock(1.0)
    lines = tuple(
        ModemLine(
            f"fxo{n}",
            sim.device,
            prompts_dir=prompt_dirs(prompts_dir),
            clock=clock.now,
            caller_id_wait_s=1.0,
            ring_gap_s=1.5,
        )
        for n, sim in enumerate(sims)
    )
    positions = SimulatedPositions(("pos1",), clock=clock.now)
    devices = DeviceSet(
        lines=lines, positions=(positions,), bridge=SimulatedBridge(clock=clock.now)
    )
    async with open_runtime(
        database=os.fspath(tmp_path / "depotline.db"),
        devices=devices,
        clock=clock,
        timezone=TIMEZONE,
        thresholds=ThresholdsConfig(),
        default_setup=default_setup,
        recordings_dir=os.fspath(tmp_path / "recordings"),
    ) as runtime:
        stop = asyncio.Event()
        running = asyncio.create_task(runtime.run(stop))
        await asyncio.wait_for(runtime.ready.wait(), 10)
        yield _Depot(runtime, DepotService(runtime), positions, clock)
        stop.set()
        await asyncio.wait_for(running, 20)


def test_modem_call_greeting_menu_position_agent_and_records(tmp_path: Path) -> None:
    greeting = _heard_form("greeting")
    next_in_line = _heard_form("next_in_line")
    one_ahead = b"".join(_heard_form(name) for name in ("position_is", "num_1", "in_line"))
    sims = [
        ModemSimulator(
            dialect, link=os.fspath(tmp_path / f"fxo{n}"), full_duplex=True, ring_interval_s=0.4
        )
        for n, dialect in enumerate(("usr", "conexant"))
    ]
    first, second = sims

    async def scenario() -> None:
        async with _modem_depot(tmp_path, sims, _setup) as depot:
            runtime, service, positions, clock = (
                depot.runtime,
                depot.service,
                depot.positions,
                depot.clock,
            )
            started_s = clock.now()
            snapshot = service.snapshot()
            assert {(v.id, v.in_service, v.full_duplex) for v in snapshot.lines} == {
                ("fxo0", True, True),
                ("fxo1", True, True),
            }
            # the agent is logged in but on a break: the caller has to wait
            await service.log_in("1001", "pos1")
            await service.pause("1001", "break")

            for line, caller in ((first, CALLER), (second, SECOND_CALLER)):
                line.incoming_call(*caller)
                await _until("the greeting", _hears(line, greeting[:4000]))
                line.press("1")  # 货物查询请按1
            # 您是下一位 / 您前面还有一位客户在等候
            await _until("first told it is next", lambda: next_in_line in first.heard)
            await _until("second told one is ahead", lambda: one_ahead in second.heard)
            await service.ready("1001")
            await _until("the agent's phone rings", lambda: positions.state("pos1") is RINGING)
            assert positions.answer("pos1")
            await _until("music stops", lambda: first.transcript[-3:] == MUSIC_STOPPED)
            second.hang_up("loop_break")
            await _until("the second line goes on-hook", lambda: not second.offhook)
            first.hang_up("busy_tone")
            await _until("the first line goes on-hook", lambda: not first.offhook)
            records: list[CallRecord] = []
            while len(records) < 2:  # the records land with the engine's last actions
                assert clock.now() - started_s < 60, "the calls' records never came"
                await asyncio.sleep(0.02)
                records = await runtime.store.calls(started_s - 1, clock.now() + 1)
            log = await runtime.store.queue_log(started_s - 1)

        answered = next(r for r in records if r.line == "fxo0")
        abandoned = next(r for r in records if r.line == "fxo1")
        assert (answered.direction, answered.number, answered.name) == ("in", *CALLER)
        assert (answered.queue, answered.agent) == ("cargo", "1001")
        assert answered.end_reason is EndReason.ANSWERED
        assert answered.connected_s is not None and answered.wait_s > 1.0
        assert (abandoned.number, abandoned.name, abandoned.queue) == (*SECOND_CALLER, "cargo")
        assert abandoned.end_reason is EndReason.ABANDONED_IN_QUEUE and abandoned.agent == ""
        for record, expected in (
            (answered, [Verb.INBOUND, Verb.ENTERQUEUE, Verb.OFFER, Verb.CONNECT,
                        Verb.COMPLETECALLER, Verb.HANGUP]),
            (abandoned, [Verb.INBOUND, Verb.ENTERQUEUE, Verb.ABANDON, Verb.HANGUP]),
        ):  # fmt: skip
            verbs = [e.verb for e in log if e.call_id == record.call_id]
            assert [v for v in verbs if v in expected] == expected
            hangup = next(e for e in log if e.call_id == record.call_id and e.verb is Verb.HANGUP)
            assert hangup.data[0] == record.end_reason.value

    with first, second:
        asyncio.run(scenario())
    for line, (number, _) in ((first, CALLER), (second, SECOND_CALLER)):
        transcript = line.transcript
        answer = transcript.index("> AT+VLS=1")
        assert transcript[answer - 1] == "< RING"
        assert any(number in entry for entry in transcript[:answer])
        assert "< <DTMF 1>" in transcript
        assert transcript[answer:].count("> AT+VLS=0") == 1  # on-hook once, after the caller left


def test_modem_caller_keys_a_waybill_hears_its_status_and_is_self_served(tmp_path: Path) -> None:
    """货物查询 self-service on a real modem line: the caller presses 1, keys the waybill's digits
    and #, hears its status from the tracking rows, and hangs up; no agent is rung."""
    from appliance.store import waybills
    from appliance.store.waybills import Waybill

    greeting = _heard_form("greeting")
    asked = _heard_form("waybill_enter")
    in_transit = _heard_form("waybill_status_in_transit")
    line = ModemSimulator(
        "usr", link=os.fspath(tmp_path / "fxo0"), full_duplex=True, ring_interval_s=0.4
    )

    def self_service() -> DepotSetup:
        base = _setup()
        queues = tuple(
            dataclasses.replace(q, waybill_self_service=q.id == "cargo") for q in base.queues
        )
        return dataclasses.replace(base, queues=queues)

    async def scenario() -> tuple[list[CallRecord], list[tuple[Verb, tuple[str, ...]]]]:
        async with _modem_depot(tmp_path, (line,), self_service) as depot:
            runtime, service, positions, clock = (
                depot.runtime,
                depot.service,
                depot.positions,
                depot.clock,
            )
            row = Waybill("JD8000123456", "in_transit", "广州转运中心", clock.now() - 3600)
            await runtime.store.in_transaction(lambda c: waybills.load(c, [row]))
            await service.log_in("1001", "pos1")
            started_s = clock.now()
            line.incoming_call(*CALLER)
            await _until("the greeting", _hears(line, greeting[:4000]))
            line.press("1")
            await _until("asked for the waybill", lambda: asked[:4000] in line.heard)
            line.press("8000123456#")
            await _until("the status is read", lambda: in_transit[:4000] in line.heard)
            assert positions.state("pos1") is not RINGING
            line.hang_up("loop_break")
            await _until("the line goes on-hook", lambda: not line.offhook)
            records: list[CallRecord] = []
            while not records:
                assert clock.now() - started_s < 60, "the call's record never came"
                await asyncio.sleep(0.02)
                records = await runtime.store.calls(started_s - 1, clock.now() + 1)
            log = await runtime.store.queue_log(started_s - 1)
        rows = [(e.verb, e.data) for e in log if e.call_id == records[0].call_id]
        return records, rows

    with line:
        records, rows = asyncio.run(scenario())
    (record,) = records
    assert (record.line, record.number, record.agent) == ("fxo0", CALLER[0], "")
    assert record.end_reason is EndReason.SELF_SERVED
    assert (Verb.WAYBILL, ("8000123456", "found")) in rows
    assert Verb.ENTERQUEUE not in [verb for verb, _ in rows]
    assert "< <DTMF #>" in line.transcript

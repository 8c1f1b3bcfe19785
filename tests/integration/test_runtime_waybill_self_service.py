"""The 货物查询 keypad self-service through the runtime, on simulated lines and a real database:
the caller's keyed waybill is looked up in the depot's tracking rows and read back; an unknown
number reaches an agent with the waybill on the screen pop."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from test_runtime_routing import ZONE, Depot, depot, until

from appliance import seed
from appliance.engine.records import EndReason, NoticeKind, Verb
from appliance.engine.setup import DepotSetup
from appliance.service import CallLogged, NoticeIssued
from appliance.store import waybills
from appliance.store.waybills import Waybill
from drivers.roles import CallerId
from drivers.sim.lines import LineState
from drivers.sim.positions import PhoneState

UPDATED_S = 1_763_971_200.0  # 2025-11-24 16:00 in Asia/Shanghai


def self_service_setup() -> DepotSetup:
    setup = seed.demo_setup(ZONE)
    queues = tuple(
        dataclasses.replace(q, waybill_self_service=q.id == "cargo") for q in setup.queues
    )
    return dataclasses.replace(setup, queues=queues)


async def key_waybill(d: Depot, digits: str) -> None:
    row = Waybill("JD8000123456", "in_transit", "广州转运中心", UPDATED_S)
    await d.runtime.store.in_transaction(lambda c: waybills.load(c, [row]))
    assert d.lines.incoming_call("sim-1", CallerId("13800138000", "张伟"))
    await until("the menu plays", lambda: d.lines.state("sim-1") is LineState.CONNECTED)
    await until("the menu prompt", lambda: prompted(d, "menu_cargo"))
    d.lines.press("sim-1", "1")
    await until("asked for the waybill", lambda: prompted(d, "waybill_enter"))
    for digit in digits + "#":
        d.lines.press("sim-1", digit)


def prompted(d: Depot, prompt: str) -> bool:
    return any("box PlayPrompt sim-1" in t and prompt in t for t in d.lines.transcript.texts())


def test_runtime_keyed_waybill_is_read_back_and_hang_up_is_self_served(tmp_path: Path) -> None:
    async def main() -> None:
        async with depot(tmp_path, setup=self_service_setup()) as d:
            await d.service.log_in("1001", "pos1")
            await key_waybill(d, "8000123456")
            await until("the status is read", lambda: prompted(d, "waybill_status_in_transit"))
            d.lines.hang_up("sim-1")
            await until(
                "the call is logged", lambda: any(isinstance(u, CallLogged) for u in d.updates)
            )
            logged = next(u for u in d.updates if isinstance(u, CallLogged))
            assert logged.record.end_reason is EndReason.SELF_SERVED
            entries = await d.runtime.store.queue_log(0.0)
            rows = [(e.verb, e.data) for e in entries if e.call_id == logged.record.call_id]
            assert (Verb.WAYBILL, ("8000123456", "found")) in rows
            assert Verb.ENTERQUEUE not in [verb for verb, _ in rows]
            assert d.phones.state("pos1") is PhoneState.IDLE, "no agent was rung"

    asyncio.run(main())


def test_runtime_unknown_waybill_rings_agent_with_it_on_the_screen_pop(tmp_path: Path) -> None:
    async def main() -> None:
        async with depot(tmp_path, setup=self_service_setup()) as d:
            await d.service.log_in("1001", "pos1")
            await key_waybill(d, "5550001")
            await until(
                "the agent's phone rings", lambda: d.phones.state("pos1") is PhoneState.RINGING
            )
            assert prompted(d, "waybill_unknown")
            pops = [
                u.notice
                for u in d.updates
                if isinstance(u, NoticeIssued) and u.notice.kind is NoticeKind.SCREEN_POP
            ]
            assert [(n.agent, n.number, n.waybill) for n in pops] == [
                ("1001", "13800138000", "5550001")
            ]

    asyncio.run(main())

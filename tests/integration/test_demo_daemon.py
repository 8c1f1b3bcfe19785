"""The demo daemon end to end: simulated callers and agents on the real engine, store and web
page, started as a subprocess on a database on disk."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import urllib.request
from pathlib import Path
from typing import Any

from depot_db import (
    answered_calls,
    check_records_agree,
    count,
    free_port,
    query,
    start_demo,
    wait_until,
)

from appliance import seed, wiring
from appliance.clock import ShellClock
from appliance.config import ThresholdsConfig
from appliance.engine.records import EndReason
from appliance.runtime import open_runtime
from appliance.service import CallStage, DepotService


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body.decode()


def live_figures(url: str) -> dict[str, Any]:
    """The first `figures` server-sent event of the page's live feed."""
    with urllib.request.urlopen(url, timeout=10) as stream:
        event = ""
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "figures":
                figures: dict[str, Any] = json.loads(line.removeprefix("data: "))
                return figures
    raise AssertionError("the live feed ended without figures")


def test_demo_daemon_answers_calls_records_agree_and_the_page_shows_figures(
    tmp_path: Path,
) -> None:
    db = tmp_path / "demo.db"
    log = tmp_path / "demo.log"
    port = free_port()
    daemon = start_demo(db, log, "--speed", "50", "--port", str(port), "--calls-per-hour", "150")
    try:
        wait_until(lambda: answered_calls(db) >= 4, "four answered calls", daemon)
        figures = json.loads(fetch(f"http://127.0.0.1:{port}/api/figures"))
        assert int(figures["fields"]["answered_today"]["text"]) >= 4
        assert figures["fields"]["service_level"]["text"].endswith("%")
        page = fetch(f"http://127.0.0.1:{port}/")
        answered_box = re.search(
            r'id="fig-answered_today".*?<div class="value">(\d+)</div>', page, re.S
        )
        assert answered_box is not None and int(answered_box.group(1)) >= 4
        assert "今日接听" in page and "Answered today" in page
        # today's call log lists the answered calls with their agents, in both languages
        assert len(re.findall(r"<td>已接听 Answered</td>", page)) >= 4
        # the depot's site is served beside the wallboard: sign-in for agents and supervisors
        assert 'href="/login"' in page
        assert "<form" in fetch(f"http://127.0.0.1:{port}/login")
        # the page's live feed starts with the current figures
        live = live_figures(f"http://127.0.0.1:{port}/events")
        assert int(live["fields"]["answered_today"]["text"]) >= 4
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0, log.read_text()
    check_records_agree(db)
    # a clean stop: every agent logged off, every call that began has ended
    logins = count(db, "SELECT count(*) FROM queue_log WHERE verb = 'AGENTLOGIN'")
    logoffs = count(db, "SELECT count(*) FROM queue_log WHERE verb = 'AGENTLOGOFF'")
    assert logins == logoffs >= 6
    began = {row[0] for row in query(db, "SELECT call_id FROM queue_log WHERE verb = 'INBOUND'")}
    ended = {row[0] for row in query(db, "SELECT call_id FROM queue_log WHERE verb = 'HANGUP'")}
    assert began == ended
    assert "figures today at stop: answered=" in log.read_text()


def test_demo_with_modems_connects_a_modem_caller_to_an_agent(tmp_path: Path) -> None:
    """`--modems`: the demo's modem lines are the real modem driver on simulated modems."""

    async def main() -> None:
        clock = ShellClock(1.0)
        demo = wiring.build_demo(
            clock,
            lines=4,
            agents=seed.DEMO_AGENTS,
            callers=seed.DEMO_CALLERS,
            console=False,
            timezone="Asia/Shanghai",
            seed=3,
            calls_per_hour=2400.0,
            modems=2,
            scratch_dir=str(tmp_path),
        )
        try:
            async with open_runtime(
                database=str(tmp_path / "modems.db"),
                devices=demo.devices,
                clock=clock,
                timezone="Asia/Shanghai",
                thresholds=ThresholdsConfig(),
                default_setup=seed.demo_setup,
            ) as runtime:
                service = DepotService(runtime)
                stop = asyncio.Event()
                running = asyncio.create_task(runtime.run(stop))
                await asyncio.wait_for(runtime.ready.wait(), 30)
                assert demo.modem_callers is not None
                people = [
                    asyncio.create_task(demo.modem_callers()),
                    asyncio.create_task(demo.agents_for(service).run()),
                ]

                def modem_call_connected() -> bool:
                    return any(
                        call.line.startswith("fxo") and call.stage is CallStage.CONNECTED
                        for call in service.snapshot().calls
                    )

                async with asyncio.timeout(60):
                    while not modem_call_connected():
                        await asyncio.sleep(0.05)
                for task in people:
                    task.cancel()
                stop.set()
                await asyncio.wait_for(running, 30)
                records = await runtime.store.calls(0.0, clock.now() + 1)
                # the call may still be going on at the stop, which then ends it (box_shutdown)
                assert any(
                    r.line.startswith("fxo")
                    and r.agent
                    and r.connected_s is not None
                    and r.end_reason in (EndReason.ANSWERED, EndReason.SHUTDOWN)
                    for r in records
                )
        finally:
            demo.close()

    asyncio.run(main())

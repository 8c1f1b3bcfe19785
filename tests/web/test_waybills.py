"""运单号 through the web pages on a running depot: the tracking export uploaded from the settings
page or picked up from the tracking folder (a bad row named by line and column, nothing loaded,
nothing already loaded lost), and the search by waybill across records, calls and tickets."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from test_settings_menu import queue_form
from web_depot import (
    AGENT_ID,
    AGENT_PASSWORD,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
    running_depot,
)
from web_http import Browserish
from web_people import signed_in
from web_people import upload as upload_file

from appliance.desk.waybills import SETTLE_S
from appliance.engine.records import CallEnded, CallRecord, EndReason, QueueLogEntry, Verb

GOOD = (
    "运单号,状态,地点,时间\n"
    "SF1234567890,运输中,上海转运中心,2026-12-06 21:10\n"
    "YT9876543210,delivered,杭州西湖区,2026-12-06 18:02\n"
).encode()


def with_people(
    tmp_path: Path,
    test: Callable[[Depot, Browserish, Browserish], Awaitable[None]],
    *,
    jobs_every_s: float = 3600.0,
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db", desk_jobs_every_s=jobs_every_s) as depot:
            accounts = ((AGENT_ID, AGENT_PASSWORD), (SUPERVISOR_ID, SUPERVISOR_PASSWORD))
            async with signed_in(depot.url, *accounts) as (agent, lead):
                await test(depot, agent, lead)

    asyncio.run(main())


async def upload(lead: Browserish, data: bytes) -> tuple[int, str]:
    return await upload_file(lead, "/supervisor/waybills/import", data, {}, name="export.csv")


async def status_of(who: Browserish, waybill: str) -> str:
    _status, page = await who.page(f"/waybills?q={waybill}")
    found = re.search(r'id="tracking-status" data-status="([a-z_]+)"', page)
    return found.group(1) if found else ""


def test_tracking_export_with_bad_rows_names_line_and_column_and_loses_nothing(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        _status, settings = await lead.page("/supervisor/settings")
        assert 'action="/supervisor/waybills/import"' in settings
        status, page = await upload(lead, GOOD)
        assert status == 200 and 'id="waybills-imported"' in page
        assert await status_of(agent, "SF1234567890") == "in_transit"
        cases = {
            "SF1234567890,delivered,上海,2026-12-07 09:00\nYT1,delivered,杭州,2026-12-07 09:00\n": (
                2,
                1,
            ),
            "SF1234567890,lost in space,上海,2026-12-07 09:00\n": (1, 2),
            "SF1234567890,delivered,上海,2026-12-07 09:00\nYT9876543210,arrived,杭州,yesterday\n": (
                2,
                4,
            ),
            "SF1234567890,delivered,\n": (1, 3),
        }
        for data, (line, column) in cases.items():
            status, page = await upload(lead, data.encode())
            assert status == 400, data
            assert f'data-csv-line="{line}" data-csv-column="{column}"' in page, data
            assert f"第 {line} 行，第 {column} 列" in page
        # nothing of a refused file was loaded
        assert await status_of(agent, "SF1234567890") == "in_transit"
        # a later file updates what it names, keeps what it does not, and an older row
        # never replaces a newer one
        later = (
            "SF1234567890,已签收,上海浦东,2026-12-07 10:15\n"
            "YT9876543210,in_transit,杭州,2026-12-05 08:00\n"
        ).encode("gb18030")
        status, page = await upload(lead, later)
        assert status == 200
        assert await status_of(agent, "SF1234567890") == "delivered"
        assert await status_of(agent, "YT9876543210") == "delivered"
        status, page = await upload(lead, "ZT5550001111,received,北京,2026-12-07 11:00\n".encode())
        assert await status_of(agent, "SF1234567890") == "delivered"
        assert 'id="waybills-imported"' in page and "<strong>1</strong>" in page

    with_people(tmp_path, test)


def test_tracking_folder_export_is_picked_up_and_a_bad_one_refused_with_its_line(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        folder = tmp_path / "tracking"
        folder.mkdir(exist_ok=True)
        (folder / "1-bad.csv").write_bytes(GOOD + b"XX,delivered,here,2026-12-07 10:00\n")
        (folder / "2-nightly.csv").write_bytes(GOOD)
        (folder / "3-being-written.csv").write_bytes(GOOD)
        settled_s = time.time() - SETTLE_S - 1
        for name in ("1-bad.csv", "2-nightly.csv"):
            os.utime(folder / name, (settled_s, settled_s))

        async def picked_up() -> bool:
            return [p.name for p in folder.glob("*.csv")] == ["3-being-written.csv"]

        async with asyncio.timeout(10):
            while not await picked_up():
                await asyncio.sleep(0.02)
        assert (folder / "loaded" / "2-nightly.csv").exists()
        error = (folder / "refused" / "1-bad.csv.error.txt").read_text()
        assert "line 4, column 1 (waybill)" in error
        assert "6 to 30 letters and digits" in error, error  # words, not the web UI's code
        assert await status_of(agent, "YT9876543210") == "delivered"

    with_people(tmp_path, test, jobs_every_s=0.02)


def test_waybill_found_across_records_calls_and_tickets(tmp_path: Path) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        await upload(lead, GOOD)
        now_s = depot.service.now()
        call = CallRecord(
            "call-wb",
            "L1",
            "in",
            "13800001111",
            "",
            now_s - 300,
            now_s - 100,
            EndReason.ANSWERED,
            queue="cargo",
            agent=AGENT_ID,
            connected_s=now_s - 290,
            wait_s=10,
            talk_s=190,
        )
        await depot.runtime.store.record([CallEnded(call)])
        token = await agent.csrf()
        status, page = await agent.post(
            "/records",
            {
                "csrf_token": token,
                "kind": "consultation",
                "call_id": "call-wb",
                "number": "13800001111",
                "topic": "查件",
                "answered": "yes",
                "waybill": "not a waybill!",
            },
        )
        assert status == 400 and 'data-field="waybill"' in page
        for kind, fields in (
            ("consultation", {"topic": "查件", "answered": "yes"}),
            ("complaint", {"category": "delay", "department": "cargo", "details": "三天未到"}),
        ):
            status, _ = await agent.post(
                "/records",
                {
                    "csrf_token": token,
                    "kind": kind,
                    "call_id": "call-wb",
                    "number": "13800001111",
                    "waybill": "sf 1234-567890",
                    **fields,
                },
            )
            assert status == 303
        _status, page = await agent.page("/waybills?q=SF1234567890")
        found = page.split('id="waybill-found"')[1]
        assert "上海转运中心" in found and "运输中" in found
        assert (
            len(
                re.findall(
                    r'href="/records/', found.split('id="waybill-records"')[1].split("</ul>")[0]
                )
            )
            == 2
        )
        assert 'data-call="call-wb"' in found
        (ticket_id,) = re.findall(r'href="/tickets/([^"]+)"', found)
        _status, tickets = await agent.page("/tickets?waybill=SF1234567890")
        assert re.findall(r'data-ticket="([^"]+)"', tickets) == [ticket_id]
        _status, ticket = await agent.page(f"/tickets/{ticket_id}")
        assert 'id="ticket-waybill"' in ticket
        _status, page = await agent.page("/waybills?q=ZZ0000000000")
        assert 'id="tracking-unknown"' in page

    with_people(tmp_path, test)


def test_waybill_search_finds_the_calls_that_keyed_it_on_the_phone(tmp_path: Path) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        await upload(lead, GOOD)
        now_s = depot.service.now()

        def keyed_call(call_id: str, digits: str, result: str, reason: EndReason) -> list[object]:
            call = CallRecord(
                call_id, "L1", "in", "13800002222", "", now_s - 90, now_s - 30, reason
            )
            keyed = (digits, result)
            return [
                QueueLogEntry(now_s - 90, call_id, "", "", Verb.INBOUND, ("13800002222", "")),
                QueueLogEntry(now_s - 60, call_id, "cargo", "", Verb.WAYBILL, keyed),
                CallEnded(call),
            ]

        await depot.runtime.store.record(
            [
                # the keypad cannot key the carrier's letters: SF1234567890 is keyed 1234567890
                *keyed_call("self-served", "1234567890", "found", EndReason.SELF_SERVED),
                *keyed_call("to-agent", "8000123456", "unknown", EndReason.ABANDONED_IN_QUEUE),
                *keyed_call("other", "9876543210", "found", EndReason.SELF_SERVED),
            ]
        )
        _status, page = await agent.page("/waybills?q=SF1234567890")
        calls = re.findall(r'data-call="([^"]+)"', page.split('id="waybill-found"')[1])
        assert calls == ["self-served"]
        _status, page = await agent.page("/waybills?q=8000123456")
        assert 'id="tracking-unknown"' in page
        calls = re.findall(r'data-call="([^"]+)"', page.split('id="waybill-found"')[1])
        assert calls == ["to-agent"]

    with_people(tmp_path, test)


def test_digits_keyed_without_the_carriers_letters_find_the_waybill(tmp_path: Path) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        await upload(lead, GOOD)
        # the screen pop links the digits the caller keyed; the self-service read SF1234567890
        _status, page = await agent.page("/waybills?q=1234567890")
        assert 'id="tracking-unknown"' not in page
        assert await status_of(agent, "1234567890") == "in_transit"
        assert "SF1234567890" in page.split('id="waybill-found"')[1]

    with_people(tmp_path, test)


def test_screen_pop_shows_the_waybill_the_caller_keyed(tmp_path: Path) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        status, page = await agent.page(
            "/desk/pop?number=13800138000&call_id=c1&name=x&waybill=8000123456"
        )
        assert status == 200
        found = re.search(r'id="pop-waybill">[^<]*<a href="([^"]+)">([^<]+)</a>', page)
        assert found is not None and found.groups() == ("/waybills?q=8000123456", "8000123456")
        assert "&waybill=8000123456" in page  # a new record starts with it filled in
        _status, plain = await agent.page("/desk/pop?number=13800138000&call_id=c2&name=x")
        assert 'id="pop-waybill"' not in plain
        _status, form = await agent.page("/records/new?kind=consultation&waybill=8000123456")
        assert 'value="8000123456"' in form

    with_people(tmp_path, test)


def test_settings_page_turns_on_the_cargo_queues_waybill_self_service(tmp_path: Path) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        token = await lead.csrf("/supervisor/settings")
        form = queue_form(token, "cargo", waybill_self_service="on")
        status, _page = await lead.post("/supervisor/settings", form)
        assert status == 303
        _status, page = await lead.page("/supervisor/settings")
        assert 'name="waybill_self_service" checked' in page
        assert depot.service.setup().queue("cargo").waybill_self_service
        assert not depot.service.setup().queue("orders").waybill_self_service

    with_people(tmp_path, test)

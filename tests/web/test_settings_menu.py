"""Queue overflow and the caller menu changed on the settings page over HTTP: checked field by
field (nothing changes on a bad form), audited, kept, and live in the running engine."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path

import aiohttp
from web_depot import (
    AGENT_ID,
    AGENT_PASSWORD,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
    running_depot,
)
from web_http import Browserish

from appliance.engine.setup import MenuOption, OverflowKind
from drivers.roles import CallerId


def new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.02)


def queue_form(token: str, queue_id: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "action": "queue",
        "queue_id": queue_id,
        "strategy": "longest_idle",
        "ring_timeout_s": "15",
        "wrap_up_s": "30",
        "max_wait_s": "300",
        "talk_time_limit_s": "600",
        "sl_threshold_s": "20",
        "max_length": "0",
        "overflow_kind": "callback",
        "overflow_target": "",
        "tier_escalation_s": "30",
        "leave_when_no_agents": "on",
        "queue_switches": queue_id,
    }
    return {**form, **changes}


def menu_form(token: str, rows: list[tuple[str, str, str]], **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "action": "menu",
        "timeout_s": "6",
        "attempts": "2",
        "default_queue": "cargo",
        "language_key": "9",
    }
    for row, (digit, queue, prompt) in enumerate(rows):
        form.update({f"digit_{row}": digit, f"queue_{row}": queue, f"prompt_{row}": prompt})
    return {**form, **changes}


def queue_section(page: str, queue_id: str) -> str:
    """The settings form of one queue, as the page shows it."""
    match = re.search(rf'<form[^>]*data-queue="{queue_id}".*?</form>', page, re.S)
    assert match is not None, queue_id
    return match.group(0)


def test_supervisor_sets_overflow_to_another_queue_kept_audited_agent_refused(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            async with new_session() as s1, new_session() as s2:
                supervisor, agent = Browserish(depot.url, s1), Browserish(depot.url, s2)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
                token = await supervisor.csrf("/supervisor/settings")
                form = queue_form(
                    token,
                    "orders",
                    overflow_kind="queue",
                    overflow_target="complaints",
                    max_wait_s="120",
                    max_length="12",
                    survey="on",
                    announce_every_s="60",
                    virtual_hold_key="#",
                )
                agent_token = await agent.csrf("/desk")
                status, _ = await agent.post(
                    "/supervisor/settings", {**form, "csrf_token": agent_token}
                )
                assert status == 403
                assert depot.service.setup().queue("orders").overflow.kind is OverflowKind.CALLBACK
                assert (await supervisor.post("/supervisor/settings", form))[0] == 303
                status, page = await supervisor.page("/supervisor/settings")
                orders_form = queue_section(page, "orders")
                assert '<option value="queue" selected>' in orders_form
                assert '<option value="complaints" selected>' in orders_form
                assert 'name="max_length" type="number" min="0" max="100" step="1" value="12"' in (
                    orders_form
                )
                assert 'name="survey" checked' in orders_form
                assert '<option value="orders"' not in orders_form  # never to itself
            orders = depot.service.setup().queue("orders")
            assert (orders.overflow.kind, orders.overflow.target_queue) == (
                OverflowKind.QUEUE,
                "complaints",
            )
            assert (orders.max_wait_s, orders.max_length, orders.survey) == (120.0, 12, True)
            assert (orders.announce_every_s, orders.virtual_hold_key) == (60.0, "#")
            assert await depot.runtime.store.load_setup() == depot.service.setup()
            entries = [(e.action, e.target) for e in await depot.desk.audit_log()]
            assert ("settings.queue", "orders") in entries

    asyncio.run(main())


def test_bad_queue_forms_refused_naming_the_field_nothing_changes(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            before = depot.service.setup()
            async with new_session() as session:
                supervisor = Browserish(depot.url, session)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                token = await supervisor.csrf("/supervisor/settings")
                for changes, field in (
                    ({"overflow_kind": "queue", "overflow_target": ""}, "overflow_target"),
                    ({"overflow_kind": "queue", "overflow_target": "orders"}, "overflow_target"),
                    ({"overflow_kind": "queue", "overflow_target": "nowhere"}, "overflow_target"),
                    ({"overflow_kind": "fax"}, "overflow_kind"),
                    ({"max_wait_s": "5"}, "max_wait_s"),
                    ({"max_wait_s": "3601"}, "max_wait_s"),
                    ({"max_length": "101"}, "max_length"),
                    ({"max_length": "-1"}, "max_length"),
                    ({"max_length": "2.5"}, "max_length"),
                    ({"announce_every_s": "5"}, "announce_every_s"),
                    ({"announce_every_s": "601"}, "announce_every_s"),
                    ({"virtual_hold_key": "x"}, "virtual_hold_key"),
                ):
                    form = queue_form(token, "orders", survey="on", **changes)
                    status, page = await supervisor.post("/supervisor/settings", form)
                    assert status == 400, changes
                    assert f'data-field="{field}"' in page, changes
                assert depot.service.setup() == before
                assert await depot.runtime.store.load_setup() == before
                assert depot.service.setup().queue("complaints").survey  # as the depot came
                form = queue_form(
                    token,
                    "complaints",
                    max_wait_s="0",
                    overflow_kind="hang_up",
                    announce_every_s="0",
                    virtual_hold_key="",
                )
                assert (await supervisor.post("/supervisor/settings", form))[0] == 303
            complaints = depot.service.setup().queue("complaints")
            assert (complaints.max_wait_s, complaints.overflow.kind) == (0.0, OverflowKind.HANG_UP)
            assert (
                complaints.announce_every_s,
                complaints.virtual_hold_key,
                complaints.survey,
            ) == (
                0.0,
                "",
                False,  # the box was left unticked
            )

    asyncio.run(main())


def test_bad_menu_forms_refused_naming_the_field_nothing_changes(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            before = depot.service.setup()
            good = [("1", "cargo", "menu_cargo"), ("2", "orders", "menu_orders")]
            async with new_session() as session:
                supervisor = Browserish(depot.url, session)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                token = await supervisor.csrf("/supervisor/settings")
                for rows, changes, field in (
                    ([*good, ("1", "complaints", "menu_complaints")], {}, "digit_2"),
                    ([("A", "cargo", "menu_cargo")], {}, "digit_0"),
                    ([("1", "nowhere", "menu_cargo")], {}, "queue_0"),
                    ([("1", "cargo", "../etc/passwd")], {}, "prompt_0"),
                    ([], {}, "digit_0"),
                    (good, {"language_key": "2"}, "language_key"),
                    (good, {"timeout_s": "1"}, "timeout_s"),
                    (good, {"timeout_s": "31"}, "timeout_s"),
                    (good, {"attempts": "0"}, "attempts"),
                    (good, {"attempts": "6"}, "attempts"),
                    (good, {"default_queue": ""}, "default_queue"),
                    (
                        good,
                        {"digit_9": "5", "queue_9": "cargo", "prompt_9": "menu_cargo"},
                        "options",
                    ),
                ):
                    form = menu_form(token, rows, **changes)
                    status, page = await supervisor.post("/supervisor/settings", form)
                    assert status == 400, (rows, changes)
                    assert f'data-field="{field}"' in page, (rows, changes)
                assert depot.service.setup() == before
                assert await depot.runtime.store.load_setup() == before
                assert not any(e.action == "settings.menu" for e in await depot.desk.audit_log())

    asyncio.run(main())


def test_menu_change_is_live_new_key_takes_caller_to_new_queue(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            rows = [
                ("1", "cargo", "menu_cargo"),
                ("4", "complaints", "menu_complaints"),
                ("", "orders", "menu_orders"),  # an empty key drops the row
                ("#", "orders", "menu_orders"),
            ]
            async with new_session() as session:
                supervisor = Browserish(depot.url, session)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                token = await supervisor.csrf("/supervisor/settings")
                form = menu_form(
                    token,
                    rows,
                    timeout_s="8",
                    attempts="3",
                    default_queue="orders",
                    language_key="",
                )
                assert (await supervisor.post("/supervisor/settings", form))[0] == 303
                status, page = await supervisor.page("/supervisor/settings")
                assert status == 200
                row_1 = re.search(r'<tr data-row="1">.*?</tr>', page, re.S)
                assert row_1 is not None
                assert '<option value="4" selected>' in row_1.group(0)
                assert '<option value="menu_complaints" selected>' in row_1.group(0)
            menu = depot.service.setup().menu
            assert menu.options == (
                MenuOption("1", "cargo", "menu_cargo"),
                MenuOption("4", "complaints", "menu_complaints"),
                MenuOption("#", "orders", "menu_orders"),
            )
            assert (menu.timeout_s, menu.attempts, menu.default_queue, menu.language_key) == (
                8.0,
                3,
                "orders",
                "",
            )
            assert await depot.runtime.store.load_setup() == depot.service.setup()
            audit = [(e.action, e.detail) for e in await depot.desk.audit_log()]
            assert ("settings.menu", "14#") in audit
            await live_call_lands_in(depot, "4", "complaints")

    asyncio.run(main())


async def live_call_lands_in(depot: Depot, key: str, queue_id: str) -> None:
    """A caller presses `key` in the menu and is offered to an agent of `queue_id`."""
    await depot.service.log_in("1003", "pos1")  # cargo and complaints
    await depot.service.ready("1003")
    assert depot.lines.incoming_call("L1", CallerId("13700003333", ""))

    def stage() -> str:
        calls = depot.service.snapshot().calls
        return calls[0].stage.value if calls else "none"

    await until(lambda: stage() == "greeting")
    depot.lines.press("L1", key)
    await until(lambda: stage() == "offered")
    assert depot.service.snapshot().calls[0].queue == queue_id

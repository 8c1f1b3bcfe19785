"""DeskService on a real store with the depot running: records are never edited (history is
appended), the customer directory fills from records, tickets escalate by the depot's clock."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from web_depot import Depot, running_depot

from appliance.desk import ESCALATE_AFTER_S, FormError, SignedIn
from appliance.store import Role

AGENT = SignedIn("1001", "王芳", Role.AGENT, "", 0.0)
LEAD = SignedIn("9001", "孙主管", Role.SUPERVISOR, "", 0.0)
COMPLAINT = {
    "category": "loss",
    "department": "dispatch",
    "details": "整箱丢失",
    "customer_name": "上海申通物流",
    "customer_type": "company",
}


def with_depot(tmp_path: Path, test: Callable[[Depot], Awaitable[None]]) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            await test(depot)

    asyncio.run(main())


def test_desk_record_is_never_edited_follow_ups_append_to_history(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        form = {
            "vehicle_type": "厢式货车",
            "plate": "沪A12345",
            "contact": "张伟 13800138000",
            "place": "G60 沪昆高速 120 km",
            "fault": "爆胎",
        }
        record = await depot.desk.records.save_record(
            AGENT, "rescue", "call-7", "13800138000", form
        )
        await depot.desk.records.append_to_record(
            AGENT, record.record_id, "已通知救援部，40 分钟到达"
        )
        await depot.desk.records.append_to_record(LEAD, record.record_id, "救援车已到达")
        assert await depot.desk.records.record(record.record_id) == record
        assert [
            (h.author, h.note) for h in await depot.desk.records.record_history(record.record_id)
        ] == [
            ("1001", "已通知救援部，40 分钟到达"),
            ("9001", "救援车已到达"),
        ]
        with pytest.raises(FormError) as refused:
            await depot.desk.records.append_to_record(AGENT, record.record_id, "   ")
        assert refused.value.field == "note"
        with pytest.raises(FormError):
            await depot.desk.records.append_to_record(AGENT, "R-NOPE", "x")

    with_depot(tmp_path, test)


def test_desk_customer_directory_fills_from_records_keyed_by_number(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        await depot.desk.records.save_record(
            AGENT,
            "consultation",
            "",
            "02155550123",
            {
                "topic": "运价",
                "answered": "yes",
                "customer_name": "申通",
                "customer_type": "company",
            },
        )
        await depot.desk.records.save_record(AGENT, "complaint", "", "02155550123", COMPLAINT)
        await depot.desk.records.save_record(
            AGENT, "callback", "", "02155550123", {"satisfied": "yes"}
        )
        customers = await depot.desk.records.customers()
        assert [(c.number, c.name, c.customer_type) for c in customers] == [
            ("02155550123", "上海申通物流", "company")
        ]
        pop = await depot.desk.records.screen_pop("02155550123")
        assert [r.kind for r in pop.records] == ["callback", "complaint", "consultation"]
        assert [t.category for t in pop.open_tickets] == ["loss"]

    with_depot(tmp_path, test)


def test_desk_complaint_ticket_escalates_to_shift_lead_then_manager_by_depot_clock(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot) -> None:
        await depot.desk.records.save_record(AGENT, "complaint", "", "13912345678", COMPLAINT)
        (ticket,) = await depot.desk.tickets.open_tickets()
        assert (ticket.department, ticket.escalation_level) == ("dispatch", 0)
        depot.clock.offset_s += ESCALATE_AFTER_S - 60
        assert await depot.desk.tickets.overdue_tickets() == []
        depot.clock.offset_s += 120
        assert [t.ticket_id for t in await depot.desk.tickets.overdue_tickets()] == [
            ticket.ticket_id
        ]
        await depot.desk.tickets.escalate_ticket(LEAD, ticket.ticket_id, "部门未处理")
        assert await depot.desk.tickets.overdue_tickets() == []
        depot.clock.offset_s += ESCALATE_AFTER_S
        assert [t.ticket_id for t in await depot.desk.tickets.overdue_tickets()] == [
            ticket.ticket_id
        ]
        escalated = await depot.desk.tickets.escalate_ticket(LEAD, ticket.ticket_id)
        assert escalated.escalation_level == 2
        with pytest.raises(FormError) as at_top:
            await depot.desk.tickets.escalate_ticket(LEAD, ticket.ticket_id)
        assert at_top.value.problem == "at_top"
        with pytest.raises(FormError) as no_reason:
            await depot.desk.tickets.close_ticket(LEAD, ticket.ticket_id, "")
        assert no_reason.value.field == "reason"
        with pytest.raises(FormError) as agent_closing:
            await depot.desk.tickets.close_ticket(AGENT, ticket.ticket_id, "自己结案")
        assert agent_closing.value.problem == "not_owner"
        await depot.desk.tickets.close_ticket(LEAD, ticket.ticket_id, "客户已撤诉")
        assert await depot.desk.tickets.open_tickets() == []
        steps = await depot.desk.tickets.ticket_steps(ticket.ticket_id)
        assert [s.action for s in steps] == ["opened", "escalated", "escalated", "closed"]

    with_depot(tmp_path, test)


def test_desk_failed_complaint_keeps_neither_record_nor_ticket(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        with pytest.raises(FormError) as missing:
            await depot.desk.records.save_record(
                AGENT, "complaint", "", "13912345678", {**COMPLAINT, "department": ""}
            )
        assert missing.value.field == "department"
        with sqlite3.connect(depot.runtime.store.path) as connection:
            for table in ("desk_records", "tickets", "customers", "ticket_history"):
                assert connection.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)

    with_depot(tmp_path, test)


def test_desk_scripts_tree_in_order_search_and_no_orphans(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        cargo = await depot.desk.scripts.add_script(LEAD, "0", "货物查询", "请提供运单号。")
        await depot.desk.scripts.add_script(LEAD, str(cargo), "运单号格式", "12 位数字")
        await depot.desk.scripts.add_script(LEAD, "0", "投诉处理", "先道歉，再记录。")
        tree = await depot.desk.scripts.script_tree()
        assert [(depth, s.title) for depth, s in tree] == [
            (0, "投诉处理"),
            (0, "货物查询"),
            (1, "运单号格式"),
        ]
        found = await depot.desk.scripts.search_scripts("运单号")
        assert sorted(s.title for s in found) == sorted(["运单号格式", "货物查询"])
        with pytest.raises(FormError) as refused:
            await depot.desk.scripts.remove_script(LEAD, str(cargo))
        assert refused.value.problem == "has_children"
        with pytest.raises(FormError) as no_parent:
            await depot.desk.scripts.add_script(LEAD, "999", "x", "")
        assert no_parent.value.field == "parent_id"
        await depot.desk.scripts.change_script(
            LEAD, str(cargo), "货物查询（更新）", "请提供运单号或手机号。"
        )
        assert [s.title for _d, s in await depot.desk.scripts.script_tree()][
            1
        ] == "货物查询（更新）"
        actions = [e.action for e in await depot.desk.audit_log()]
        assert actions.count("script.add") == 3 and "script.change" in actions

    with_depot(tmp_path, test)

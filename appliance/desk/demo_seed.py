"""The demo's follow-up work, so a new user sees each loop working: a list of key customers
(重点客户), callback tasks and complaint tickets in every state — one of them a day old, which the
depot escalates by itself within its first minute. (The tracking export is seeded with the
database: appliance/demo.py.)"""

from __future__ import annotations

from dataclasses import replace

import aiosqlite

from appliance.desk.audit import SignedIn
from appliance.desk.service import DeskService
from appliance.store import Role, Store, desk_records, tasks, tickets
from appliance.store.desk_records import DeskRecord
from appliance.store.desk_store import DeskStore
from appliance.store.tickets import TicketStep

HOUR_S = 3600.0
AGENT = SignedIn("1001", "王芳", Role.AGENT, "", 0.0)
LEAD = SignedIn("9001", "孙主管", Role.ADMIN, "", 0.0)

KEY_CUSTOMERS = """号码,姓名,备注
02155550123,上海申通物流,年度合同客户
01066668888,北京顺达商贸,季度回访
13900000001,王总,VIP
""".encode()

COMPLAINT = {"category": "delay", "department": "cargo", "customer_type": "company"}


async def seed_follow_ups(desk: DeskService, store: Store) -> None:
    """Only on a depot with no tasks or tickets yet."""
    if await desk.tasks.every_task(limit=1) or await desk.tickets.recent_tickets(limit=1):
        return
    await desk.tasks.import_tasks(
        LEAD, KEY_CUSTOMERS, {"reason": "key_customer", "note": "重点客户"}
    )
    await _seed_tasks(desk, store)
    await _seed_tickets(desk, store)


async def _seed_tasks(desk: DeskService, store: Store) -> None:
    made = desk.tasks
    await made.create_task(LEAD, {"number": "13600001111", "name": "刘洋", "agent_id": "1001"})
    reached = await made.create_task(LEAD, {"number": "13700002222", "name": "陈静"})
    await made.record_attempt(AGENT, reached.task_id, "reached_resolved", "货已收到，客户满意")
    unreachable = await made.create_task(LEAD, {"number": "15800003333", "name": "杨帆"})
    for outcome in ("no_answer", "busy", "no_answer"):
        await made.record_attempt(AGENT, unreachable.task_id, outcome, "")
    closed = await made.create_task(LEAD, {"number": "18600004444", "name": "赵磊"})
    await made.close_task(LEAD, closed.task_id, "客户已到站自提")
    overdue = made.new_task("15000005555", "黄敏", "campaign", "春节运费优惠通知", by=LEAD.agent_id)
    created_s = desk.service.now() - 4 * 24 * HOUR_S  # made four days ago: overdue now
    late = replace(overdue, created_s=created_s, due_s=created_s + 3 * 24 * HOUR_S)
    await DeskStore(store).write(lambda c: tasks.add(c, late))


async def _seed_tickets(desk: DeskService, store: Store) -> None:
    records = desk.records
    await records.save_record(
        AGENT,
        "complaint",
        "",
        "13800138000",
        {**COMPLAINT, "details": "货物延误三天", "waybill": "SF1234567890"},
    )
    escalated = await records.save_record(
        AGENT,
        "complaint",
        "",
        "13912345678",
        {**COMPLAINT, "details": "货物破损", "category": "damage"},
    )
    (ticket,) = await desk.tickets.for_record(escalated.record_id)
    await desk.tickets.add_note(LEAD, ticket.ticket_id, "chase", "请货运部今天内回复")
    await desk.tickets.escalate_ticket(LEAD, ticket.ticket_id, "客户第二次来电")
    for number, details, then in (
        ("13300006666", "派送员态度差", "resolved"),
        ("02155550123", "运费多收", "reached"),
        ("01066668888", "重复投诉", "closed"),
    ):
        record = await records.save_record(
            AGENT, "complaint", "", number, {**COMPLAINT, "details": details, "category": "billing"}
        )
        (ticket,) = await desk.tickets.for_record(record.record_id)
        if then == "closed":
            await desk.tickets.close_ticket(LEAD, ticket.ticket_id, "与 T 单重复，合并处理")
            continue
        await desk.tickets.resolve(AGENT, ticket.ticket_id, "已退还多收运费")
        if then == "reached":
            (task,) = await desk.tickets.follow_up_tasks(ticket.ticket_id)
            await desk.tasks.record_attempt(AGENT, task.task_id, "reached_resolved", "客户满意")
    await _aged_ticket(desk, store)


async def _aged_ticket(desk: DeskService, store: Store) -> None:
    """A complaint taken yesterday and left: past its deadline, escalated by the depot."""
    created_s = desk.service.now() - 26 * HOUR_S
    record = DeskRecord(
        "RDEMO00AGED",
        "complaint",
        "",
        "13800000088",
        "1002",
        created_s,
        (
            ("category", "loss"),
            ("department", "dispatch"),
            ("details", "整箱丢失"),
            ("waybill", "JD8000123456"),
        ),
    )
    ticket = await desk.tickets.new_ticket("TDEMO00AGED", record)

    async def work(connection: aiosqlite.Connection) -> None:
        await desk_records.insert(connection, record)
        await tickets.insert(connection, ticket)
        step = TicketStep(created_s, record.agent, "opened", record.field("details"))
        await tickets.append_step(connection, ticket.ticket_id, step)

    await DeskStore(store).write(work)

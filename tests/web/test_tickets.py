"""工单 through the web pages on a running depot: the agent who took the complaint owns it, the
daemon escalates it as the clock passes its deadlines (told on the desks), chase notes and
replies go to its history, resolving makes the follow-up 回访 task and the ticket closes when
that call reaches the customer; search and filters; record ↔ ticket links."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from web_depot import (
    ADMIN_ID,
    ADMIN_PASSWORD,
    AGENT_ID,
    AGENT_PASSWORD,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
    running_depot,
)
from web_http import Browserish
from web_people import post, signed_in

from appliance.engine.records import CallbackRequested, CallbackSettled

HOUR_S = 3600.0


async def until(condition: Callable[[], Awaitable[bool]], timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not await condition():
            await asyncio.sleep(0.02)


class People:
    def __init__(self, agent: Browserish, lead: Browserish, admin: Browserish) -> None:
        self.agent, self.lead, self.admin = agent, lead, admin


def with_people(
    tmp_path: Path,
    test: Callable[[Depot, People], Awaitable[None]],
    *,
    escalate_every_s: float = 3600.0,
) -> None:
    async def main() -> None:
        async with running_depot(
            tmp_path / "depot.db", desk_jobs_every_s=escalate_every_s
        ) as depot:
            accounts = (
                (AGENT_ID, AGENT_PASSWORD),
                (SUPERVISOR_ID, SUPERVISOR_PASSWORD),
                (ADMIN_ID, ADMIN_PASSWORD),
            )
            async with signed_in(depot.url, *accounts) as people:
                await test(depot, People(*people))

    asyncio.run(main())


async def complain(agent: Browserish, number: str, category: str = "delay") -> str:
    """The agent records a complaint; the new ticket's id."""
    status, _page = await post(
        agent,
        "/records",
        {
            "kind": "complaint",
            "number": number,
            "category": category,
            "department": "cargo",
            "details": "货物延误三天",
        },
    )
    assert status == 303
    _status, tickets = await agent.page(f"/tickets?number={number}")
    (ticket_id,) = re.findall(r'data-ticket="([^"]+)"', tickets)
    return ticket_id


def listed(page: str) -> list[str]:
    return re.findall(r'data-ticket="([^"]+)"', page.split('id="tickets"')[1])


def test_ticket_escalates_by_itself_as_the_clock_passes_and_tells_the_desks(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, people: People) -> None:
        ticket_id = await complain(people.agent, "13800000001")
        _status, page = await people.agent.page(f"/tickets/{ticket_id}")
        assert re.search(r'id="ticket-owner">1001<', page)
        assert "责任部门" in page and "剩余" in page

        async def level_is(level: int) -> bool:
            ticket = await depot.desk.tickets.ticket(ticket_id)
            return ticket is not None and ticket.escalation_level == level

        depot.clock.offset_s += 24 * HOUR_S - 60
        await asyncio.sleep(0.3)  # several rounds of the daemon's job
        assert await level_is(0)
        depot.clock.offset_s += 120
        await until(lambda: level_is(1))
        _status, page = await people.agent.page(f"/tickets/{ticket_id}")
        assert re.search(r'id="ticket-holder">班长<', page)
        assert re.search(r'data-action="escalated">[^<]*depotline', page)
        assert "升级: 班长" in page and "shift_lead" not in page  # the level in words
        for who in (people.agent, people.lead):
            _status, desk = await who.page("/desk")
            assert f'data-ticket="{ticket_id}"' in desk.split('id="ticket-notices"')[1]
        _status, desk = await people.admin.page("/desk")
        assert 'id="ticket-notices"' not in desk
        depot.clock.offset_s += 24 * HOUR_S
        await until(lambda: level_is(2))
        _status, desk = await people.admin.page("/desk")
        assert f'data-ticket="{ticket_id}"' in desk
        await asyncio.sleep(0.3)
        steps = await depot.desk.tickets.ticket_steps(ticket_id)
        assert [s.action for s in steps] == ["opened", "escalated", "escalated"]
        _status, page = await people.lead.page("/tickets/overdue")
        assert ticket_id in listed(page) and "已超时" in page
        # a notice read leaves the desk
        _status, desk = await people.agent.page("/desk")
        first = re.findall(r"/desk/ticket-notices/(\d+)/seen", desk)
        for notice_id in first:
            assert (await post(people.agent, f"/desk/ticket-notices/{notice_id}/seen", {}))[
                0
            ] == 303
        _status, desk = await people.agent.page("/desk")
        assert 'id="ticket-notices"' not in desk

    with_people(tmp_path, test, escalate_every_s=0.02)


def test_resolved_ticket_closes_when_the_follow_up_call_reaches_the_customer(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, people: People) -> None:
        ticket_id = await complain(people.agent, "13800000002")
        status, page = await post(people.agent, f"/tickets/{ticket_id}/close", {"reason": "x"})
        assert status == 403  # an agent cannot close a complaint at once
        status, _ = await post(
            people.lead, f"/tickets/{ticket_id}/note", {"action": "chase", "note": "请尽快处理"}
        )
        assert status == 303
        status, _ = await post(
            people.agent, f"/tickets/{ticket_id}/note", {"action": "reply", "note": "已联系货运部"}
        )
        assert status == 303
        status, _ = await post(
            people.agent, f"/tickets/{ticket_id}/resolve", {"resolution": "已补发，赔付运费"}
        )
        assert status == 303
        _status, page = await people.agent.page(f"/tickets/{ticket_id}")
        assert 'data-state="resolved"' in page
        assert "催单: 请尽快处理" in page and "回复: 已联系货运部" in page
        (task_id,) = re.findall(r'class="follow-up" href="/tasks/([^"]+)"', page)
        task = await depot.desk.tasks.task(task_id)
        assert task is not None and (task.number, task.reason) == ("13800000002", "ticket")
        # no answer: the ticket stays resolved; reached: it closes
        await post(people.agent, f"/tasks/{task_id}/attempt", {"outcome": "no_answer"})
        ticket = await depot.desk.tickets.ticket(ticket_id)
        assert ticket is not None and ticket.state == "resolved"
        await post(
            people.agent,
            f"/tasks/{task_id}/attempt",
            {"outcome": "reached_resolved", "note": "客户满意"},
        )
        _status, page = await people.agent.page(f"/tickets/{ticket_id}")
        assert 'data-state="closed"' in page and "客户满意" in page
        # the record shows its ticket, the ticket its record
        (record_id,) = re.findall(r'id="ticket-record" href="/records/([^"]+)"', page)
        _status, record = await people.agent.page(f"/records/{record_id}")
        assert f'href="/tickets/{ticket_id}"' in record

    with_people(tmp_path, test)


def test_complainants_own_call_leaves_the_follow_up_open_until_the_follow_up_reaches_them(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, people: People) -> None:
        now_s = depot.service.now()
        # 13800000006 also missed a call before: the resolution hands that open task the ticket
        missed = CallbackRequested(
            "ab1", "13800000006", "", "abandoned", "c1", "cargo", now_s, now_s
        )
        await depot.runtime.store.record([missed])
        for number in ("13800000005", "13800000006"):
            ticket_id = await complain(people.agent, number)
            await post(people.agent, f"/tickets/{ticket_id}/resolve", {"resolution": "已赔付"})
            _status, page = await people.agent.page(f"/tickets/{ticket_id}")
            (task_id,) = re.findall(r'class="follow-up" href="/tasks/([^"]+)"', page)
            # the customer rings in about another waybill and an agent answers: that is not
            # the follow-up call, so neither the task nor the ticket may close by it
            await depot.runtime.store.record([CallbackSettled(number, f"in-{number}", now_s)])
            _status, task = await people.agent.page(f"/tasks/{task_id}")
            assert 'data-state="open"' in task, number
            _status, page = await people.agent.page(f"/tickets/{ticket_id}")
            assert 'data-state="resolved"' in page
            await post(people.agent, f"/tasks/{task_id}/attempt", {"outcome": "reached_resolved"})
            _status, page = await people.agent.page(f"/tickets/{ticket_id}")
            assert 'data-state="closed"' in page

    with_people(tmp_path, test)


def test_supervisor_closing_a_resolved_ticket_closes_its_follow_up_task(tmp_path: Path) -> None:
    async def test(depot: Depot, people: People) -> None:
        ticket_id = await complain(people.agent, "13800000007")
        await post(people.agent, f"/tickets/{ticket_id}/resolve", {"resolution": "已赔付"})
        _status, page = await people.agent.page(f"/tickets/{ticket_id}")
        (task_id,) = re.findall(r'class="follow-up" href="/tasks/([^"]+)"', page)
        reason = "客户已在微信确认满意"
        status, _ = await post(people.lead, f"/tickets/{ticket_id}/close", {"reason": reason})
        assert status == 303
        # nobody is sent to call the customer about a closed complaint
        _status, task = await people.agent.page(f"/tasks/{task_id}")
        assert 'data-state="closed"' in task and reason in task
        depot.clock.offset_s += 4 * 24 * HOUR_S
        _status, desk = await people.agent.page("/desk")
        assert 'data-number="13800000007"' not in desk

    with_people(tmp_path, test)


def test_tickets_searched_by_number_owner_state_category_and_overdue(tmp_path: Path) -> None:
    async def test(depot: Depot, people: People) -> None:
        late = await complain(people.agent, "13900000001", "delay")
        depot.clock.offset_s += 25 * HOUR_S
        damaged = await complain(people.agent, "13900000002", "damage")
        by_lead = await complain(people.lead, "13900000003", "delay")
        await post(people.lead, f"/tickets/{by_lead}/close", {"reason": "重复投诉"})
        cases = {
            "number=13900000002": [damaged],
            "owner=9001": [by_lead],
            "state=closed": [by_lead],
            "state=open": [damaged, late],
            "category=delay": [by_lead, late],
            "overdue=1": [late],
            "category=delay&state=open&overdue=1": [late],
        }
        for query, expected in cases.items():
            _status, page = await people.agent.page(f"/tickets?{query}")
            assert listed(page) == expected, query

    with_people(tmp_path, test)


def test_category_limit_sets_the_deadline_and_a_bad_limit_is_named(tmp_path: Path) -> None:
    async def test(depot: Depot, people: People) -> None:
        _status, page = await people.lead.page("/tickets/overdue")
        form = dict(re.findall(r'name="((?:first|second)_[a-z]+)" value="(\d+)"', page))
        assert form["first_delay"] == "24" and form["second_delay"] == "48"
        status, page = await post(
            people.lead, "/tickets/limits", {**form, "first_loss": "12", "second_loss": "6"}
        )
        assert status == 400 and 'data-field="second_loss"' in page
        status, _ = await post(
            people.lead, "/tickets/limits", {**form, "first_loss": "2", "second_loss": "4"}
        )
        assert status == 303
        ticket_id = await complain(people.agent, "13700000001", "loss")
        ticket = await depot.desk.tickets.ticket(ticket_id)
        assert ticket is not None and ticket.deadline_s == ticket.created_s + 2 * HOUR_S

    with_people(tmp_path, test)

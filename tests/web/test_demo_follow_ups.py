"""The demo's follow-up work: key customers, tasks and tickets in every state,
and a day-old complaint the depot escalates by itself; seeded once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from web_depot import running_depot

from appliance.desk.demo_seed import seed_follow_ups


def test_demo_seeds_every_state_of_the_follow_up_loops_once(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db", desk_jobs_every_s=0.02) as depot:
            await seed_follow_ups(depot.desk, depot.runtime.store)
            every_task = await depot.desk.tasks.every_task()
            assert {t.state for t in every_task} == {"open", "reached", "unreachable", "closed"}
            assert {t.reason for t in every_task} >= {"key_customer", "campaign", "ticket"}
            assert await depot.desk.tasks.overdue_tasks()
            every_ticket = await depot.desk.tickets.recent_tickets()
            assert {t.state for t in every_ticket} == {"open", "resolved", "closed"}
            async with asyncio.timeout(10):
                while (aged := await depot.desk.tickets.ticket("TDEMO00AGED")) is None or (
                    aged.escalation_level == 0
                ):
                    await asyncio.sleep(0.02)
            await seed_follow_ups(depot.desk, depot.runtime.store)
            assert len(await depot.desk.tasks.every_task()) == len(every_task)

    asyncio.run(main())

"""The demo's people and content (issue 15): the 班长 2001 signs in as a supervisor and opens the
monitor; the desk's script lookup finds the starter 话术/FAQ tree."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from web_depot import running_depot
from web_http import Browserish

from appliance import seed
from appliance.demo import seed_scripts


def test_demo_lead_is_a_supervisor_and_the_faq_tree_is_there(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            store = depot.runtime.store
            for user in seed.demo_users():  # what the demo's first start writes
                await store.add_user(user.agent_id, user.name, user.role, user.password)
            await seed_scripts(store)
            tree = await depot.desk.scripts.script_tree()
            tops = [script.title for depth, script in tree if depth == 0]
            assert set(tops) == {"开场白与结束语", "货物查询", "下单与预约", "投诉处理"}
            assert len(tree) >= 10
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
                lead = Browserish(depot.url, s)
                assert (await lead.sign_in("2001", "agent2001")).status == 303
                assert (await lead.page("/supervisor/monitor"))[0] == 200
                status, found = await lead.page("/scripts/lookup?q=%E8%BF%90%E5%8D%95")  # 运单
                assert status == 200 and "12 位数字" in found

    asyncio.run(main())

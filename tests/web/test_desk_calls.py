"""Call control from the agent desk over HTTP against the running depot: hold, take off
hold, 闭塞 (block), refused without a call."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from pathlib import Path

import aiohttp
from web_depot import AGENT_ID, AGENT_PASSWORD, POSITION, Depot, running_depot
from web_http import Browserish

from drivers.roles import CallerId

CALLER = "13700002222"


async def until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.02)


def _at_stage(depot: Depot, wanted: str) -> bool:
    return stage(depot) == wanted


def stage(depot: Depot) -> str:
    calls = depot.service.snapshot().calls
    return calls[0].stage.value if calls else "none"


def test_desk_hold_unhold_then_block_caller_ends_call_and_blacklists(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as session:
                agent = Browserish(depot.url, session)
                await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
                token = await agent.csrf()
                status, page = await agent.post(
                    "/desk/call", {"csrf_token": token, "action": "hold"}
                )
                assert status == 400  # not logged in to a position, no call
                await agent.post(
                    "/desk/state", {"csrf_token": token, "action": "login", "position": POSITION}
                )
                await agent.post("/desk/state", {"csrf_token": token, "action": "ready"})
                assert depot.lines.incoming_call("L1", CallerId(CALLER, ""))
                await until(lambda: stage(depot) == "greeting")
                depot.lines.press("L1", "1")
                await until(lambda: stage(depot) == "offered")
                depot.positions.answer(POSITION)
                await until(lambda: stage(depot) == "connected")
                for action, expected in (("hold", "on_hold"), ("unhold", "connected")):
                    status, _ = await agent.post(
                        "/desk/call", {"csrf_token": token, "action": action}
                    )
                    assert status == 303
                    await until(functools.partial(_at_stage, depot, expected))
                status, _ = await agent.post("/desk/call", {"csrf_token": token, "action": "block"})
                assert status == 303
                await until(lambda: stage(depot) in ("none", "ending"))
                assert CALLER in await depot.service.blacklist()
                status, page = await agent.post(
                    "/desk/call", {"csrf_token": token, "action": "dance"}
                )
                assert (status == 400 and "操作" in page) or "Action" in page

    asyncio.run(main())

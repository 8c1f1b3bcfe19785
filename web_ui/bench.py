"""`depotline bench web`: page and report latency, requests per second and live-update delay of
the web site over a database of one million calls, with the depot running."""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from appliance.desk.bench import (
    BENCH_ADMIN,
    BenchDepot,
    bench_depot,
    first_report_after_restart_ms,
)
from web_ui.site import build_site_app

PAGE_REQUESTS = 200
REPORT_REQUESTS = 50
THROUGHPUT_S = 3.0
THROUGHPUT_CLIENTS = 8
LIVE_CHANGES = 10


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _timed(session: aiohttp.ClientSession, url: str, count: int) -> list[float]:
    times_ms = []
    for _ in range(count):
        started = time.perf_counter()
        async with session.get(url) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}")
        times_ms.append((time.perf_counter() - started) * 1000.0)
    return times_ms


async def _sign_in(session: aiohttp.ClientSession, base: str) -> None:
    async with session.get(f"{base}/login") as page:
        found = re.search(r'name="login_token" value="([^"]+)"', await page.text())
    if found is None:
        raise RuntimeError("no login form")
    async with session.post(
        f"{base}/login",
        data={
            "login_token": found.group(1),
            "agent_id": BENCH_ADMIN[0],
            "password": BENCH_ADMIN[1],
        },
        allow_redirects=False,
    ) as response:
        if response.status != 303:
            raise RuntimeError(f"sign-in answered {response.status}")


async def _throughput(session: aiohttp.ClientSession, url: str) -> float:
    done = 0
    deadline = time.perf_counter() + THROUGHPUT_S

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            async with session.get(url) as response:
                await response.read()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(THROUGHPUT_CLIENTS)))
    return done / (time.perf_counter() - started)


async def _live_update_ms(session: aiohttp.ClientSession, base: str, depot: BenchDepot) -> float:
    """From a pause or ready command until the wallboard stream shows the changed figures."""
    delays_ms = []
    agent = depot.agents[0]
    async with session.get(f"{base}/supervisor/wallboard/live") as stream:
        last = ""

        async def next_figures() -> str:
            while True:
                line = (await stream.content.readline()).decode()
                if line.startswith("data: "):
                    return line

        last = await next_figures()
        for n in range(LIVE_CHANGES):
            started = time.perf_counter()
            if n % 2 == 0:
                await depot.service.pause(agent, "break")
            else:
                await depot.service.ready(agent)
            while True:
                data = await asyncio.wait_for(next_figures(), 5.0)
                if data != last:
                    last = data
                    break
            delays_ms.append((time.perf_counter() - started) * 1000.0)
    return statistics.median(delays_ms)


async def _measure(folder: Path) -> dict[str, float | int | str]:
    async with bench_depot(folder) as depot:
        runner = web.AppRunner(build_site_app(depot.desk, depot.service))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        base = f"http://127.0.0.1:{port}"
        try:
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as session:
                await _sign_in(session, base)
                wallboard = await _timed(session, f"{base}/supervisor/wallboard", PAGE_REQUESTS)
                desk = await _timed(session, f"{base}/desk", PAGE_REQUESTS)
                pop = await _timed(session, f"{base}/desk/pop?number=13800138000", PAGE_REQUESTS)
                month = f"{base}/reports?period=month"
                # the first asking adds up the kept days; later ones fold only what came since
                report_cold = await _timed(session, month, 1)
                report = await _timed(session, month, REPORT_REQUESTS)
                after_restart_ms = await first_report_after_restart_ms(depot)
                requests_per_s = await _throughput(session, f"{base}/supervisor/wallboard")
                live_ms = await _live_update_ms(session, base, depot)
            calls = depot.calls
            prepared_s = depot.reports_prepared_s
        finally:
            await runner.cleanup()
    pages = wallboard + desk + pop
    return {
        "calls_in_database": calls,
        "page_p50_ms": round(_p(pages, 0.50), 2),
        "page_p99_ms": round(_p(pages, 0.99), 2),
        "wallboard_p99_ms": round(_p(wallboard, 0.99), 2),
        "desk_p99_ms": round(_p(desk, 0.99), 2),
        "screen_pop_p99_ms": round(_p(pop, 0.99), 2),
        "reports_prepared_s": round(prepared_s, 2),
        "report_cold_ms": round(report_cold[0], 1),
        "report_after_restart_ms": round(after_restart_ms, 1),
        "report_p50_ms": round(_p(report, 0.50), 1),
        "report_p99_ms": round(_p(report, 0.99), 1),
        "requests_per_s": round(requests_per_s, 1),
        "live_update_ms": round(live_ms, 1),
    }


def run_benchmark() -> dict[str, float | int | str]:
    with tempfile.TemporaryDirectory(prefix="depotline-bench-web-") as folder:
        return asyncio.run(_measure(Path(folder)))


if __name__ == "__main__":
    print(run_benchmark())

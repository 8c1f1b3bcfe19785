"""The demo's history keeps recordings of some of its past calls, so 质检 has a month's draw
to check and a player that plays on the demo's first start (it showed 0 recorded calls and an
empty to-do list until calls came in during opening hours)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import wave
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from web_depot import SUPERVISOR_ID, SUPERVISOR_PASSWORD, running_depot
from web_http import Browserish

from appliance.demo_history import seed_history
from appliance.seed import demo_setup


def test_demo_history_gives_quality_a_draw_of_playable_recordings(tmp_path: Path) -> None:
    recordings = tmp_path / "recordings"
    setup = demo_setup()
    now_s = time.time()
    yesterday = dt.datetime.fromtimestamp(now_s, ZoneInfo(setup.hours.timezone)).date()
    yesterday -= dt.timedelta(days=1)
    if yesterday.weekday() == 6:  # the depot's day off: the Saturday before
        yesterday -= dt.timedelta(days=1)

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db", recordings_dir=str(recordings)) as depot:
            await seed_history(
                depot.runtime.store, setup, now_s, days=3, recordings_dir=str(recordings)
            )
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
                supervisor = Browserish(depot.url, s)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                status, page = await supervisor.page(f"/supervisor/quality?month={yesterday:%Y-%m}")
                assert status == 200
                to_do = page.split('id="to-do"')[1].split("</table>")[0]
                drawn = [chunk.split('"')[0] for chunk in to_do.split('data-call="')[1:]]
                assert drawn, "the month's draw is empty"
                summary = page.split('id="quality-summary"')[1].split("</table>")[0]
                row = summary.split('data-agent="1001">')[1].split("</tr>")[0]
                recorded = int(row.split("<td>")[4].split("</td>")[0])
                assert recorded > 0
                async with s.get(f"{depot.url}/supervisor/recordings/{drawn[0]}/audio") as audio:
                    assert audio.status == 200
                    body = await audio.read()
        assert body.startswith(b"RIFF")
        recorded_files = list(recordings.glob("*.wav"))
        with wave.open(str(recorded_files[0])) as played:
            assert (played.getframerate(), played.getnchannels()) == (8000, 1)

    asyncio.run(main())

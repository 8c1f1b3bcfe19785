"""How long a queue keeps its recordings is set on the settings page, as docs/web.md says (the
sweep deleted them after a fixed 90 days: the field was missing from the queue form)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from test_settings_more import queue_form
from web_depot import SUPERVISOR_ID, SUPERVISOR_PASSWORD, running_depot
from web_http import Browserish


def _retention_input(page: str, queue_id: str) -> str:
    form = page.split(f'data-queue="{queue_id}"')[1].split("</form>")[0]
    return form.split('name="recording_retention_days"')[1].split(">")[0]


def test_queue_keeps_recordings_the_days_set_bad_days_refused_naming_the_field(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with (
            running_depot(tmp_path / "depot.db") as depot,
            aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session,
        ):
            supervisor = Browserish(depot.url, session)
            await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            token = await supervisor.csrf("/supervisor/settings")
            _status, page = await supervisor.page("/supervisor/settings")
            assert 'value="90"' in _retention_input(page, "complaints")
            for bad in ("0", "abc", "3651"):
                form = queue_form(
                    token, "complaints", record_calls="on", recording_retention_days=bad
                )
                status, page = await supervisor.post("/supervisor/settings", form)
                assert status == 400 and 'data-field="recording_retention_days"' in page
                assert "录音保留天数" in page
            _status, page = await supervisor.page("/supervisor/settings")
            assert 'value="90"' in _retention_input(page, "complaints")
            form = queue_form(
                token, "complaints", record_calls="on", recording_retention_days="180"
            )
            assert (await supervisor.post("/supervisor/settings", form))[0] == 303
            _status, page = await supervisor.page("/supervisor/settings")
            assert 'value="180"' in _retention_input(page, "complaints")
            assert 'value="90"' in _retention_input(page, "cargo")
            assert [q.recording_retention_days for q in depot.service.setup().queues] == [
                90 if q.id != "complaints" else 180 for q in depot.service.setup().queues
            ]

    asyncio.run(main())

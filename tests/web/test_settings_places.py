"""Waybill places with their own recorded piece on the settings page: listed, added with a
recording per language, removed, audited; bad input refused naming the field with what was
typed kept and nothing saved lost; the running self-service then reads the place's piece."""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path

import aiohttp
from test_settings_more import REAL_WAV
from test_settings_queues import settings_as_supervisor
from test_wallboard_self_served import hear_a_known_waybill
from web_depot import (
    AGENT_ID,
    AGENT_PASSWORD,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
    running_depot,
)
from web_http import Browserish

PLACE, PROMPT = "上海转运中心", "place_shanghai_hub"
EN_WAV = REAL_WAV.parent.parent / "en" / "please_hold.wav"


def new_session(language: str = "zh-CN") -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Accept-Language": language}
    )


async def post_place(
    session: aiohttp.ClientSession,
    depot: Depot,
    token: str,
    fields: dict[str, str],
    recordings: dict[str, tuple[str, bytes]],
) -> tuple[int, str]:
    """The add-place form as a browser sends it: multipart, the token first."""
    data = aiohttp.FormData()
    data.add_field("csrf_token", token)
    for name, value in {"action": "add_place", **fields}.items():
        data.add_field(name, value)
    for language, (filename, body) in recordings.items():
        data.add_field(f"recording_{language}", body, filename=filename)
    async with session.post(
        f"{depot.url}/supervisor/places", data=data, allow_redirects=False
    ) as response:
        return response.status, await response.text()


def both_recordings() -> dict[str, tuple[str, bytes]]:
    return {
        "zh-CN": ("shanghai-zh.wav", REAL_WAV.read_bytes()),
        "en": ("shanghai-en.wav", EN_WAV.read_bytes()),
    }


def places_table(page: str) -> list[list[str]]:
    table = page[page.index('id="places"') : page.index("</table>", page.index('id="places"'))]
    rows = re.findall(r"<tr data-place=.*?</tr>", table, re.S)
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for cells in (re.findall(r"<td>(.*?)</td>", row, re.S)[:3] for row in rows)
    ]


def test_supervisor_adds_and_removes_a_place_with_its_recordings_audited(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db", prompts_dir=str(prompts)) as depot:
            async with new_session() as session:
                supervisor, token = await settings_as_supervisor(depot, session)
                _, page = await supervisor.page("/supervisor/settings")
                assert "运单地点专用录音" in page and places_table(page) == []
                fields = {"place": PLACE, "place_prompt": PROMPT}
                status, _ = await post_place(session, depot, token, fields, both_recordings())
                assert status == 303
                _, page = await supervisor.page("/supervisor/settings")
                assert places_table(page) == [[PLACE, PROMPT, "中文, English"]]
                # it may be recorded again with the other prompts
                assert f'<option value="{PROMPT}">{PLACE}：专用录音</option>' in page
            async with new_session("en") as session:
                english = Browserish(depot.url, session)
                await english.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                _, page = await english.page("/supervisor/settings")
                assert "Waybill places with their own recording" in page
                assert "Recording in English" in page
            assert depot.service.setup().waybill_place_prompts == ((PLACE, PROMPT),)
            assert await depot.runtime.store.load_setup() == depot.service.setup()
            assert (prompts / "zh-CN" / f"{PROMPT}.wav").read_bytes() == REAL_WAV.read_bytes()
            assert (prompts / "en" / f"{PROMPT}.wav").read_bytes() == EN_WAV.read_bytes()
            async with new_session() as session:
                supervisor, token = await settings_as_supervisor(depot, session)
                remove = {"csrf_token": token, "action": "remove_place", "place": PLACE}
                assert (await supervisor.post("/supervisor/places", remove))[0] == 303
                _, page = await supervisor.page("/supervisor/settings")
                assert places_table(page) == []
                status, page = await supervisor.post("/supervisor/places", remove)
                assert status == 400 and 'data-field="place"' in page
            assert depot.service.setup().waybill_place_prompts == ()
            assert (prompts / "en" / f"{PROMPT}.wav").is_file()  # the recordings stay
            audit = [(e.action, e.target, e.detail) for e in await depot.desk.audit_log()]
            assert ("settings.place_add", PLACE, PROMPT) in audit
            assert ("settings.place_remove", PLACE, PROMPT) in audit
            # agents do not change the depot's settings
            async with new_session() as session:
                agent = Browserish(depot.url, session)
                await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
                token = await agent.csrf("/desk")
                status, _ = await post_place(
                    session, depot, token, {"place": "杭州", "place_prompt": "place_hz"}, {}
                )
                assert status == 403

    asyncio.run(main())


def test_bad_place_refused_naming_the_field_keeping_what_was_typed(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    not_wav = ("notes.wav", "这不是录音".encode())

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db", prompts_dir=str(prompts)) as depot:
            async with new_session() as session:
                _, token = await settings_as_supervisor(depot, session)
                saved = {"place": PLACE, "place_prompt": PROMPT}
                assert (await post_place(session, depot, token, saved, both_recordings()))[0] == 303
                before = depot.service.setup()
                recorded = {p: p.read_bytes() for p in prompts.rglob("*.wav")}
                for place, prompt, recordings, field, shown in (
                    ("", "place_hangzhou", both_recordings(), "place", "必填"),
                    (PLACE, "place_hangzhou", both_recordings(), "place", "已被使用"),
                    ("杭州西湖区", "Place-Hangzhou", both_recordings(), "place_prompt", "place_"),
                    ("杭州西湖区", "hangzhou", both_recordings(), "place_prompt", "place_"),
                    ("杭州西湖区", "place_杭州", both_recordings(), "place_prompt", "place_"),
                    ("杭州西湖区", PROMPT, both_recordings(), "place_prompt", "已被使用"),
                    (
                        "杭州西湖区",
                        "place_hangzhou",
                        {**both_recordings(), "en": not_wav},
                        "recording_en",
                        "不是 8 kHz 单声道 WAV 文件",
                    ),
                    (
                        "杭州西湖区",
                        "place_hangzhou",
                        {"zh-CN": both_recordings()["zh-CN"]},
                        "recording_en",
                        "必填",
                    ),
                ):
                    fields = {"place": place, "place_prompt": prompt}
                    status, page = await post_place(session, depot, token, fields, recordings)
                    assert status == 400, (place, prompt, field)
                    error = re.search(r'<p class="error"[^>]*data-field="([^"]+)"[^>]*>(.*?)</p>',
                                      page, re.S)  # fmt: skip
                    assert error is not None and error.group(1) == field, (prompt, field)
                    assert shown in html.unescape(error.group(2)), (prompt, error.group(2))
                    form = page[page.index('id="add-place-form"') :]
                    assert f'name="place" maxlength="60" value="{html.escape(place)}"' in form
                    assert f'value="{html.escape(prompt)}"' in form
            # the English page names the field in English
            async with new_session("en") as session:
                _, token = await settings_as_supervisor(depot, session)
                fields = {"place": "杭州西湖区", "place_prompt": "place_hangzhou"}
                recordings = {**both_recordings(), "zh-CN": not_wav}
                status, page = await post_place(session, depot, token, fields, recordings)
                assert status == 400
                assert "Recording in Chinese: not an 8 kHz mono WAV file" in page
            # nothing saved is lost, nothing half-added
            assert depot.service.setup() == before
            assert {p: p.read_bytes() for p in prompts.rglob("*.wav")} == recorded

    asyncio.run(main())


def test_running_self_service_reads_a_place_added_on_the_page_with_its_piece(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        prompts = tmp_path / "prompts"
        async with running_depot(tmp_path / "depot.db", prompts_dir=str(prompts)) as depot:
            async with new_session() as session:
                _, token = await settings_as_supervisor(depot, session)
                fields = {"place": PLACE, "place_prompt": PROMPT}
                status, _ = await post_place(session, depot, token, fields, both_recordings())
                assert status == 303
            await hear_a_known_waybill(depot, PLACE)
            (read_back,) = [
                t
                for t in depot.lines.transcript.texts()
                if "box PlayPrompt L1" in t and "waybill_status_in_transit" in t
            ]
            assert f"waybill_place_is', '{PROMPT}'" in read_back
            assert "waybill_place_other" not in read_back

    asyncio.run(main())

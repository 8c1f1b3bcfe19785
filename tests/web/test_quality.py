"""质检 over HTTP: recordings play or say why not, the weighted form, the month's draw and the
checker's to-do list, checks with totals, the agent's own scores and one appeal per check."""

from __future__ import annotations

import asyncio
import datetime as dt
import wave
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from test_desk_calls import stage, until
from web_depot import (
    AGENT_ID,
    AGENT_PASSWORD,
    POSITION,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
    running_depot,
)
from web_http import Browserish

from appliance.engine.records import CallEnded, CallRecord, EndReason
from drivers.roles import CallerId

ZONE = ZoneInfo("Asia/Shanghai")


def new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def _at(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE).timestamp()


async def _recorded(depot: Depot, call_id: str, arrived_s: float, path: str, agent: str) -> None:
    record = CallRecord(
        call_id,
        "L1",
        "in",
        "13800138000",
        "",
        arrived_s,
        arrived_s + 200,
        EndReason.ANSWERED,
        queue="cargo",
        agent=agent,
        connected_s=arrived_s + 10,
        talk_s=190,
        recording_path=path,
    )
    await depot.runtime.store.record([CallEnded(record)])


def test_recorded_call_plays_and_unplayable_recordings_say_why(tmp_path: Path) -> None:
    """The demo's recordings gave 404 and a silent 0:00 player: the simulated bridge wrote no
    file. A real call through the depot now leaves a playable WAV; a missing, expired or
    outside file is named on the page instead of a player."""
    recordings = tmp_path / "recordings"
    (tmp_path / "secret.wav").write_bytes(b"not for the web")

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db", recordings_dir=str(recordings)) as depot:
            async with new_session() as s1, new_session() as s2:
                agent, supervisor = Browserish(depot.url, s1), Browserish(depot.url, s2)
                await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
                token = await agent.csrf()
                await agent.post(
                    "/desk/state", {"csrf_token": token, "action": "login", "position": POSITION}
                )
                await agent.post("/desk/state", {"csrf_token": token, "action": "ready"})
                assert depot.lines.incoming_call("L1", CallerId("13700002222", ""))
                await until(lambda: stage(depot) == "greeting")
                depot.lines.press("L1", "1")
                await until(lambda: stage(depot) == "offered")
                depot.positions.answer(POSITION)
                await until(lambda: stage(depot) == "connected")
                depot.lines.hang_up("L1")
                now_s = depot.service.now()
                calls: list[CallRecord] = []
                while not calls:
                    await asyncio.sleep(0.02)
                    calls = await depot.runtime.store.calls(now_s - 60, now_s + 60)
                call_id = calls[0].call_id
                await _recorded(depot, "gone", now_s - 3600, f"{recordings}/gone.wav", AGENT_ID)
                old_s = now_s - 100 * 86400.0  # past the demo queues' 90 days
                await _recorded(depot, "old", old_s, f"{recordings}/old.wav", AGENT_ID)
                await _recorded(depot, "sly", now_s - 60, "../secret.wav", AGENT_ID)

                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                status, page = await supervisor.page("/supervisor/recordings")
                assert status == 200
                assert f'src="/supervisor/recordings/{call_id}/audio"' in page
                assert "录音文件未生成" in page and "文件不在录音目录内" in page
                async with s2.get(f"{depot.url}/supervisor/recordings/{call_id}/audio") as got:
                    assert got.status == 200 and got.content_type == "audio/wav"
                    (tmp_path / "got.wav").write_bytes(await got.read())
                with wave.open(str(tmp_path / "got.wav")) as played:
                    assert played.getframerate() == 8000 and played.getnframes() > 0
                for refused in ("gone", "sly"):
                    async with s2.get(f"{depot.url}/supervisor/recordings/{refused}/audio") as got:
                        assert got.status == 404
                day = dt.datetime.fromtimestamp(old_s, ZONE).date().isoformat()
                status, page = await supervisor.page(f"/supervisor/recordings?day={day}")
                assert "已超过队列的录音保留期" in page
            actions = [(e.action, e.target) for e in await depot.desk.audit_log()]
            assert ("recording.play", call_id) in actions

    asyncio.run(main())


def test_month_draw_form_check_total_summary_and_one_appeal(tmp_path: Path) -> None:
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    # agent 1001: five calls in March 2026 (one in the first minute of the month, one in the
    # last), one on the last evening of February; agent 1002: one call in March
    march = [
        ("m1", "2026-03-01 00:00:30", AGENT_ID),
        ("m2", "2026-03-10 09:00", AGENT_ID),
        ("m3", "2026-03-15 14:00", AGENT_ID),
        ("m4", "2026-03-20 16:00", AGENT_ID),
        ("m5", "2026-03-31 23:50", AGENT_ID),
        ("f1", "2026-02-28 23:55", AGENT_ID),
        ("o1", "2026-03-05 10:00", "1002"),
    ]
    for call_id, _time, _agent in march:
        (recordings / f"{call_id}.wav").write_bytes(b"RIFF")

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db", recordings_dir=str(recordings)) as depot:
            for call_id, local, agent_id in march:
                await _recorded(depot, call_id, _at(local), f"{recordings}/{call_id}.wav", agent_id)
            async with new_session() as s1, new_session() as s2:
                supervisor, agent = Browserish(depot.url, s1), Browserish(depot.url, s2)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                token = await supervisor.csrf("/supervisor/quality/form")
                status, page = await supervisor.page("/supervisor/quality/form")
                assert 'value="服务用语"' in page and 'value="业务准确"' in page
                form = {
                    "csrf_token": token,
                    "item_name_0": "服务用语",
                    "item_points_0": "40",
                    "item_name_1": "业务准确",
                    "item_points_1": "30",
                    "item_name_2": "应变能力",
                    "item_points_2": "20",
                    "checks_per_agent_month": "2",
                }
                status, page = await supervisor.post("/supervisor/quality/form", form)
                assert status == 400 and 'data-field="item_points"' in page
                assert "合计必须为 100" in page and 'value="应变能力"' in page
                form["item_points_2"] = "30"
                assert (await supervisor.post("/supervisor/quality/form", form))[0] == 303

                status, page = await supervisor.page("/supervisor/quality?month=2026-03")
                assert status == 200 and "服务用语 40 · 业务准确 30 · 应变能力 30" in page
                to_do = page.split('id="to-do"')[1].split("</table>")[0]
                drawn = [c for c, _t, a in march if f'data-call="{c}"' in to_do]
                assert len([c for c in drawn if c.startswith("m")]) == 2
                assert "o1" in drawn and "f1" not in drawn and len(drawn) == 3
                assert (
                    '<tr data-agent="1001"><td>1001</td><td>王芳</td><td>2</td><td>5</td><td>0</td>'
                    in page
                )

                first = drawn[0] if drawn[0] != "o1" else drawn[1]
                check = {"csrf_token": token, "points_0": "41", "points_1": "25", "points_2": "30"}
                status, page = await supervisor.post(f"/supervisor/quality/calls/{first}", check)
                assert status == 400 and 'data-field="points_0"' in page
                check |= {"points_0": "35", "comment": "开场白不完整"}
                assert (await supervisor.post(f"/supervisor/quality/calls/{first}", check))[
                    0
                ] == 303
                status, page = await supervisor.page("/supervisor/quality?month=2026-03")
                to_do = page.split('id="to-do"')[1].split("</table>")[0]
                assert f'data-call="{first}"' not in to_do
                assert len([c for c, _t, _a in march if f'data-call="{c}"' in to_do]) == 2
                assert (
                    "<td>1001</td><td>王芳</td><td>2</td><td>5</td><td>1</td><td>90.0</td><td>90.0</td><td>0</td>"
                    in page
                )

                # the agent sees the check in the month it was made (today), appeals once
                await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
                status, page = await agent.page("/desk/quality")
                assert status == 200 and "总分 90/100" in page and "服务用语 35/40" in page
                assert "开场白不完整" in page
                # which call was checked: its time and queue, as the to-do list named it
                called = dict((c, t) for c, t, _a in march)[first]
                checked_call = page.split('class="checked-call"')[1].split("</p>")[0]
                assert f"{called[:16]} · 货物查询" in checked_call
                check_id = page.split('data-check="')[1].split('"')[0]
                appeal = {"csrf_token": await agent.csrf("/desk/quality"), "reason": "客户先挂断"}
                path = f"/desk/quality/{check_id}/appeal"
                assert (await agent.post(path, appeal))[0] == 303
                status, page = await agent.post(path, appeal)
                assert status == 400 and "该质检已申诉过一次" in page
                status, page = await agent.page("/desk/quality")
                assert "客户先挂断" in page and "等待质检员答复" in page

                status, page = await supervisor.page("/supervisor/quality")
                assert "客户先挂断" in page
                answer = {"csrf_token": token, "answer": "录音显示客户未挂断，维持原分"}
                status, _ = await supervisor.post(f"/supervisor/quality/appeals/{check_id}", answer)
                assert status == 303
                status, page = await agent.page("/desk/quality")
                assert f"答复 ({SUPERVISOR_ID}): 录音显示客户未挂断，维持原分" in page
                status, page = await supervisor.page("/supervisor/quality")
                assert "客户先挂断" not in page
            actions = [(e.action, e.target) for e in await depot.desk.audit_log()]
            assert ("quality.check", first) in actions and ("quality.plan", "form") in actions

    asyncio.run(main())

"""The demo keeps recorded prompts beside its database: a supervisor trying issue 17's menu
entries in `depotline demo` was refused any upload ("no prompts folder configured")."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from test_restore_upload import wait_for_web
from web_depot import free_port
from web_http import Browserish

from appliance.demo import DemoOptions, run_demo
from appliance.seed import DEMO_SUPERVISOR

SHIPPED_GREETING = Path(__file__).resolve().parents[2] / "appliance/prompts/zh-CN/greeting.wav"


def test_demo_takes_a_recorded_prompt_into_a_folder_beside_its_database(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    recording = SHIPPED_GREETING.read_bytes()

    async def main() -> None:
        stop = asyncio.Event()
        options = DemoOptions(
            database=str(tmp_path / "demo.db"), port=port, console=False, history_days=0
        )
        demo = asyncio.create_task(run_demo(options, stop))
        try:
            await wait_for_web(url, lambda: not demo.done())
            jar = aiohttp.CookieJar(unsafe=True)
            jar.update_cookies({"depotline_lang": "zh-CN"})
            async with aiohttp.ClientSession(cookie_jar=jar) as session:
                supervisor = Browserish(url, session)
                admin_id, _name, password = DEMO_SUPERVISOR
                await supervisor.sign_in(admin_id, password)
                token = await supervisor.csrf("/supervisor/settings")
                form = aiohttp.FormData()
                form.add_field("csrf_token", token)
                form.add_field("language", "zh-CN")
                form.add_field("name", "greeting")
                form.add_field("file", recording, filename="欢迎语.wav", content_type="audio/wav")
                async with session.post(
                    f"{url}/supervisor/prompts", data=form, allow_redirects=False
                ) as response:
                    page = await response.text()
                    assert "未配置录音提示音目录" not in page
                    assert response.status == 303
        finally:
            stop.set()
            await demo
        assert (tmp_path / "prompts" / "zh-CN" / "greeting.wav").read_bytes() == recording

    asyncio.run(main())

"""Generating a queue's menu speech refused with the reason named on the page — espeak-ng or
sox missing, no key announced by the queue's own prompt, no prompts folder — writing nothing;
the Mandarin read by word (polyphones) and the entry worded as the shipped menu prompts."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from test_settings_menu import menu_form, new_session
from test_settings_queues import add_form, settings_as_supervisor
from web_depot import Depot, running_depot
from web_http import Browserish

from appliance.desk.queue_speech import menu_entry_texts
from appliance.engine.setup import Queue
from appliance.prompts.pinyin import to_pinyin


async def add_queue_with_key(
    supervisor: Browserish, token: str, queue_id: str, name_zh: str, name_en: str, key: str
) -> None:
    """A new queue, given menu key `key` announced by its own prompt (beside cargo's key 1)."""
    form = add_form(token, queue_id, name_zh, name_en)
    assert (await supervisor.post("/supervisor/settings", form))[0] == 303
    rows = [("1", "cargo", "menu_cargo"), (key, queue_id, f"menu_q_{queue_id}")]
    assert (await supervisor.post("/supervisor/settings", menu_form(token, rows)))[0] == 303


@contextlib.asynccontextmanager
async def supervisor_at(
    tmp_path: Path, prompts_dir: str = "", language: str = "zh-CN"
) -> AsyncIterator[tuple[Depot, aiohttp.ClientSession, Browserish, str]]:
    """A running depot with a supervisor signed in on its settings page in `language`: the
    depot, the session, the supervisor and the page's form token."""
    async with (
        running_depot(tmp_path / "depot.db", prompts_dir=prompts_dir) as depot,
        new_session() as session,
    ):
        session.cookie_jar.update_cookies({"depotline_lang": language})
        supervisor, token = await settings_as_supervisor(depot, session)
        yield depot, session, supervisor, token


def generate_form(token: str, queue_id: str = "rescue") -> dict[str, str]:
    return {"csrf_token": token, "action": "generate_speech", "queue_id": queue_id}


def sources(page: str, key: str) -> dict[str, tuple[str, str]]:
    """Per language, the source of the key's prompt and the words the page shows for it."""
    row = re.search(rf'<tr data-key-prompt="{key}">(.*?)</tr>', page, re.S)
    assert row is not None, key
    cells = re.findall(r'<td data-language="([^"]+)" data-source="([^"]+)">([^<]*)</td>', row[1])
    return {language: (source, shown) for language, source, shown in cells}


def test_generating_speech_refused_naming_the_missing_tool_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = tmp_path / "prompts"
    only_espeak = tmp_path / "bin"
    only_espeak.mkdir()
    (only_espeak / "espeak-ng").write_text("#!/bin/sh\nexit 0\n")
    (only_espeak / "espeak-ng").chmod(0o755)

    async def main() -> None:
        async with supervisor_at(tmp_path, str(prompts)) as (depot, session, supervisor, token):
            await add_queue_with_key(supervisor, token, "rescue", "救援", "Rescue", "4")
            monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
            status, page = await supervisor.post("/supervisor/settings", generate_form(token))
            assert status == 400
            assert 'data-field="generate_speech" data-queue="rescue"' in page
            assert "本机未安装 espeak-ng（apt-get install espeak-ng）" in page
            monkeypatch.setenv("PATH", str(only_espeak))
            status, page = await supervisor.post("/supervisor/settings", generate_form(token))
            assert status == 400 and "本机未安装 sox（apt-get install sox）" in page
            monkeypatch.undo()
            session.cookie_jar.update_cookies({"depotline_lang": "en"})
            monkeypatch.setenv("PATH", str(only_espeak))
            status, page = await supervisor.post("/supervisor/settings", generate_form(token))
            assert status == 400 and "sox is not installed on the box" in page
            assert sources(page, "4")["en"] == ("missing", "missing")
            assert not (prompts / "generated").exists()
            assert "prompt.generate" not in [e.action for e in await depot.desk.audit_log()]

    asyncio.run(main())


def test_generating_speech_refused_without_a_key_of_its_own_or_a_prompts_folder(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with supervisor_at(tmp_path, str(tmp_path / "p")) as (_, _, supervisor, token):
            form = add_form(token, "rescue", "救援", "Rescue")
            assert (await supervisor.post("/supervisor/settings", form))[0] == 303
            status, page = await supervisor.post("/supervisor/settings", generate_form(token))
            assert status == 400
            assert "菜单中没有以该队列专用提示音播报的按键" in page
            status, page = await supervisor.post(
                "/supervisor/settings", generate_form(token, "nowhere")
            )
            assert status == 400 and 'data-field="queue_id"' in page
        (tmp_path / "other").mkdir()
        async with supervisor_at(tmp_path / "other") as (_, _, supervisor, token):
            await add_queue_with_key(supervisor, token, "rescue", "救援", "Rescue", "4")
            status, page = await supervisor.post("/supervisor/settings", generate_form(token))
            assert status == 400 and "未配置录音提示音目录" in page
        assert not (tmp_path / "p" / "generated").exists()

    asyncio.run(main())


def test_mandarin_queue_names_read_by_word_with_tones() -> None:
    assert to_pinyin("救援") == "jiu4 yuan2"
    assert to_pinyin("预约") == "yu4 yue1"
    assert to_pinyin("投诉") == "tou2 su4"
    assert to_pinyin("重庆") == "chong2 qing4"  # 重 is zhong4 in 重要, chong2 here
    assert to_pinyin("重要") == "zhong4 yao4"
    assert to_pinyin("救援请按4。") == "jiu4 yuan2 qing3 an4 si4."
    with pytest.raises(KeyError, match="★"):
        to_pinyin("救援★")


def test_menu_entry_worded_as_the_shipped_menu_prompts() -> None:
    rescue = Queue("rescue", "救援", "Rescue")
    assert menu_entry_texts(rescue, "4") == ("救援请按4。", "For rescue, press 4.")
    vip = Queue("vip", "VIP客户", "VIP customers")
    assert menu_entry_texts(vip, "*") == ("VIP客户请按星号键。", "For VIP customers, press star.")

"""Generated speech for a new queue's menu entry (issue 17): made on the settings page in both
languages in the shipped prompts' format, played by the running menu for the queue's key, shown
per key and language as recorded, generated, outdated or missing; a recording always wins."""

from __future__ import annotations

import asyncio
import math
import os
import re
import shutil
import struct
from pathlib import Path

import aiohttp
import pytest
from test_queue_speech_forms import add_queue_with_key, generate_form, sources, supervisor_at
from test_settings_menu import until
from test_settings_more import REAL_WAV
from web_depot import Depot

from appliance.prompts import PROMPTS_DIR, prompt_dirs
from drivers.modem import audio
from drivers.roles import CallerId

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("sox") is None,
    reason="espeak-ng and sox make the speech",
)


def fmt_chunk(path: Path) -> bytes:
    """The WAV file's format chunk (encoding, channels, rate, bits)."""
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", path
    offset = 12
    while offset + 8 <= len(data):
        (size,) = struct.unpack_from("<I", data, offset + 4)
        if data[offset : offset + 4] == b"fmt ":
            return data[offset + 8 : offset + 8 + size]
        offset += 8 + size + (size & 1)
    raise AssertionError(f"{path} has no fmt chunk")


def played_prompts(depot: Depot) -> list[str]:
    """The prompts the simulated lines were told to play, in order."""
    return [
        name
        for text in depot.lines.transcript.texts()
        if "PlayPrompt" in text
        for name in re.findall(r"'(\w+)'", text.split("'prompts':", 1)[-1].split(")", 1)[0])
    ]


def test_generated_speech_announces_the_new_queues_key_until_a_recording_replaces_it(
    tmp_path: Path,
) -> None:
    prompts = tmp_path / "prompts"
    generated = {
        lang: prompts / "generated" / lang / "menu_q_rescue.wav" for lang in ("zh-CN", "en")
    }

    async def main() -> None:
        async with supervisor_at(tmp_path, str(prompts)) as (depot, session, supervisor, token):
            await add_queue_with_key(supervisor, token, "rescue", "救援", "Rescue", "4")
            _, page = await supervisor.page("/supervisor/settings")
            assert sources(page, "4") == {
                "zh-CN": ("missing", "缺少"),
                "en": ("missing", "缺少"),
            }
            assert 'data-key-without-prompt="4"' in page

            status, _ = await supervisor.post("/supervisor/settings", generate_form(token))
            assert status == 303
            _, page = await supervisor.page("/supervisor/settings")
            assert sources(page, "4") == {
                "zh-CN": ("generated", "合成语音"),
                "en": ("generated", "合成语音"),
            }
            assert 'data-key-without-prompt="4"' not in page

            # the running menu announces key 4 with it; the lines find the generated file
            assert depot.lines.incoming_call("L1", CallerId("13700005555", ""))
            await until(lambda: "menu_q_rescue" in played_prompts(depot))
            dirs = prompt_dirs(prompts)
            for language in ("zh-CN", "en"):
                found = audio.find_prompt(dirs, language, "menu_q_rescue")
                assert found == os.fspath(generated[language])
            depot.lines.press("L1", "4")
            await until(lambda: [c.queue for c in depot.service.snapshot().calls] == ["rescue"])

            # a recording uploaded for Mandarin wins; English keeps the generated speech
            data = aiohttp.FormData()
            for field, value in (
                ("csrf_token", token),
                ("language", "zh-CN"),
                ("name", "menu_q_rescue"),
            ):
                data.add_field(field, value)
            data.add_field("file", REAL_WAV.read_bytes(), filename="rescue.wav")
            async with session.post(
                f"{depot.url}/supervisor/prompts", data=data, allow_redirects=False
            ) as response:
                assert response.status == 303
            _, page = await supervisor.page("/supervisor/settings")
            assert sources(page, "4") == {
                "zh-CN": ("recorded", "已录音"),
                "en": ("generated", "合成语音"),
            }
            assert audio.find_prompt(dirs, "zh-CN", "menu_q_rescue") == os.fspath(
                prompts / "zh-CN" / "menu_q_rescue.wav"
            )
            audit = [(e.action, e.target, e.detail) for e in await depot.desk.audit_log()]
            assert (
                "prompt.generate",
                "menu_q_rescue",
                "救援请按4。 / For rescue, press 4.",
            ) in audit

    asyncio.run(main())
    # the shipped prompts' format: µ-law, 8 kHz, mono, and a second or more of audible speech
    shipped = fmt_chunk(PROMPTS_DIR / "zh-CN" / "menu_cargo.wav")
    assert struct.unpack_from("<HHIIHH", shipped) == (7, 1, 8000, 8000, 1, 8)
    for path in generated.values():
        assert fmt_chunk(path) == shipped
        samples = audio.read_wav(path)
        assert 1.0 < len(samples) / 8000 < 6.0, path
        assert math.sqrt(sum(s * s for s in samples) / len(samples)) > 500, path


def test_generated_speech_outdated_after_a_rename_until_generated_again_english_page(
    tmp_path: Path,
) -> None:
    prompts = tmp_path / "prompts"

    async def main() -> None:
        async with supervisor_at(tmp_path, str(prompts), "en") as (depot, _, supervisor, token):
            await add_queue_with_key(supervisor, token, "booking", "预约", "Appointments", "5")
            assert (await supervisor.post("/supervisor/settings", generate_form(token, "booking")))[
                0
            ] == 303
            rename = {
                "csrf_token": token,
                "action": "rename_queue",
                "queue_id": "booking",
                "name_zh": "预约维修",
                "name_en": "Repair bookings",
            }
            assert (await supervisor.post("/supervisor/settings", rename))[0] == 303
            _, page = await supervisor.page("/supervisor/settings")
            outdated = ("outdated", "generated speech, outdated")
            assert sources(page, "5") == {"zh-CN": outdated, "en": outdated}
            warning = re.search(r'<p class="alarm" data-key-outdated="5">(.*?)</p>', page)
            assert warning is not None
            assert "key 5 (Repair bookings) was made for an earlier name" in warning.group(1)
            assert (await supervisor.post("/supervisor/settings", generate_form(token, "booking")))[
                0
            ] == 303
            _, page = await supervisor.page("/supervisor/settings")
            fresh = ("generated", "generated speech")
            assert sources(page, "5") == {"zh-CN": fresh, "en": fresh}
            assert "data-key-outdated" not in page
            details = [
                e.detail for e in await depot.desk.audit_log() if e.action == "prompt.generate"
            ]
            assert "预约维修请按5。 / For repair bookings, press 5." in details

    asyncio.run(main())


def test_generating_speech_for_a_name_it_cannot_read_refused_naming_the_name(
    tmp_path: Path,
) -> None:
    prompts = tmp_path / "prompts"

    async def main() -> None:
        async with supervisor_at(tmp_path, str(prompts)) as (_, _, supervisor, token):
            await add_queue_with_key(supervisor, token, "rescue", "救援★", "Rescue", "4")
            status, page = await supervisor.post("/supervisor/settings", generate_form(token))
            assert status == 400
            assert 'data-field="name_zh" data-queue="rescue"' in page
            assert "含有语音合成无法朗读的字符" in page
            assert sources(page, "4")["zh-CN"] == ("missing", "缺少")
        assert not list((prompts / "generated").rglob("*.wav"))

    asyncio.run(main())

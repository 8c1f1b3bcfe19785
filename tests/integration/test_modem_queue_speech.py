"""A queue the depot added, its menu entry spoken by the box (espeak-ng and sox), on a real
modem line: the caller hears the generated "救援请按4。" in the menu, presses 4 and waits in the
new queue."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from test_modem_end_to_end import CALLER, _modem_depot, _setup, _until

from appliance.desk.queue_speech import generate_menu_entry
from appliance.engine.setup import DepotSetup, MenuOption, Queue
from drivers.modem import audio
from drivers.modem.sim import ModemSimulator


def _with_rescue() -> DepotSetup:
    base = _setup()
    rescue = Queue("rescue", "救援", "Rescue", join_when_no_agents=True, paused_is_empty=False)
    entry = MenuOption("4", "rescue", "menu_q_rescue")
    menu = dataclasses.replace(base.menu, options=(*base.menu.options, entry))
    return dataclasses.replace(base, queues=(*base.queues, rescue), menu=menu)


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("sox") is None,
    reason="espeak-ng and sox make the speech",
)
def test_modem_caller_hears_the_generated_menu_entry_and_joins_the_new_queue(
    tmp_path: Path,
) -> None:
    prompts = tmp_path / "prompts"
    assert generate_menu_entry(str(prompts), _with_rescue(), "rescue")[0] == "救援请按4。"
    generated = prompts / "generated" / "zh-CN" / "menu_q_rescue.wav"
    # as the USR modem plays it (8-bit unsigned linear)
    spoken = audio.encode(audio.read_wav(generated), audio.SampleFormat.UNSIGNED_LINEAR)
    line = ModemSimulator(
        "usr", link=os.fspath(tmp_path / "fxo0"), full_duplex=True, ring_interval_s=0.4
    )

    async def scenario() -> None:
        async with _modem_depot(tmp_path, (line,), _with_rescue, prompts_dir=str(prompts)) as depot:
            line.incoming_call(*CALLER)
            await _until("the menu's generated rescue entry", lambda: spoken[:4000] in line.heard)
            line.press("4")
            await _until(
                "the caller waits in rescue",
                lambda: [c.queue for c in depot.service.snapshot().calls] == ["rescue"],
            )
            line.hang_up("loop_break")
            await _until("the line goes on-hook", lambda: not line.offhook)

    with line:
        asyncio.run(scenario())
    assert "< <DTMF 4>" in line.transcript

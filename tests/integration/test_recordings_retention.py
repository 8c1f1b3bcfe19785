"""Call recordings are deleted after their queue's retention, and nothing else is."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from appliance.engine.records import CallEnded, CallRecord, EndReason
from appliance.engine.setup import DepotSetup, Menu, Queue
from appliance.recordings import sweep
from appliance.store import Store

NOW_S = 1_800_000_000.0
DAY_S = 86400.0

SETUP = DepotSetup(
    queues=(
        Queue("cargo", "货物查询", "Cargo", record_calls=True, recording_retention_days=7),
        Queue("complaints", "投诉", "Complaints", record_calls=True, recording_retention_days=365),
    ),
    agents=(),
    menu=Menu(),
)


def answered(call_id: str, queue: str, ended_s: float, recording: str) -> CallEnded:
    return CallEnded(
        CallRecord(
            call_id=call_id,
            line="fxo0",
            direction="in",
            number="13800138000",
            name="",
            arrived_s=ended_s - 120,
            ended_s=ended_s,
            end_reason=EndReason.ANSWERED,
            queue=queue,
            agent="1001",
            recording_path=recording,
        )
    )


def test_sweep_deletes_only_recordings_past_their_queues_retention(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    files = {
        name: folder / f"{name}.wav"
        for name in ("old-cargo", "new-cargo", "old-complaint", "in-progress", "orphan")
    }
    voicemail = folder / "old-cargo-voicemail.wav"
    for path in (*files.values(), voicemail):
        path.write_bytes(b"RIFF")

    async def scenario() -> list[str]:
        store = await Store.open(tmp_path / "depot.db")
        try:
            await store.record(
                [
                    answered("old-cargo", "cargo", NOW_S - 8 * DAY_S, str(files["old-cargo"])),
                    answered("new-cargo", "cargo", NOW_S - 6 * DAY_S, str(files["new-cargo"])),
                    answered(
                        "old-complaint",
                        "complaints",
                        NOW_S - 100 * DAY_S,
                        str(files["old-complaint"]),
                    ),
                    # a call whose record names another file: this one is not its recording
                    answered("orphan", "cargo", NOW_S - 30 * DAY_S, "elsewhere/orphan-2.wav"),
                ]
            )
            return await sweep(store, str(folder), SETUP, NOW_S)
        finally:
            await store.close()

    deleted = asyncio.run(scenario())

    assert deleted == [str(files["old-cargo"])]
    remaining = sorted(path.name for path in folder.iterdir())
    assert remaining == [
        "in-progress.wav",
        "new-cargo.wav",
        "old-cargo-voicemail.wav",
        "old-complaint.wav",
        "orphan.wav",
    ]


def test_sweep_after_the_supervisor_shortens_retention_deletes_more(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    recording = folder / "c1.wav"
    recording.write_bytes(b"RIFF")
    shorter = dataclasses.replace(
        SETUP,
        queues=tuple(
            dataclasses.replace(queue, recording_retention_days=1) for queue in SETUP.queues
        ),
    )

    async def scenario() -> tuple[list[str], list[str]]:
        store = await Store.open(tmp_path / "depot.db")
        try:
            await store.record([answered("c1", "complaints", NOW_S - 3 * DAY_S, str(recording))])
            kept = await sweep(store, str(folder), SETUP, NOW_S)
            return kept, await sweep(store, str(folder), shorter, NOW_S)
        finally:
            await store.close()

    first, second = asyncio.run(scenario())
    assert first == []
    assert second == [str(recording)]
    assert not recording.exists()

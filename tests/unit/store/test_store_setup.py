"""The call-handling setup kept in the database comes back exactly: enums, tier tuples,
holidays, nested overflow; the newest save wins; damage is reported with the file name."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest

from appliance.engine.setup import (
    Agent,
    DepotSetup,
    Menu,
    MenuOption,
    OpeningHours,
    Overflow,
    OverflowKind,
    Queue,
    Strategy,
    Tier,
)
from appliance.store import Store, StoreError
from appliance.store.setup_codec import decode_setup, encode_setup


def busy_depot() -> DepotSetup:
    """A setup with every field away from its default."""
    return DepotSetup(
        queues=(
            Queue(
                id="cargo",
                name_zh="货物查询",
                name_en="Cargo tracking",
                strategy=Strategy.ROUND_ROBIN,
                ring_timeout_s=12.5,
                retry_s=3.0,
                wrap_up_s=20.0,
                max_wait_s=240.0,
                max_length=10,
                overflow=Overflow(OverflowKind.QUEUE, "complaints"),
                join_when_no_agents=True,
                leave_when_no_agents=False,
                tier_escalation_s=25.0,
                announce_every_s=60.0,
                talk_time_limit_s=480.0,
                record_calls=True,
                recording_retention_days=30,
                sl_threshold_s=15.0,
                virtual_hold_key="2",
                survey=True,
                waybill_self_service=True,
                summary_required=True,
            ),
            Queue("complaints", "投诉", "Complaints", overflow=Overflow(OverflowKind.VOICEMAIL)),
        ),
        agents=(
            Agent(
                "1001",
                "王芳",
                skills=(("cargo", Tier.EXPERT), ("complaints", Tier.GENERAL)),
                max_missed_offers=2,
                supervisor=True,
            ),
            Agent("1002", "李雷", skills=(("cargo", Tier.GENERAL),)),
        ),
        menu=Menu(
            greeting_prompt="greeting",
            options=(
                MenuOption("1", "cargo", "menu_cargo"),
                MenuOption("3", "complaints", "menu_complaints"),
            ),
            timeout_s=5.0,
            attempts=3,
            default_queue="cargo",
            language_key="8",
        ),
        hours=OpeningHours(
            timezone="Asia/Shanghai",
            weekly=(((480, 720), (780, 1080)),) * 5 + (((540, 720),), ()),
            holidays=(dt.date(2026, 10, 1), dt.date(2026, 10, 2)),
            always_open=False,
        ),
        vip_numbers=("13900000000",),
        blacklist=("4001234567",),
        language="en",
        line_queues=(("gw1", "complaints"),),
        callback_due_s=86400.0,
        mute_s=4.0,
        waybill_place_prompts=(("广州转运中心", "place_guangzhou"),),
    )


def test_setup_codec_round_trips_every_field() -> None:
    setup = busy_depot()
    decoded = decode_setup(encode_setup(setup))
    assert decoded == setup
    assert decoded.agents[0].skills[0][1] is Tier.EXPERT
    assert decoded.hours.holidays[0] == dt.date(2026, 10, 1)
    assert isinstance(decoded.queues[0].retry_s, float)


def test_setup_codec_older_json_without_new_fields_gets_defaults() -> None:
    text = encode_setup(busy_depot()).replace('"mute_s": 4.0, ', "")
    assert '"mute_s"' not in text
    assert decode_setup(text).mute_s == DepotSetup((), (), Menu()).mute_s


def test_setup_codec_setup_saved_before_summary_required_loads_without_it() -> None:
    text = re.sub(r'"summary_required": (true|false), ', "", encode_setup(busy_depot()))
    assert '"summary_required"' not in text
    assert decode_setup(text).queues[0].summary_required is False


def test_store_save_and_load_setup_newest_wins(tmp_path: Path) -> None:
    path = tmp_path / "depot.db"

    async def main() -> tuple[DepotSetup | None, DepotSetup | None]:
        store = await Store.open(path)
        try:
            empty = await store.load_setup()
            await store.save_setup(DepotSetup((), (), Menu()), saved_s=1.0)
            await store.save_setup(busy_depot(), saved_s=2.0)
        finally:
            await store.close()
        store = await Store.open(path)
        try:
            return empty, await store.load_setup()
        finally:
            await store.close()

    empty, loaded = asyncio.run(main())
    assert empty is None
    # the blacklist's one home is its table: a saved setup neither adds nor removes numbers
    assert loaded == dataclasses.replace(busy_depot(), blacklist=())


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda text: text.replace('"round_robin"', '"ring_everyone"'), "ring_everyone"),
        (lambda text: text.replace('"mute_s"', '"teleport_s"'), "unknown field"),
        (lambda text: text.replace('"2026-10-01"', '"first of October"'), "not a date"),
    ],
)
def test_store_load_damaged_setup_names_file_and_field(
    tmp_path: Path, damage: object, message: str
) -> None:
    path = tmp_path / "depot.db"

    async def save() -> None:
        store = await Store.open(path)
        await store.save_setup(busy_depot())
        await store.close()

    asyncio.run(save())
    assert callable(damage)
    with sqlite3.connect(path) as connection:
        text = connection.execute("SELECT setup_json FROM settings").fetchone()[0]
        connection.execute("UPDATE settings SET setup_json = ?", (damage(text),))
    connection.close()

    async def load() -> None:
        store = await Store.open(path)
        try:
            await store.load_setup()
        finally:
            await store.close()

    with pytest.raises(StoreError, match=message) as raised:
        asyncio.run(load())
    assert str(path) in str(raised.value)

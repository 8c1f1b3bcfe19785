"""The web benchmark's bulk-written database (appliance/desk/bench.py) is one the store reads:
it writes the calls table by position, so a column added by a migration must reach it too."""

from __future__ import annotations

import asyncio
from pathlib import Path

from appliance.desk.bench import fill_database
from appliance.store import Store

NOW_S = 1_780_000_000.0


def test_bench_database_calls_read_back_as_call_records(tmp_path: Path) -> None:
    path = tmp_path / "bench.db"

    async def main() -> int:
        store = await Store.open(path)  # the schema, as the benchmark makes it
        await store.close()
        await asyncio.to_thread(fill_database, str(path), calls=40, days=2, now_s=NOW_S)
        store = await Store.open(path)
        try:
            records = await store.calls(0.0, NOW_S + 1)
            assert all(r.withheld == "" and r.call_id for r in records)
            return len(records)
        finally:
            await store.close()

    assert asyncio.run(main()) == 40

"""The waybill a caller keys on the phone: digits only, so a carrier's letter prefix is left
out; two waybills with the same digits are not guessed between."""

from __future__ import annotations

import asyncio
from pathlib import Path

from appliance.store import Store, waybills
from appliance.store.waybills import Waybill


def keyed(tmp_path: Path, rows: list[Waybill], digits: str) -> str | None:
    async def main() -> str | None:
        store = await Store.open(tmp_path / "depot.db")
        try:
            await store.in_transaction(lambda c: waybills.load(c, rows))
            found = await store.reading(lambda c: waybills.keyed(c, digits))
            return None if found is None else found.waybill
        finally:
            await store.close()

    return asyncio.run(main())


def row(number: str) -> Waybill:
    return Waybill(number, "in_transit", "广州", 1.0)


def test_keyed_digits_find_waybill_with_letter_prefix(tmp_path: Path) -> None:
    assert keyed(tmp_path, [row("JD8000123456")], "8000123456") == "JD8000123456"


def test_keyed_digits_find_all_digit_waybill(tmp_path: Path) -> None:
    assert keyed(tmp_path, [row("8000123456")], "8000123456") == "8000123456"


def test_keyed_digits_of_two_carriers_waybills_find_none(tmp_path: Path) -> None:
    assert keyed(tmp_path, [row("JD8000123456"), row("SF8000123456")], "8000123456") is None


def test_keyed_digits_only_the_tail_of_a_longer_number_find_none(tmp_path: Path) -> None:
    assert keyed(tmp_path, [row("JD98000123456")], "8000123456") is None

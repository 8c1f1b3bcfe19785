"""The waybills table (运单号): the newest status of each waybill from the depot's tracking
export. Loading a file adds and updates; a waybill missing from a later file keeps its status,
and an older row never replaces a newer one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from appliance.store.database import fetch_one


@dataclass(frozen=True, slots=True)
class Waybill:
    waybill: str
    status: str  # received, in_transit, arrived, out_for_delivery, delivered, held, returned
    place: str
    time_s: float  # when the tracking system saw that status
    loaded_s: float = 0.0  # when the depot loaded it
    source: str = ""  # the file it came from


async def load(connection: aiosqlite.Connection, rows: Sequence[Waybill]) -> int:
    """Add or update every row (the newer status wins); how many changed."""
    before = connection.total_changes
    await connection.executemany(
        "INSERT INTO waybills (waybill, status, place, time_s, loaded_s, source)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (waybill) DO UPDATE SET"
        " status = excluded.status, place = excluded.place, time_s = excluded.time_s,"
        " loaded_s = excluded.loaded_s, source = excluded.source"
        " WHERE excluded.time_s >= waybills.time_s",
        [(r.waybill, r.status, r.place, r.time_s, r.loaded_s, r.source) for r in rows],
    )
    return connection.total_changes - before


_COLUMNS = "waybill, status, place, time_s, loaded_s, source"


def _waybill(row: Sequence[object]) -> Waybill:
    return Waybill(str(row[0]), str(row[1]), str(row[2]), float(row[3]), float(row[4]), str(row[5]))  # type: ignore[arg-type]


async def one(connection: aiosqlite.Connection, waybill: str) -> Waybill | None:
    row = await fetch_one(
        connection, f"SELECT {_COLUMNS} FROM waybills WHERE waybill = ?", (waybill,)
    )
    return None if row is None else _waybill(row)


def keyed_as(waybill: str) -> str | None:
    """The digits a caller keys on the phone for this waybill: the waybill itself, or its
    digits after the carrier's letter prefix; None if a keypad cannot key it."""
    digits = waybill.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    return digits if digits.isdigit() else None


async def keyed(connection: aiosqlite.Connection, digits: str) -> Waybill | None:
    """The waybill a caller keyed on the phone: its digits, the carrier's letter prefix
    ("SF", "JD") left out as a keypad cannot key it. None when no waybill, or more than one
    (two carriers' numbers with the same digits), fits."""
    if not digits.isdigit():
        return None
    found = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM waybills WHERE waybill = ? OR waybill LIKE ?",
        (digits, f"%{digits}"),
    )
    rows = [row for row in found if str(row[0])[: -len(digits)].isalpha()
            or str(row[0]) == digits]  # fmt: skip
    return _waybill(rows[0]) if len(rows) == 1 else None


async def asked(connection: aiosqlite.Connection, text: str) -> Waybill | None:
    """The waybill by its number, or by the digits a caller keys for it (an agent or a script
    given the digits the caller read out)."""
    return await one(connection, text) or await keyed(connection, text)


async def count(connection: aiosqlite.Connection) -> int:
    row = await fetch_one(connection, "SELECT COUNT(*) FROM waybills")
    return int(row[0]) if row is not None else 0

"""The records agents write about calls (咨询 投诉 救援 预约 回访), their appended history, and
the customer directory keyed by phone number that these records fill."""

from __future__ import annotations

import json
from dataclasses import dataclass

import aiosqlite

from appliance.store.database import fetch_one


@dataclass(frozen=True, slots=True)
class DeskRecord:
    """A saved record; never changed after it is written."""

    record_id: str
    kind: str  # consultation, complaint, rescue, appointment, callback
    call_id: str
    number: str
    agent: str
    created_s: float
    fields: tuple[tuple[str, str], ...]  # the form's fields as written

    def field(self, name: str) -> str:
        return dict(self.fields).get(name, "")


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    time_s: float
    author: str
    note: str


@dataclass(frozen=True, slots=True)
class Customer:
    number: str
    name: str
    customer_type: str
    first_seen_s: float
    updated_s: float


async def insert(connection: aiosqlite.Connection, record: DeskRecord) -> None:
    await connection.execute(
        "INSERT INTO desk_records (record_id, kind, call_id, number, agent, created_s,"
        " fields_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            record.record_id,
            record.kind,
            record.call_id,
            record.number,
            record.agent,
            record.created_s,
            json.dumps(dict(record.fields), ensure_ascii=False),
        ),
    )


def _record(row: aiosqlite.Row | tuple[object, ...]) -> DeskRecord:
    fields = json.loads(str(row[6]))
    return DeskRecord(
        str(row[0]),
        str(row[1]),
        str(row[2]),
        str(row[3]),
        str(row[4]),
        float(str(row[5])),
        tuple((str(k), str(v)) for k, v in fields.items()),
    )


_COLUMNS = "record_id, kind, call_id, number, agent, created_s, fields_json"


async def one(connection: aiosqlite.Connection, record_id: str) -> DeskRecord | None:
    row = await fetch_one(
        connection, f"SELECT {_COLUMNS} FROM desk_records WHERE record_id = ?", (record_id,)
    )
    return _record(row) if row is not None else None


async def by_number(connection: aiosqlite.Connection, number: str, limit: int) -> list[DeskRecord]:
    rows = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM desk_records WHERE number = ? ORDER BY created_s DESC LIMIT ?",
        (number, limit),
    )
    return [_record(row) for row in rows]


async def by_waybill(
    connection: aiosqlite.Connection, waybill: str, limit: int
) -> list[DeskRecord]:
    rows = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM desk_records WHERE json_extract(fields_json, '$.waybill') = ?"
        " ORDER BY created_s DESC LIMIT ?",
        (waybill, limit),
    )
    return [_record(row) for row in rows]


async def newest(connection: aiosqlite.Connection, limit: int) -> list[DeskRecord]:
    rows = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM desk_records ORDER BY created_s DESC LIMIT ?", (limit,)
    )
    return [_record(row) for row in rows]


async def append_history(
    connection: aiosqlite.Connection, record_id: str, entry: HistoryEntry
) -> None:
    await connection.execute(
        "INSERT INTO desk_record_history (record_id, time_s, author, note) VALUES (?, ?, ?, ?)",
        (record_id, entry.time_s, entry.author, entry.note),
    )


async def history(connection: aiosqlite.Connection, record_id: str) -> list[HistoryEntry]:
    rows = await connection.execute_fetchall(
        "SELECT time_s, author, note FROM desk_record_history WHERE record_id = ?"
        " ORDER BY time_s, id",
        (record_id,),
    )
    return [HistoryEntry(float(r[0]), str(r[1]), str(r[2])) for r in rows]


async def upsert_customer(
    connection: aiosqlite.Connection, number: str, name: str, customer_type: str, seen_s: float
) -> None:
    """A record names the caller: keep the newest name and type, the first time seen."""
    await connection.execute(
        "INSERT INTO customers (number, name, customer_type, first_seen_s, updated_s)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (number) DO UPDATE SET"
        " name = CASE WHEN excluded.name != '' THEN excluded.name ELSE customers.name END,"
        " customer_type = CASE WHEN excluded.customer_type != '' THEN excluded.customer_type"
        " ELSE customers.customer_type END, updated_s = excluded.updated_s",
        (number, name, customer_type, seen_s, seen_s),
    )


_CUSTOMER = "number, name, customer_type, first_seen_s, updated_s"


async def customer(connection: aiosqlite.Connection, number: str) -> Customer | None:
    row = await fetch_one(
        connection, f"SELECT {_CUSTOMER} FROM customers WHERE number = ?", (number,)
    )
    if row is None:
        return None
    return Customer(str(row[0]), str(row[1]), str(row[2]), float(row[3]), float(row[4]))


async def customers(connection: aiosqlite.Connection, search: str, limit: int) -> list[Customer]:
    pattern = f"%{search}%"
    rows = await connection.execute_fetchall(
        f"SELECT {_CUSTOMER} FROM customers WHERE number LIKE ? OR name LIKE ?"
        " ORDER BY updated_s DESC LIMIT ?",
        (pattern, pattern, limit),
    )
    return [Customer(str(r[0]), str(r[1]), str(r[2]), float(r[3]), float(r[4])) for r in rows]

"""The depot's tracking export (a CSV of waybill, status, place, time) read into waybill rows:
statuses by code or by their Chinese name, times in the depot's time zone; a bad row is named by
line and column and nothing of the file is loaded."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from appliance.desk.csv_rows import CsvProblem, read_rows
from appliance.desk.forms import clean_waybill
from appliance.store.waybills import Waybill

# the statuses the keypad self-service will read back, with the names tracking systems export
WAYBILL_STATUSES = {
    "received": "已揽收",
    "in_transit": "运输中",
    "arrived": "已到达",
    "out_for_delivery": "派送中",
    "delivered": "已签收",
    "held": "滞留",
    "returned": "已退回",
}
_STATUS_BY_NAME = {name: code for code, name in WAYBILL_STATUSES.items()} | {
    "到达": "arrived",
    "退回": "returned",
    "签收": "delivered",
    "揽收": "received",
}
COLUMNS = ("waybill", "status", "place", "time")
HEADERS = ("运单号", "状态", "地点", "时间")
PLACE_MAX_CHARS = 60
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
MAX_ROWS = 200_000

# a bad row's problem in words for a log or a refused file's note (the web UI has its catalog)
CSV_PROBLEM_WORDS = {
    "required": "empty, and every row needs waybill, status, place and time",
    "extra_column": "more columns than waybill, status, place, time",
    "waybill_format": "a waybill is 6 to 30 letters and digits",
    "waybill_status": "not a known status (received, in_transit, arrived, out_for_delivery,"
    " delivered, held, returned, or 已揽收 运输中 已到达 派送中 已签收 滞留 已退回)",
    "waybill_time": "a time is written as 2026-12-07 14:30",
    "too_long": f"a place is at most {PLACE_MAX_CHARS} characters",
    "control_chars": "control characters are not allowed",
    "no_rows": "the file has no rows",
    "too_many_rows": f"more than {MAX_ROWS:,} rows",
    "encoding": "not a UTF-8 or GB18030 text file",
    "too_large": "the file is too large",
}


def _time_s(text: str, zone: ZoneInfo) -> float | None:
    for form in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, form).replace(tzinfo=zone).timestamp()
        except ValueError:
            continue
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).timestamp()


def read_export(data: bytes, timezone: str, *, loaded_s: float, source: str) -> list[Waybill]:
    """Every row checked (CsvProblem names the first bad one); a waybill twice in the file
    keeps its newest row."""
    zone = ZoneInfo(timezone)
    rows = read_rows(data, COLUMNS, required=len(COLUMNS), headers=HEADERS)
    if len(rows) > MAX_ROWS:
        raise CsvProblem(rows[MAX_ROWS][0], "waybill", 1, "too_many_rows")
    newest: dict[str, Waybill] = {}
    for line, row in rows:
        waybill = clean_waybill(row["waybill"])
        if waybill is None:
            raise CsvProblem(line, "waybill", 1, "waybill_format")
        status = row["status"] if row["status"] in WAYBILL_STATUSES else None
        status = status or _STATUS_BY_NAME.get(row["status"])
        if status is None:
            raise CsvProblem(line, "status", 2, "waybill_status")
        if len(row["place"]) > PLACE_MAX_CHARS:
            raise CsvProblem(line, "place", 3, "too_long")
        time_s = _time_s(row["time"], zone)
        if time_s is None:
            raise CsvProblem(line, "time", 4, "waybill_time")
        found = Waybill(waybill, status, row["place"], time_s, loaded_s, source)
        if waybill not in newest or newest[waybill].time_s <= time_s:
            newest[waybill] = found
    return list(newest.values())


def in_words(problem: CsvProblem) -> str:
    """Where the bad cell is and what it should be, for the CLI and the tracking folder."""
    return f"{problem.at()}: {CSV_PROBLEM_WORDS.get(problem.problem, problem.problem)}"

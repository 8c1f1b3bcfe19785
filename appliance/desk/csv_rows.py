"""Rows of an uploaded CSV file (key customers, a campaign, the tracking export), checked before
anything is kept: a bad row is named by its line and column, and the whole file is refused."""

from __future__ import annotations

import csv
import io

from appliance.desk.forms import FormError

CSV_MAX_BYTES = 8 * 1024 * 1024


class CsvProblem(FormError):
    """A bad row: `line_number` counts from 1 as a text editor shows it, `column` is the
    column's name (`column_number` from 1); `problem` is a short code the web UI translates."""

    def __init__(self, line: int, column: str, column_number: int, problem: str) -> None:
        super().__init__("file", problem)
        self.line_number = line
        self.column = column
        self.column_number = column_number

    def at(self) -> str:
        """Where the bad cell is, as a log line names it."""
        column = f" ({self.column})" if self.column else ""
        return f"line {self.line_number}, column {self.column_number}{column}"

    def __str__(self) -> str:
        return f"{self.at()}: {self.problem}"


def _text(data: bytes) -> str:
    """UTF-8 (with or without the mark Excel writes), else GB18030 — what Chinese Excel saves."""
    if len(data) > CSV_MAX_BYTES:
        raise CsvProblem(1, "file", 1, "too_large")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise CsvProblem(1, "file", 1, "encoding") from None


def read_rows(
    data: bytes, columns: tuple[str, ...], *, required: int, headers: tuple[str, ...] = ()
) -> list[tuple[int, dict[str, str]]]:
    """Each row with its line number as a dict of the named `columns`; the first `required`
    columns must be there and not empty. A first row naming the columns (`columns` or
    `headers`, any case) is skipped; blank lines are skipped."""
    reader = csv.reader(io.StringIO(_text(data), newline=""))
    known = {name.lower() for name in (*columns, *headers)}
    rows: list[tuple[int, dict[str, str]]] = []
    for cells in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if not rows and cells[0].lower() in known:
            continue
        if len(cells) > len(columns):
            raise CsvProblem(line, "", len(columns) + 1, "extra_column")
        for number, name in enumerate(columns[:required], start=1):
            if number > len(cells) or not cells[number - 1]:
                raise CsvProblem(line, name, number, "required")
        for number, cell in enumerate(cells, start=1):
            if any(ord(ch) < 32 for ch in cell):
                raise CsvProblem(line, columns[number - 1], number, "control_chars")
        rows.append((line, dict(zip(columns, cells, strict=False))))
    if not rows:
        raise CsvProblem(1, columns[0], 1, "no_rows")
    return rows

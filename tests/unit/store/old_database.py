"""A database file as an older depotline left it: the migration steps before the one that
mentions a marker, found by the marker (never by number: steps are appended by several people
and ordered on merge)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from appliance.store.schema import MIGRATIONS


def schema_step(marker: str) -> int:
    """The number of the migration step whose statements mention `marker`."""
    return next(n for n, step in enumerate(MIGRATIONS) if any(marker in s for s in step))


def database_before(path: Path, marker: str) -> sqlite3.Connection:
    """A new database at `path` migrated up to (not including) the step that mentions
    `marker`, open for the test to add its rows; use it in a `with` and close it after."""
    before = schema_step(marker)
    connection = sqlite3.connect(path)
    for step in MIGRATIONS[:before]:
        for statement in step:
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {before}")
    return connection

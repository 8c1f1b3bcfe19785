"""The names of every queue the depot has had, from the saved setup versions (each change of
the settings keeps one): a report of a period in which a since-retired queue had calls still
names it, not only by its code."""

from __future__ import annotations

import aiosqlite


async def last_names(connection: aiosqlite.Connection) -> dict[str, tuple[str, str]]:
    """Queue code → (Chinese, English) names in the newest saved setup that holds the queue:
    today's names for a queue in the setup, the last ones it had for a retired queue."""
    rows = await connection.execute_fetchall(
        "SELECT json_extract(q.value, '$.id'), json_extract(q.value, '$.name_zh'),"
        " json_extract(q.value, '$.name_en')"
        " FROM settings AS s, json_each(s.setup_json, '$.queues') AS q ORDER BY s.id, q.key"
    )
    # later versions overwrite earlier ones
    return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}

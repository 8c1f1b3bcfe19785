"""质检 tables: the first fixed 1–5 checks become checks on a form when the box upgrades; one
appeal per check; an answer once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from old_database import database_before

from appliance.store import Store, quality
from appliance.store.quality import QualityAppeal


def test_upgrade_turns_old_fixed_scores_into_checks_with_items_and_total(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with database_before(path, "CREATE TABLE quality_plans") as connection:
        connection.execute(
            "INSERT INTO quality_checks (call_id, time_s, checker, agent, greeting, accuracy,"
            " attitude, note) VALUES ('c1', 100.0, '9001', '1001', 5, 4, 3, '语速偏快')"
        )
    connection.close()

    async def main() -> tuple[list[quality.QualityCheck], bool, bool, bool]:
        store = await Store.open(path)
        try:
            found = await store.reading(lambda c: quality.checks_between(c, 0.0, 200.0))
            appeal = QualityAppeal(found[0].check_id, 150.0, "1001", "我已按流程解答")
            first = await store.in_transaction(lambda c: quality.add_appeal(c, appeal))
            second = await store.in_transaction(lambda c: quality.add_appeal(c, appeal))
            answered = await store.in_transaction(
                lambda c: quality.answer_appeal(c, found[0].check_id, "维持", "9001", 160.0)
            )
            again = await store.in_transaction(
                lambda c: quality.answer_appeal(c, found[0].check_id, "改判", "9001", 170.0)
            )
            return found, first and not second, answered, again
        finally:
            await store.close()

    found, one_appeal, answered, answered_again = asyncio.run(main())
    assert [(k.call_id, k.checker, k.agent, k.comment) for k in found] == [
        ("c1", "9001", "1001", "语速偏快")
    ]
    assert found[0].items == (("开场规范", 5, 5), ("解答准确", 5, 4), ("服务态度", 5, 3))
    assert (found[0].total, found[0].most) == (12, 15)
    assert one_appeal and answered and not answered_again

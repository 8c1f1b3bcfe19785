"""Retiring the menu's default queue or the depot's last queue is refused, naming the queue and
why, on the settings page in both languages and by the desk service; nothing changes until
the default is moved, and the last queue always stays."""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path

import pytest
from test_queue_speech_forms import supervisor_at
from test_settings_menu import menu_form, queue_form
from web_depot import SUPERVISOR_ID, Depot
from web_http import Browserish

from appliance.desk import FormError
from appliance.desk.audit import SignedIn
from appliance.store.users import Role

LEAD = SignedIn(SUPERVISOR_ID, "孙主管", Role.SUPERVISOR, "", 0.0)
DEFAULT_REFUSED = {
    "zh-CN": "队列 货物查询 · 停用: 它是菜单的默认队列——请先选择其他默认队列",
    "en": "Queue Cargo tracking · Retire: it is the menu's default queue"
    " — choose another default first",
}
LAST_REFUSED = {
    "zh-CN": "队列 货物查询 · 停用: 至少需要保留一个队列",
    "en": "Queue Cargo tracking · Retire: the depot needs at least one queue",
}


def retire_form(token: str, queue_id: str) -> dict[str, str]:
    return {"csrf_token": token, "action": "retire_queue", "queue_id": queue_id}


def refusal(page: str) -> str:
    """The error line the page shows above the settings, as the reader sees it."""
    shown = re.search(r'<p class="error" role="alert"[^>]*>(.*?)</p>', page, re.S)
    assert shown is not None
    return html.unescape(shown.group(1))


async def refused_on_page(supervisor: Browserish, token: str, queue_id: str) -> str:
    status, page = await supervisor.post("/supervisor/settings", retire_form(token, queue_id))
    assert status == 400
    assert f'data-field="retire_queue" data-queue="{queue_id}"' in page
    assert f'data-retire="{queue_id}"' in page  # still listed, still retirable later
    return refusal(page)


async def refused_by_desk(depot: Depot, queue_id: str) -> str:
    with pytest.raises(FormError) as refused:
        await depot.desk.settings.retire_queue(LEAD, queue_id)
    assert (refused.value.field, refused.value.queue) == ("retire_queue", queue_id)
    return refused.value.problem


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_retiring_the_menus_default_queue_refused_until_another_is_the_default(
    tmp_path: Path, language: str
) -> None:
    async def main() -> None:
        async with supervisor_at(tmp_path, language=language) as (depot, _, supervisor, token):
            # no key leads to cargo any more, but a caller who presses nothing still goes there
            rows = [("2", "orders", "menu_orders"), ("3", "complaints", "menu_complaints")]
            assert (await supervisor.post("/supervisor/settings", menu_form(token, rows)))[0] == 303
            before = depot.service.setup()
            assert before.menu.default_queue == "cargo"
            assert await refused_on_page(supervisor, token, "cargo") == DEFAULT_REFUSED[language]
            assert await refused_by_desk(depot, "cargo") == "menu_default"
            assert depot.service.setup() == before
            assert await depot.runtime.store.load_setup() == before

            moved = menu_form(token, rows, default_queue="orders")
            assert (await supervisor.post("/supervisor/settings", moved))[0] == 303
            assert (await supervisor.post("/supervisor/settings", retire_form(token, "cargo")))[
                0
            ] == 303
            assert [q.id for q in depot.service.setup().queues] == ["orders", "complaints"]
            actions = [(e.action, e.target) for e in await depot.desk.audit_log()]
            assert actions.count(("settings.queue_retire", "cargo")) == 1

    asyncio.run(main())


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_retiring_the_last_queue_refused_on_the_page_and_by_the_desk(
    tmp_path: Path, language: str
) -> None:
    async def main() -> None:
        async with supervisor_at(tmp_path, language=language) as (depot, _, supervisor, token):
            rows = [("1", "cargo", "menu_cargo")]
            for form in (
                menu_form(token, rows),
                queue_form(token, "cargo", overflow_kind="callback"),
                retire_form(token, "orders"),
                retire_form(token, "complaints"),
            ):
                assert (await supervisor.post("/supervisor/settings", form))[0] == 303
            only = depot.service.setup()
            assert [q.id for q in only.queues] == ["cargo"]
            assert await refused_on_page(supervisor, token, "cargo") == LAST_REFUSED[language]
            assert await refused_by_desk(depot, "cargo") == "last_queue"
            assert depot.service.setup() == only
            assert await depot.runtime.store.load_setup() == only
            retired = [e.target for e in await depot.desk.audit_log()
                       if e.action == "settings.queue_retire"]  # fmt: skip
            assert retired == ["complaints", "orders"] or retired == ["orders", "complaints"]

    asyncio.run(main())

"""The script and FAQ tree (话术脚本) the supervisor keeps and agents look up during a call."""

from __future__ import annotations

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import FormError, clean_text
from appliance.service import DepotService
from appliance.store import scripts
from appliance.store.desk_store import DeskStore
from appliance.store.scripts import Script


class ScriptDesk:
    def __init__(self, desk_store: DeskStore, service: DepotService, audit: AuditTrail) -> None:
        self._db = desk_store
        self.service = service
        self._audit = audit

    async def script_tree(self) -> list[tuple[int, Script]]:
        """Every script with its depth, parents before their children, siblings by title."""
        every = await self._db.read(scripts.every)
        children: dict[int, list[Script]] = {}
        for script in every:
            children.setdefault(script.parent_id, []).append(script)
        ordered: list[tuple[int, Script]] = []

        def walk(parent_id: int, depth: int) -> None:
            for script in children.get(parent_id, []):
                ordered.append((depth, script))
                walk(script.script_id, depth + 1)

        walk(0, 0)
        return ordered

    async def search_scripts(self, words: str, *, limit: int = 20) -> list[Script]:
        words = words.strip()[:60]
        if not words:
            return []
        return await self._db.read(lambda c: scripts.search(c, words, limit))

    async def add_script(self, who: SignedIn, parent_id: str, title: str, body: str) -> int:
        parent = await self._script_id("parent_id", parent_id, allow_top=True)
        script = Script(
            0,
            parent,
            clean_text("title", title, required=True, max_chars=200),
            clean_text("body", body, required=False, max_chars=8000),
            self.service.now(),
            who.agent_id,
        )
        script_id = await self._db.write(lambda c: scripts.add(c, script))
        await self._audit(who, "script.add", str(script_id), script.title)
        return script_id

    async def change_script(self, who: SignedIn, script_id: str, title: str, body: str) -> None:
        number = await self._script_id("script_id", script_id, allow_top=False)
        script = Script(
            number,
            0,
            clean_text("title", title, required=True, max_chars=200),
            clean_text("body", body, required=False, max_chars=8000),
            self.service.now(),
            who.agent_id,
        )
        await self._db.write(lambda c: scripts.change(c, script))
        await self._audit(who, "script.change", script_id, script.title)

    async def remove_script(self, who: SignedIn, script_id: str) -> None:
        number = await self._script_id("script_id", script_id, allow_top=False)
        if any(s.parent_id == number for _depth, s in await self.script_tree()):
            raise FormError("script_id", "has_children")
        await self._db.write(lambda c: scripts.remove(c, number))
        await self._audit(who, "script.remove", script_id)

    async def _script_id(self, field: str, text: str, *, allow_top: bool) -> int:
        if allow_top and text in ("", "0"):
            return 0
        if not text.isdigit() or not any(
            s.script_id == int(text) for _depth, s in await self.script_tree()
        ):
            raise FormError(field, "not_found")
        return int(text)

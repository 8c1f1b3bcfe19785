"""质检 as the manuals run it: a weighted form the supervisor keeps, N recorded calls per agent
a month drawn for checking, the checker's to-do list, checks with totals and comments, one
appeal per check with the checker's answer, each agent's own scores and a monthly summary."""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import FormError, ascii_digits, clean_text
from appliance.desk.periods import Period
from appliance.engine.records import CallRecord
from appliance.recordings import expired
from appliance.service import DepotService
from appliance.store import Store, quality
from appliance.store.desk_store import DeskStore
from appliance.store.quality import FORM_TOTAL_POINTS, QualityAppeal, QualityCheck, QualityPlan

MAX_ITEMS = 12
MAX_CHECKS_PER_AGENT_MONTH = 100


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """A recorded call with its checks; `unplayable` says why it cannot be played ("" = it
    can): no_folder, expired (deleted after the queue's retention), missing (never written,
    e.g. a line the media bridge does not record), outside (names a file outside the folder)."""

    call: CallRecord
    checks: tuple[QualityCheck, ...]
    unplayable: str
    sampled: bool = False


@dataclass(frozen=True, slots=True)
class AgentQuality:
    """One agent's month of 质检 (calls of the month, whenever checked): the plan's number,
    the checks done, the mean and lowest total."""

    agent: str
    name: str
    planned: int
    recorded: int  # recorded calls of the month the draw could take
    checked: int
    mean_total: float | None  # mean percentage of the form's points
    lowest_total: float | None
    appeals: int


@dataclass(frozen=True, slots=True)
class OwnCheck:
    check: QualityCheck
    appeal: QualityAppeal | None
    call: CallRecord | None  # the call checked, so the agent knows which one it was


def draw_order(period_key: str, call_id: str) -> str:
    """The sampling draw: calls of the month in a fixed pseudo-random order (so the to-do list
    stays the same between page loads and a checked call stays drawn)."""
    return hashlib.sha256(f"{period_key}:{call_id}".encode()).hexdigest()


def percent(check: QualityCheck) -> float:
    return 100.0 * check.total / check.most if check.most else 0.0


class QualityDesk:
    def __init__(
        self,
        store: Store,
        db: DeskStore,
        service: DepotService,
        audit: AuditTrail,
        *,
        recordings_dir: str,
    ) -> None:
        self._store = store
        self._db = db
        self._service = service
        self.recordings_dir = recordings_dir
        self._audit = audit

    # -- the form and the sampling plan --------------------------------------------------------

    async def plan(self) -> QualityPlan:
        return await self._db.read(quality.plan)

    async def save_plan(self, who: SignedIn, form: dict[str, str]) -> None:
        """Items from rows item_name_N / item_points_N (an empty name drops the row); the
        points must add up to 100."""
        items: list[tuple[str, int]] = []
        for row in range(MAX_ITEMS):
            name = clean_text(
                "item_name", form.get(f"item_name_{row}", ""), required=False, max_chars=40
            )
            if not name:
                continue
            if name in dict(items):
                raise FormError("item_name", "duplicate_item")
            items.append((name, _whole("item_points", form.get(f"item_points_{row}", ""), 1, 100)))
        if not items:
            raise FormError("item_name", "required")
        if sum(points for _name, points in items) != FORM_TOTAL_POINTS:
            raise FormError("item_points", "points_total")
        per_month = _whole(
            "checks_per_agent_month",
            form.get("checks_per_agent_month", ""),
            0,
            MAX_CHECKS_PER_AGENT_MONTH,
        )
        saved = QualityPlan(tuple(items), per_month)
        now_s = self._service.now()
        await self._db.write(lambda c: quality.save_plan(c, saved, now_s, who.agent_id))
        await self._audit(who, "quality.plan", "form", "/".join(f"{n}:{p}" for n, p in items))

    # -- recordings -----------------------------------------------------------------------------

    def _resolve(self, call: CallRecord) -> tuple[str, str]:
        """(path, why not playable). The engine names a recording `<folder>/<call>.wav`; older
        records and tests name it relative to the folder: both are found."""
        if not self.recordings_dir:
            return "", "no_folder"
        folder = os.path.realpath(self.recordings_dir)
        named = call.recording_path
        candidates = [os.path.realpath(named)] if os.path.isabs(named) else []
        candidates.append(os.path.realpath(os.path.join(folder, named)))
        if not os.path.isabs(named):
            candidates.append(os.path.realpath(named))
        inside = [p for p in candidates if os.path.commonpath([folder, p]) == folder]
        if not inside:
            return "", "outside"
        for path in inside:
            if os.path.isfile(path):
                return path, ""
        if expired(call, self._service.setup(), self._service.now()):
            return "", "expired"
        return "", "missing"

    async def recorded_calls(
        self, since_s: float, until_s: float, *, sampled: set[str] | None = None
    ) -> list[RecordedCall]:
        recorded = [
            call
            for call in await self._store.calls(since_s, until_s, limit=100_000)
            if call.recording_path
        ]
        ids = [call.call_id for call in recorded]
        checks = await self._db.read(lambda c: quality.checks_of_calls(c, ids))
        reasons = await asyncio.to_thread(lambda: [self._resolve(call)[1] for call in recorded])
        return [
            RecordedCall(
                call,
                tuple(checks.get(call.call_id, ())),
                reason,
                sampled is not None and call.call_id in sampled,
            )
            for call, reason in sorted(
                zip(recorded, reasons, strict=True), key=lambda p: p[0].arrived_s, reverse=True
            )
        ]

    async def recorded_call(self, call_id: str) -> RecordedCall | None:
        call = await self._store.call(call_id)
        if call is None or not call.recording_path:
            return None
        checks = await self._db.read(lambda c: quality.checks_of_calls(c, [call_id]))
        _path, reason = await asyncio.to_thread(self._resolve, call)
        return RecordedCall(call, tuple(checks.get(call_id, ())), reason)

    async def recording_file(self, who: SignedIn, call_id: str) -> str:
        """The recording's path, only if it lies inside the recordings folder."""
        call = await self._store.call(call_id)
        if call is None or not call.recording_path:
            raise FormError("call_id", "not_found")
        path, reason = await asyncio.to_thread(self._resolve, call)
        if reason:
            raise FormError("call_id", f"recording_{reason}")
        await self._audit(who, "recording.play", call_id)
        return path

    # -- checks ---------------------------------------------------------------------------------

    async def check_call(self, who: SignedIn, call_id: str, form: dict[str, str]) -> int:
        """A check on the form in force: points_N for item N (0 to its points)."""
        call = await self._store.call(call_id)
        if call is None or not call.recording_path or not call.agent:
            raise FormError("call_id", "not_found")
        plan = await self.plan()
        given = tuple(
            (name, most, _whole(f"points_{row}", form.get(f"points_{row}", ""), 0, most))
            for row, (name, most) in enumerate(plan.items)
        )
        comment = clean_text("comment", form.get("comment", ""), required=False, max_chars=2000)
        check = QualityCheck(
            0, call_id, self._service.now(), who.agent_id, call.agent, given, comment
        )
        check_id = await self._db.write(lambda c: quality.add_check(c, check))
        await self._audit(who, "quality.check", call_id, f"{check.total}/{check.most}")
        return check_id

    async def month_checks(self, period: Period, agent: str = "") -> list[QualityCheck]:
        return await self._db.read(
            lambda c: quality.checks_between(c, period.start_s, period.end_s, agent)
        )

    # -- the month's draw, the to-do list and the summary -----------------------------------------

    async def draw(self, period: Period) -> tuple[list[RecordedCall], dict[str, list[str]]]:
        """The month's recorded calls and, per agent, the calls drawn for checking: those
        already checked first, then the draw's next unchecked calls up to the plan's number."""
        plan = await self.plan()
        calls = await self.recorded_calls(period.start_s, period.end_s)
        by_agent: dict[str, list[RecordedCall]] = {}
        for item in calls:
            if item.call.agent:
                by_agent.setdefault(item.call.agent, []).append(item)
        drawn: dict[str, list[str]] = {}
        for agent, items in by_agent.items():
            checked = [i.call.call_id for i in items if i.checks]
            rest = sorted(
                (i for i in items if not i.checks and not i.unplayable),
                key=lambda i: draw_order(period.key, i.call.call_id),
            )
            wanted = max(0, plan.checks_per_agent_month - len(checked))
            drawn[agent] = checked + [i.call.call_id for i in rest[:wanted]]
        return calls, drawn

    async def to_do(self, period: Period) -> list[RecordedCall]:
        """The drawn calls not checked yet, oldest first (the checker's list)."""
        calls, drawn = await self.draw(period)
        wanted = {call_id for ids in drawn.values() for call_id in ids}
        return sorted(
            (
                RecordedCall(i.call, i.checks, i.unplayable, True)
                for i in calls
                if i.call.call_id in wanted and not i.checks
            ),
            key=lambda i: i.call.arrived_s,
        )

    async def month_summary(self, period: Period, names: dict[str, str]) -> list[AgentQuality]:
        plan = await self.plan()
        calls, _drawn = await self.draw(period)
        checks = [k for item in calls for k in item.checks]  # of the month's calls
        appeals = await self._db.read(lambda c: quality.appeals(c, [k.check_id for k in checks]))
        recorded: dict[str, int] = {}
        for item in calls:
            if item.call.agent:
                recorded[item.call.agent] = recorded.get(item.call.agent, 0) + 1
        agents = sorted(
            {a.id for a in self._service.setup().agents} | set(recorded) | {k.agent for k in checks}
        )
        summary = []
        for agent in agents:
            mine = [percent(k) for k in checks if k.agent == agent]
            summary.append(
                AgentQuality(
                    agent,
                    names.get(agent, ""),
                    plan.checks_per_agent_month,
                    recorded.get(agent, 0),
                    len(mine),
                    sum(mine) / len(mine) if mine else None,
                    min(mine) if mine else None,
                    sum(1 for k in checks if k.agent == agent and k.check_id in appeals),
                )
            )
        return summary

    # -- the agent's own scores and appeals -------------------------------------------------------

    async def own_checks(self, agent: str, period: Period) -> list[OwnCheck]:
        checks = await self.month_checks(period, agent)
        appeals = await self._db.read(lambda c: quality.appeals(c, [k.check_id for k in checks]))
        return [
            OwnCheck(k, appeals.get(k.check_id), await self._store.call(k.call_id))
            for k in reversed(checks)
        ]

    async def appeal(self, agent: str, check_id: str, form: dict[str, str]) -> None:
        """The agent's one appeal against a check of their own call."""
        found = await self._check(check_id)
        if found.agent != agent:
            raise FormError("check_id", "not_found")
        reason = clean_text("reason", form.get("reason", ""), required=True, max_chars=2000)
        appeal = QualityAppeal(found.check_id, self._service.now(), agent, reason)
        if not await self._db.write(lambda c: quality.add_appeal(c, appeal)):
            raise FormError("reason", "appealed_already")

    async def answer(self, who: SignedIn, check_id: str, form: dict[str, str]) -> None:
        found = await self._check(check_id)
        text = clean_text("answer", form.get("answer", ""), required=True, max_chars=2000)
        now_s = self._service.now()
        if not await self._db.write(
            lambda c: quality.answer_appeal(c, found.check_id, text, who.agent_id, now_s)
        ):
            raise FormError("answer", "answered_already")
        await self._audit(who, "quality.appeal_answer", str(found.check_id), text)

    async def open_appeals(self) -> list[tuple[QualityAppeal, QualityCheck]]:
        waiting = await self._db.read(quality.open_appeals)
        found = []
        for appeal in waiting:
            check = await self._check(str(appeal.check_id))
            found.append((appeal, check))
        return found

    async def _check(self, check_id: str) -> QualityCheck:
        found = (
            await self._db.read(lambda c: quality.check(c, int(check_id)))
            if ascii_digits(check_id)
            else None
        )
        if found is None:
            raise FormError("check_id", "not_found")
        return found


def _whole(field: str, text: str, low: int, high: int) -> int:
    value = text.strip()
    if not ascii_digits(value) or not low <= int(value) <= high:
        raise FormError(field, "out_of_range")
    return int(value)

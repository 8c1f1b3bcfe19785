"""Callback tasks (回访) that close: each dial is an attempt with the outcome the agent picks,
"reached" closes the task, too many failed attempts close it as unreachable; supervisors make
tasks (one number, or a CSV of key customers or a campaign) and assign them to an agent or leave
them to the pool; customers are called only inside the calling window."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass

import aiosqlite

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.calling_window import DEFAULT_CALLING_WINDOW, end_of_day_s, next_opening_s
from appliance.desk.csv_rows import CsvProblem, read_rows
from appliance.desk.forms import FormError, clean_text
from appliance.desk.setup_forms import hours_text, minute_ranges, whole_number
from appliance.engine.views import AgentState
from appliance.service import DepotService
from appliance.store import desk_options, tasks, tickets
from appliance.store.desk_store import DeskStore
from appliance.store.tasks import CallbackAttempt, CallbackTask
from appliance.store.tickets import TicketStep

# What the agent picks after dialling a task; the reached ones close it.
OUTCOMES = (
    "reached_resolved",
    "reached_unresolved",
    "refused",
    "no_answer",
    "busy",
    "wrong_number",
)
REACHED_OUTCOMES = ("reached_resolved", "reached_unresolved", "refused")
UNREACHABLE_AT_ONCE = ("wrong_number",)
SUPERVISOR_REASONS = ("supervisor", "key_customer", "campaign")
RULES_OPTION = "callback_rules"
FAILED_ATTEMPTS_RANGE = (1, 10)
DUE_DAYS_RANGE = (1, 30)
IMPORT_MAX_ROWS = 5000
DAY_S = 86_400.0


@dataclass(frozen=True, slots=True)
class CallbackRules:
    calling_window: tuple[tuple[int, int], ...] = DEFAULT_CALLING_WINDOW  # minutes of the day
    failed_attempts: int = 3  # this many failed attempts close a task as unreachable

    @property
    def window_text(self) -> str:
        return hours_text(self.calling_window)


@dataclass(frozen=True, slots=True)
class DialRefusal:
    """Why the desk will not dial now: `reason` is a short code the web UI translates;
    `opens_s` is when the calling window opens again (for outside_window)."""

    reason: str
    opens_s: float | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    already_open: tuple[str, ...]  # numbers that had an open task already (left as they were)


def is_number(text: str) -> bool:
    return text.replace("+", "").isdigit() and 3 <= len(text) <= 32


class TaskDesk:
    def __init__(self, desk_store: DeskStore, service: DepotService, audit: AuditTrail) -> None:
        self._db = desk_store
        self.service = service
        self._audit = audit

    # -- rules --------------------------------------------------------------------------------

    async def rules(self) -> CallbackRules:
        saved = await self._db.read(lambda c: desk_options.read(c, RULES_OPTION))
        if not isinstance(saved, dict):
            return CallbackRules()
        return CallbackRules(
            tuple((int(start), int(end)) for start, end in saved.get("calling_window", ())),
            int(saved.get("failed_attempts", 3)),
        )

    @property
    def due_days(self) -> int:
        """Tasks are due this many days after they are made (the depot's setup)."""
        return max(1, round(self.service.setup().callback_due_s / DAY_S))

    async def change_rules(self, who: SignedIn, form: dict[str, str]) -> CallbackRules:
        """Calling window ("09:00-12:00, 14:00-20:00"; empty = any time), failed attempts
        before a task closes as unreachable, days until a task is due."""
        window = minute_ranges("calling_window", form.get("calling_window", ""))
        failed = whole_number(
            "failed_attempts", form.get("failed_attempts", ""), *FAILED_ATTEMPTS_RANGE
        )
        due_days = whole_number("due_days", form.get("due_days", ""), *DUE_DAYS_RANGE)
        rules = CallbackRules(window, failed)
        value = {"calling_window": [list(r) for r in window], "failed_attempts": failed}
        await self._db.write(lambda c: desk_options.write(c, RULES_OPTION, value))
        setup = self.service.setup()
        if due_days != self.due_days:
            await self.service.change_setup(
                dataclasses.replace(setup, callback_due_s=due_days * DAY_S)
            )
        await self._audit(
            who, "settings.callbacks", RULES_OPTION, f"{rules.window_text} {failed} {due_days}d"
        )
        return rules

    # -- the agent's desk ---------------------------------------------------------------------

    async def desk_tasks(self, agent_id: str) -> list[CallbackTask]:
        """Mine and the pool's, due today or overdue, each number once, soonest first."""
        now_s = self.service.now()
        until_s = end_of_day_s(now_s, self.service.setup().hours.timezone)
        found = await self._db.read(lambda c: tasks.for_desk(c, agent_id, until_s))
        once: dict[str, CallbackTask] = {}
        for task in found:
            once.setdefault(task.number, task)
        return list(once.values())

    async def window_opens_s(self) -> float | None:
        """None while customers may be called; else when the calling window opens again."""
        rules = await self.rules()
        timezone = self.service.setup().hours.timezone
        return next_opening_s(self.service.now(), timezone, rules.calling_window)

    async def dial_refusal(self, agent_id: str, task_id: str) -> DialRefusal | None:
        """Why this agent may not dial now (None: they may)."""
        agent = next((a for a in self.service.snapshot().agents if a.id == agent_id), None)
        if agent is None or agent.state is AgentState.LOGGED_OUT:
            return DialRefusal("not_logged_in")
        if agent.state in (AgentState.RINGING, AgentState.ON_CALL):
            return DialRefusal("on_call")
        if task_id:
            task = await self.task(task_id)
            if task is None or task.status != "open":
                return DialRefusal("task_closed")
            opens_s = await self.window_opens_s()
            if opens_s is not None:
                return DialRefusal("outside_window", opens_s)
        return None

    async def record_attempt(
        self, who: SignedIn, task_id: str, outcome: str, note: str
    ) -> CallbackTask:
        """One dial's outcome and note; reached closes the task, a wrong number or the
        configured number of failed attempts closes it as unreachable."""
        if outcome not in OUTCOMES:
            raise FormError("outcome", "choice")
        note = clean_text("note", note, required=False, max_chars=2000)
        task = await self.task(task_id)
        if task is None or task.status != "open":
            raise FormError("task_id", "not_found")
        rules = await self.rules()
        closed_as = ""
        if outcome in REACHED_OUTCOMES:
            closed_as = "reached"
        elif outcome in UNREACHABLE_AT_ONCE or task.attempts + 1 >= rules.failed_attempts:
            closed_as = "unreachable"
        attempt = CallbackAttempt(task_id, self.service.now(), who.agent_id, outcome, note)

        async def work(connection: aiosqlite.Connection) -> bool:
            if not await tasks.add_attempt(connection, attempt, closed_as=closed_as):
                return False
            if closed_as == "reached" and task.ticket_id:
                # the complaint's follow-up call reached the customer: its ticket closes
                step = TicketStep(attempt.time_s, who.agent_id, "closed", f"{outcome} {note}")
                if await tickets.close(connection, task.ticket_id, attempt.time_s):
                    await tickets.append_step(connection, task.ticket_id, step)
            return True

        if not await self._db.write(work):
            raise FormError("task_id", "not_found")
        await self._audit(who, "task.attempt", task_id, outcome)
        updated = await self.task(task_id)
        assert updated is not None
        return updated

    # -- supervisors --------------------------------------------------------------------------

    def new_task(
        self,
        number: str,
        name: str,
        reason: str,
        note: str,
        *,
        by: str,
        agent: str = "",
        ticket_id: str = "",
    ) -> CallbackTask:
        now_s = self.service.now()
        return CallbackTask(
            f"K{secrets.token_hex(5).upper()}",
            number,
            name,
            reason,
            "",
            "",
            now_s,
            now_s + self.due_days * DAY_S,
            None,
            "open",
            agent,
            0,
            "",
            note=note,
            created_by=by,
            ticket_id=ticket_id,
        )

    def _agent(self, agent_id: str) -> str:
        agent_id = agent_id.strip()
        if agent_id and agent_id not in {a.id for a in self.service.setup().agents}:
            raise FormError("agent_id", "not_found")
        return agent_id

    async def create_task(self, who: SignedIn, form: dict[str, str]) -> CallbackTask:
        """One number to call back, for an agent or the pool; FormError when the number
        already has an open task."""
        number = clean_text("number", form.get("number", ""), required=True, max_chars=32)
        if not is_number(number):
            raise FormError("number", "digits_only")
        name = clean_text("name", form.get("name", ""), required=False, max_chars=60)
        note = clean_text("note", form.get("note", ""), required=False, max_chars=500)
        reason = form.get("reason", "supervisor")
        if reason not in SUPERVISOR_REASONS:
            raise FormError("reason", "choice")
        task = self.new_task(
            number, name, reason, note, by=who.agent_id, agent=self._agent(form.get("agent_id", ""))
        )
        if not await self._db.write(lambda c: tasks.add(c, task)):
            raise FormError("number", "task_open")
        await self._audit(who, "task.add", task.task_id, number)
        return task

    async def import_tasks(self, who: SignedIn, data: bytes, form: dict[str, str]) -> ImportResult:
        """A CSV of `number,name,note` rows (key customers 重点客户, or a campaign): every row is
        checked first, and a bad one (CsvProblem naming line and column) keeps nothing."""
        reason = form.get("reason", "")
        if reason not in ("key_customer", "campaign"):
            raise FormError("reason", "choice")
        campaign = clean_text("note", form.get("note", ""), required=False, max_chars=200)
        agent = self._agent(form.get("agent_id", ""))
        rows = read_rows(data, ("number", "name", "note"), required=1, headers=("号码", "电话"))
        if len(rows) > IMPORT_MAX_ROWS:
            raise CsvProblem(rows[IMPORT_MAX_ROWS][0], "number", 1, "too_many_rows")
        new: list[CallbackTask] = []
        for line, row in rows:
            if not is_number(row["number"]):
                raise CsvProblem(line, "number", 1, "digits_only")
            for column_number, (column, limit) in enumerate((("name", 60), ("note", 500)), 2):
                if len(row.get(column, "")) > limit:
                    raise CsvProblem(line, column, column_number, "too_long")
            note = " · ".join(part for part in (campaign, row.get("note", "")) if part)
            new.append(
                self.new_task(
                    row["number"], row.get("name", ""), reason, note, by=who.agent_id, agent=agent
                )
            )

        async def work(connection: aiosqlite.Connection) -> list[str]:
            return [t.number for t in new if not await tasks.add(connection, t)]

        already = await self._db.write(work)
        await self._audit(who, f"task.import.{reason}", campaign, f"{len(new) - len(already)}")
        return ImportResult(len(new) - len(already), tuple(already))

    async def assign_callback_task(self, who: SignedIn, task_id: str, agent_id: str) -> None:
        agent_id = self._agent(agent_id)
        if not await self._db.write(lambda c: tasks.assign(c, task_id, agent_id)):
            raise FormError("task_id", "not_found")
        await self._audit(who, "task.assign", task_id, agent_id)

    async def close_task(self, who: SignedIn, task_id: str, reason: str) -> None:
        """A supervisor closes a task that is not to be called (the reason is kept as an
        attempt's note)."""
        reason = clean_text("reason", reason, required=True, max_chars=500)
        attempt = CallbackAttempt(task_id, self.service.now(), who.agent_id, "closed", reason)
        if not await self._db.write(lambda c: tasks.add_attempt(c, attempt, closed_as="closed")):
            raise FormError("task_id", "not_found")
        await self._audit(who, "task.close", task_id, reason)

    # -- reading ------------------------------------------------------------------------------

    async def task(self, task_id: str) -> CallbackTask | None:
        return await self._db.read(lambda c: tasks.one(c, task_id))

    async def attempts(self, task_id: str) -> list[CallbackAttempt]:
        return await self._db.read(lambda c: tasks.attempts(c, task_id))

    async def open_tasks(self) -> list[CallbackTask]:
        return await self._db.read(tasks.open_tasks)

    async def overdue_tasks(self) -> list[CallbackTask]:
        now_s = self.service.now()
        return await self._db.read(lambda c: tasks.overdue(c, now_s))

    async def every_task(self, *, limit: int = 1000) -> list[CallbackTask]:
        return await self._db.read(lambda c: tasks.newest(c, limit))

"""The web desk's service: sign-in and sessions, the audit log, records about calls, the customer
directory, tickets with escalation, notices and the handover log. Built on the store; the web UI
reaches the depot's data only through this and appliance.service."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import os
import secrets
import shutil
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import aiosqlite

from appliance import desk_displays, desk_prompts, desk_restore, desk_settings, first_boot
from appliance.desk_displays import DisplayLink
from appliance.desk_forms import (
    COMPLAINT_DEPARTMENTS,
    RECORD_KINDS,
    FormError,
    clean_record_fields,
    clean_text,
)
from appliance.desk_reports import PERIOD_DAYS, DepotReports, ReportCache
from appliance.desk_restore import RestoreRefused, StagedRestore
from appliance.engine.records import CallRecord
from appliance.engine.views import LineView
from appliance.login_throttle import LoginThrottle
from appliance.service import DepotService
from appliance.store import (
    Role,
    Store,
    StoreError,
    User,
    audit,
    desk_records,
    is_agent_id,
    is_keypad_pin,
    notices,
    quality,
    scripts,
    tickets,
    web_sessions,
)
from appliance.store.audit import AuditEntry
from appliance.store.desk_records import Customer, DeskRecord, HistoryEntry
from appliance.store.desk_store import DeskStore
from appliance.store.notices import HandoverEntry, Notice
from appliance.store.quality import QUALITY_CRITERIA, QualityCheck
from appliance.store.scripts import Script
from appliance.store.tickets import Ticket, TicketStep
from appliance.store.web_sessions import WebSession

__all__ = [
    "COMPLAINT_DEPARTMENTS",
    "ESCALATION_LEVELS",
    "HANDOVER_MAX_CHARS",
    "NOTICE_MAX_CHARS",
    "PERIOD_DAYS",
    "QUALITY_CRITERIA",
    "RECORD_KINDS",
    "AuditEntry",
    "Customer",
    "DeskError",
    "DeskRecord",
    "DeskService",
    "DisplayLink",
    "FormError",
    "HandoverEntry",
    "HistoryEntry",
    "LoginThrottled",
    "Notice",
    "QualityCheck",
    "RecordedCall",
    "RestoreRefused",
    "Role",
    "ScreenPop",
    "Script",
    "SignedIn",
    "StagedRestore",
    "SystemStatus",
    "Ticket",
    "TicketStep",
    "User",
    "is_agent_id",
    "is_keypad_pin",
    "open_desk",
]

log = logging.getLogger(__name__)

SESSION_IDLE_S = 8 * 3600.0
SESSION_MAX_S = 12 * 3600.0
NOTICE_MAX_CHARS = 500  # the pages say these limits beside the fields
HANDOVER_MAX_CHARS = 4000  # a session ends this long after sign-in, in use or not
SESSION_TOUCH_S = 60.0  # a session's last-seen time is written at most this often
ESCALATE_AFTER_S = 24 * 3600.0  # open this long: the shift lead (班长); twice as long: manager
ESCALATION_LEVELS = ("department", "shift_lead", "manager")
RESTORE_FORM_BYTES = 64 * 1024  # the restore form's other fields and multipart framing


class DeskError(Exception):
    """A request the desk refuses, with a message for the person who made it."""


class LoginThrottled(DeskError):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"too many wrong passwords; try again in {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a browser session belongs to."""

    agent_id: str
    name: str
    role: Role
    csrf_token: str
    signed_in_s: float

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)


@dataclass(frozen=True, slots=True)
class SystemStatus:
    """What an admin checks first: version, database and disk, lines and device faults."""

    version: str
    database_path: str
    database_bytes: int
    disk_free_bytes: int
    lines: tuple[LineView, ...]
    faults: tuple[str, ...]
    open_now: bool


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """A recorded call of a day with the quality checks it has had."""

    call: CallRecord
    checks: tuple[QualityCheck, ...]


@dataclass(frozen=True, slots=True)
class ScreenPop:
    """What an agent sees when a call rings: who it is and what happened before."""

    number: str
    customer: Customer | None
    past_calls: tuple[CallRecord, ...]
    records: tuple[DeskRecord, ...]
    open_tickets: tuple[Ticket, ...]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


REPORTS_READY_EVERY_S = 60.0  # seconds between two keepings of the report days
BACKUP_COPY_PREFIX = ".depotline-download-"  # + random hex: a backup being downloaded


class DeskService:
    """Use `open_desk(store, service)`. Business times (records, tickets) come from the
    depot's clock (`service.now()`, virtual in demo and tests); sessions and login throttling
    run on the wall clock, which attackers live by."""

    def __init__(
        self,
        store: Store,
        desk_store: DeskStore,
        service: DepotService,
        *,
        session_idle_s: float = SESSION_IDLE_S,
        wall_clock: Callable[[], float] = time.time,
        prompts_dir: str = "",
        recordings_dir: str = "",
        restart: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._restart = restart  # stops the depot so that it starts again (None: cannot)
        self.recordings_dir = recordings_dir
        self.prompts_dir = prompts_dir  # where uploaded recordings replace generated prompts
        self._db = desk_store
        self.service = service
        self.session_idle_s = session_idle_s
        self._wall_clock = wall_clock
        self._throttle = LoginThrottle()
        self._report_cache = ReportCache()

    @property
    def setup_flag(self) -> str:
        """The first-boot flag beside the database (`first-boot`, holding `setup_code=NNNNNN`,
        see docs/box.md): while it exists and no admin does, the web setup page claims the box."""
        return os.path.join(self._state_folder, first_boot.FLAG)

    @property
    def _state_folder(self) -> str:
        return os.path.dirname(os.path.abspath(self._store.path))

    async def close_first_boot(self, web_port: int) -> None:
        """The box is claimed: the setup page goes, and the console's login screen shows where
        the web pages are instead of the setup code."""
        await asyncio.to_thread(first_boot.close, Path(self._state_folder), web_port)

    # -- sign-in and sessions -----------------------------------------------------------------

    async def sign_in(self, agent_id: str, password: str, address: str) -> tuple[str, SignedIn]:
        """A new session's cookie token and who it is. LoginThrottled after too many attempts
        for this id or from this address (counted before the password is checked); DeskError
        for a wrong id or password, which the audit log keeps."""
        now_s = self._wall_clock()
        id_key, address_key = f"id:{agent_id}", f"address:{address}"
        wait_s = self._throttle.admit((id_key, address_key), now_s)
        if wait_s > 0:
            log.warning("login throttled for agent id %r from %s", agent_id, address)
            raise LoginThrottled(wait_s)
        user = await self._store.check_password(agent_id, password) if agent_id else None
        if user is None:
            log.info("wrong agent id or password for %r from %s", agent_id, address)
            entry = AuditEntry(now_s, agent_id[:40], "", "sign_in.failed", agent_id[:40], address)
            await self._db.write(lambda c: audit.append(c, entry))
            raise DeskError("wrong agent id or password")
        self._throttle.succeeded(id_key, address_key)
        token = secrets.token_urlsafe(32)
        session = WebSession(
            _token_hash(token), user.agent_id, secrets.token_urlsafe(32), now_s, now_s
        )

        async def work(connection: aiosqlite.Connection) -> None:
            await web_sessions.remove_stale(
                connection, now_s - self.session_idle_s, now_s - SESSION_MAX_S
            )
            await web_sessions.insert(connection, session)

        await self._db.write(work)
        signed_in = SignedIn(user.agent_id, user.name, user.role, session.csrf_token, now_s)
        if signed_in.is_supervisor:
            await self.audit(signed_in, "sign_in", user.agent_id)
        return token, signed_in

    async def session(self, token: str) -> SignedIn | None:
        """Who holds this cookie, or None when it is unknown, idle too long or older than
        SESSION_MAX_S (then gone)."""
        if not token:
            return None
        token_hash = _token_hash(token)
        session = await self._db.read(lambda c: web_sessions.one(c, token_hash))
        if session is None:
            return None
        now_s = self._wall_clock()
        if (
            now_s - session.last_seen_s > self.session_idle_s
            or now_s - session.created_s > SESSION_MAX_S
        ):
            await self._db.write(lambda c: web_sessions.remove(c, token_hash))
            return None
        user = await self._store.user(session.agent_id)
        if user is None:  # the user was removed: the session ends with them
            await self._db.write(lambda c: web_sessions.remove(c, token_hash))
            return None
        if now_s - session.last_seen_s >= SESSION_TOUCH_S:
            await self._db.write(lambda c: web_sessions.touch(c, token_hash, now_s))
        return SignedIn(user.agent_id, user.name, user.role, session.csrf_token, session.created_s)

    async def sign_out(self, token: str) -> None:
        token_hash = _token_hash(token)
        await self._db.write(lambda c: web_sessions.remove(c, token_hash))

    @property
    def reports(self) -> DepotReports:
        """Reports (S4) and staffing (S7) with the settings in force now."""
        setup = self.service.setup()
        threshold_s = min((queue.sl_threshold_s for queue in setup.queues), default=20.0)
        return DepotReports(
            self._store,
            timezone=setup.hours.timezone,
            sl_threshold_s=threshold_s,
            cache=self._report_cache,
        )

    # -- audit ----------------------------------------------------------------------------------

    async def audit(self, who: SignedIn, action: str, target: str, detail: str = "") -> None:
        """Keep a supervisor's or admin's action; an agent's own work is kept in its records."""
        if not who.is_supervisor:
            return
        entry = AuditEntry(self._wall_clock(), who.agent_id, who.role.value, action, target, detail)
        await self._db.write(lambda c: audit.append(c, entry))

    async def audit_log(self, *, limit: int = 500) -> list[AuditEntry]:
        return await self._db.read(lambda c: audit.newest(c, limit))

    # -- users ----------------------------------------------------------------------------------

    async def users(self) -> list[User]:
        return await self._store.users()

    async def users_with_pin(self) -> set[str]:
        """Who may log in on a desk phone's keypad (the users page says yes or no)."""
        return await self._store.users_with_pin()

    async def add_user(
        self, who: SignedIn, agent_id: str, name: str, role: str, password: str, *, pin: str = ""
    ) -> None:
        """A new user; `pin` empty = no keypad login until an admin sets one."""
        agent_id = clean_text("agent_id", agent_id, required=True, max_chars=20)
        if not is_agent_id(agent_id):
            raise FormError("agent_id", "digits_only")
        name = clean_text("name", name, required=True, max_chars=60)
        if role not in {r.value for r in Role}:
            raise FormError("role", "choice")
        if len(password) < 8:
            raise FormError("password", "too_short")
        if pin and not is_keypad_pin(pin):
            raise FormError("pin", "pin_digits")
        if not await self._store.add_user(agent_id, name, Role(role), password, pin=pin):
            raise FormError("agent_id", "taken")
        await self.audit(who, "user.add", agent_id, role)
        if pin:
            await self.audit(who, "user.pin", agent_id, "set")

    async def change_user(
        self,
        who: SignedIn,
        agent_id: str,
        *,
        role: str = "",
        password: str = "",
        pin: str = "",
        clear_pin: bool = False,
    ) -> None:
        """An admin changes someone's role, sets a new password or keypad PIN, or clears the
        PIN (a PIN given wins over `clear_pin`). Every field is checked before anything is
        saved."""
        user = await self._store.user(agent_id)
        if user is None:
            raise FormError("agent_id", "not_found")
        if role:
            if role not in {r.value for r in Role}:
                raise FormError("role", "choice")
            if agent_id == who.agent_id and role != who.role.value:
                raise FormError("role", "own_account")
        if password and len(password) < 8:
            raise FormError("password", "too_short")
        if pin and not is_keypad_pin(pin):
            raise FormError("pin", "pin_digits")
        if role:
            await self._store.update_user(agent_id, user.name, Role(role))
            await self.audit(who, "user.role", agent_id, role)
        if password:
            await self._store.set_password(agent_id, password)
            await self.audit(who, "user.password", agent_id)
        if pin:
            await self._store.set_pin(agent_id, pin)
            await self.audit(who, "user.pin", agent_id, "set")
        elif clear_pin:
            await self._store.clear_pin(agent_id)
            await self.audit(who, "user.pin", agent_id, "cleared")

    async def remove_user(self, who: SignedIn, agent_id: str) -> None:
        if agent_id == who.agent_id:
            raise FormError("agent_id", "own_account")
        if not await self._store.remove_user(agent_id):
            raise FormError("agent_id", "not_found")
        await self._db.write(lambda c: web_sessions.remove_for_user(c, agent_id))
        await self.audit(who, "user.remove", agent_id)

    async def system_status(self) -> SystemStatus:
        path = self._store.path

        def sizes() -> tuple[int, int]:
            size = sum(
                os.path.getsize(name) for name in (path, f"{path}-wal") if os.path.exists(name)
            )
            return size, shutil.disk_usage(os.path.dirname(os.path.abspath(path))).free

        database_bytes, free_bytes = await asyncio.to_thread(sizes)
        try:
            version = metadata.version("depotline")
        except metadata.PackageNotFoundError:
            version = "0+unknown"
        snapshot = self.service.snapshot()
        return SystemStatus(
            version,
            path,
            database_bytes,
            free_bytes,
            snapshot.lines,
            self.service.figures().faults,
            snapshot.open_now,
        )

    @contextlib.asynccontextmanager
    async def backup_copy(self, who: SignedIn) -> AsyncIterator[str]:
        """A consistent copy of the whole database for the admin to download, made beside it
        (the SD card has room for it; /tmp may be in RAM) and deleted when the download ends."""
        folder, name = os.path.split(os.path.abspath(self._store.path))
        target = os.path.join(folder, f"{BACKUP_COPY_PREFIX}{secrets.token_hex(8)}")
        try:
            await self._store.backup(target)
            await self.audit(who, "backup.download", name)
            yield target
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)

    # -- TV display links (desk_displays.py) ------------------------------------------------------

    async def display_links(self) -> list[DisplayLink]:
        return await desk_displays.every(self._db)

    async def create_display_link(self, who: SignedIn, name: str) -> str:
        """The new screen's link secret, shown to the admin once."""
        token = await desk_displays.create(self._db, name, self._wall_clock(), who.agent_id)
        await self.audit(who, "screen.add", name.strip())
        return token

    async def revoke_display_link(self, who: SignedIn, link_id: str) -> None:
        name = await desk_displays.revoke(self._db, link_id)
        await self.audit(who, "screen.revoke", name)

    async def display_link_valid(self, token: str) -> bool:
        return await desk_displays.valid(self._db, token)

    # -- restore by upload (docs/backup.md) -------------------------------------------------------

    @property
    def restore_max_bytes(self) -> int:
        return desk_restore.RESTORE_MAX_BYTES

    async def receive_restore(
        self, who: SignedIn, name: str, chunks: AsyncIterable[bytes], declared_bytes: int | None
    ) -> None:
        """An uploaded backup (`name` as sent, `chunks` as they arrive, `declared_bytes` the
        request's length) checked like `depotline restore` and staged for the admin to confirm.
        RestoreRefused names what was wrong; nothing is staged and the database is untouched."""
        max_bytes = desk_restore.RESTORE_MAX_BYTES
        try:
            if not name:
                raise RestoreRefused("no_file")
            if declared_bytes is not None and declared_bytes > max_bytes + RESTORE_FORM_BYTES:
                raise RestoreRefused("too_large", f"{max_bytes // 1024**2} MiB")
            staged = await desk_restore.receive(self._store.path, chunks, max_bytes=max_bytes)
        except RestoreRefused as refused:
            await self.audit(who, "restore.refused", name, refused.problem)
            raise
        rows = sum(staged.row_counts.values())
        await self.audit(who, "restore.upload", name, f"{staged.size_bytes} bytes, {rows} rows")

    async def restore_staged(self) -> bool:
        """Whether an uploaded backup waits for the admin's confirmation."""
        return await asyncio.to_thread(desk_restore.staged_path(self._store.path).is_file)

    async def staged_restore(self) -> StagedRestore | None:
        return await desk_restore.staged(self._store.path)

    async def confirm_restore(self, who: SignedIn) -> bool:
        """The staged backup replaces the database at the next start; True when the depot
        restarts now by itself, False when someone must restart it."""
        await asyncio.to_thread(desk_restore.confirm, self._store.path)
        await self.audit(who, "restore.confirm", os.path.basename(self._store.path))
        log.warning("%s confirmed a restore; it is swapped in at the next start", who.agent_id)
        if self._restart is None:
            return False
        self._restart()
        return True

    async def cancel_restore(self, who: SignedIn) -> None:
        if await asyncio.to_thread(desk_restore.cancel, self._store.path):
            await self.audit(who, "restore.cancel", os.path.basename(self._store.path))

    # -- queue and agent settings -----------------------------------------------------------------

    async def change_queue(self, who: SignedIn, queue_id: str, form: dict[str, str]) -> None:
        setup = desk_settings.with_queue_settings(self.service.setup(), queue_id, form)
        await self.service.change_setup(setup)
        queue = setup.queue(queue_id)
        detail = (
            f"{queue.strategy.value} tier_escalation_s={queue.tier_escalation_s:g}"
            f" join_when_no_agents={queue.join_when_no_agents}"
            f" leave_when_no_agents={queue.leave_when_no_agents}"
        )
        await self.audit(who, "settings.queue", queue_id, detail)

    async def change_menu(self, who: SignedIn, form: dict[str, str]) -> None:
        setup = desk_settings.with_menu(self.service.setup(), form)
        await self.service.change_setup(setup)
        keys = "".join(option.digit for option in setup.menu.options)
        await self.audit(who, "settings.menu", "menu", keys)

    async def change_greeting(self, who: SignedIn, form: dict[str, str]) -> None:
        prompts = await asyncio.to_thread(desk_prompts.known_prompts)
        setup = desk_settings.with_greeting(self.service.setup(), form, prompts)
        await self.service.change_setup(setup)
        await self.audit(who, "settings.greeting", "menu", setup.menu.greeting_prompt)

    async def change_line_queues(self, who: SignedIn, form: dict[str, str]) -> None:
        lines = self.service.line_ids()
        setup = desk_settings.with_line_queues(self.service.setup(), lines, form)
        await self.service.change_setup(setup)
        chosen = dict(setup.line_queues)
        detail = " ".join(f"{line}={chosen.get(line, desk_settings.LINE_MENU)}" for line in lines)
        await self.audit(who, "settings.lines", "line_queues", detail)

    def recorded_prompts(self) -> dict[str, tuple[str, ...]]:
        """Prompts with an uploaded recording (played instead of the generated one)."""
        return desk_prompts.recorded_prompts(self.prompts_dir)

    async def save_agent(self, who: SignedIn, form: dict[str, str]) -> None:
        setup = desk_settings.with_agent(self.service.setup(), form)
        await self.service.change_setup(setup)
        await self.audit(who, "settings.agent", form.get("agent_id", "").strip())

    async def change_hours(self, who: SignedIn, form: dict[str, str]) -> None:
        setup = desk_settings.with_hours(self.service.setup(), form)
        await self.service.change_setup(setup)
        await self.audit(who, "settings.hours", "hours", str(len(setup.hours.holidays)))

    async def change_vips(self, who: SignedIn, form: dict[str, str]) -> None:
        setup = desk_settings.with_vips(self.service.setup(), form)
        await self.service.change_setup(setup)
        await self.audit(who, "settings.vips", "vip_numbers", str(len(setup.vip_numbers)))

    async def remove_agent(self, who: SignedIn, agent_id: str) -> None:
        if any(
            a.id == agent_id and a.state.value != "logged_out"
            for a in self.service.snapshot().agents
        ):
            raise FormError("agent_id", "logged_in")
        setup = desk_settings.without_agent(self.service.setup(), agent_id)
        await self.service.change_setup(setup)
        await self.audit(who, "settings.agent_remove", agent_id)

    async def upload_prompt(self, who: SignedIn, language: str, name: str, data: bytes) -> None:
        """A recorded prompt replaces the generated one (checked: 8 kHz mono WAV, size)."""
        await asyncio.to_thread(desk_prompts.save_prompt, self.prompts_dir, language, name, data)
        await self.audit(who, "prompt.upload", f"{language}/{name}", str(len(data)))

    # -- recordings and quality checks (质检) ----------------------------------------------------

    async def recorded_calls(self, since_s: float, until_s: float) -> list[RecordedCall]:
        recorded = [
            call
            for call in await self._store.calls(since_s, until_s, limit=100_000)
            if call.recording_path
        ]
        ids = [call.call_id for call in recorded]
        checks = await self._db.read(lambda c: quality.for_calls(c, ids))
        return [
            RecordedCall(call, tuple(checks.get(call.call_id, ())))
            for call in sorted(recorded, key=lambda c: c.arrived_s, reverse=True)
        ]

    async def recording_file(self, who: SignedIn, call_id: str) -> str:
        """The recording's path, only if it lies inside the recordings folder."""
        call = await self._store.call(call_id)
        if call is None or not call.recording_path or not self.recordings_dir:
            raise FormError("call_id", "not_found")
        folder = os.path.realpath(self.recordings_dir)
        path = os.path.realpath(os.path.join(folder, call.recording_path))
        if os.path.commonpath([folder, path]) != folder or not os.path.isfile(path):
            raise FormError("call_id", "not_found")
        await self.audit(who, "recording.play", call_id)
        return path

    async def check_quality(self, who: SignedIn, call_id: str, form: dict[str, str]) -> None:
        call = await self._store.call(call_id)
        if call is None or not call.recording_path:
            raise FormError("call_id", "not_found")
        scores = []
        for criterion in QUALITY_CRITERIA:
            value = form.get(criterion, "")
            if value not in ("1", "2", "3", "4", "5"):
                raise FormError(criterion, "choice")
            scores.append(int(value))
        note = clean_text("note", form.get("note", ""), required=False, max_chars=2000)
        greeting, accuracy, attitude = scores
        check = QualityCheck(
            call_id,
            self.service.now(),
            who.agent_id,
            call.agent,
            greeting,
            accuracy,
            attitude,
            note,
        )
        await self._db.write(lambda c: quality.add(c, check))
        await self.audit(who, "quality.check", call_id, "/".join(map(str, scores)))

    # -- callback tasks (回访) ------------------------------------------------------------------

    async def assign_callback_task(self, who: SignedIn, task_id: str, agent_id: str) -> None:
        if agent_id and agent_id not in {a.id for a in self.service.setup().agents}:
            raise FormError("agent_id", "not_found")
        if not await self._store.assign_callback_task(task_id, agent_id):
            raise FormError("task_id", "not_found")
        await self.audit(who, "task.assign", task_id, agent_id)

    # -- records (咨询 投诉 救援 预约 回访) ------------------------------------------------------

    async def save_record(
        self, who: SignedIn, kind: str, call_id: str, number: str, form: dict[str, str]
    ) -> DeskRecord:
        """Check and keep a record; a complaint opens a ticket in the same transaction.
        FormError (naming the field) and nothing kept when the form is incomplete."""
        if kind not in RECORD_KINDS:
            raise FormError("kind", "choice")
        number = clean_text("number", number, required=True, max_chars=32)
        call_id = clean_text("call_id", call_id, required=False, max_chars=64)
        fields = clean_record_fields(kind, form)
        now_s = self.service.now()
        record = DeskRecord(
            f"R{secrets.token_hex(5).upper()}", kind, call_id, number, who.agent_id, now_s, fields
        )
        ticket: Ticket | None = None
        if kind == "complaint":
            ticket = Ticket(
                f"T{secrets.token_hex(5).upper()}",
                record.record_id,
                number,
                record.field("category"),
                record.field("department"),
                now_s,
                0,
                "open",
                None,
            )

        async def work(connection: aiosqlite.Connection) -> None:
            await desk_records.insert(connection, record)
            await desk_records.upsert_customer(
                connection,
                number,
                record.field("customer_name"),
                record.field("customer_type"),
                now_s,
            )
            if ticket is not None:
                await tickets.insert(connection, ticket)
                step = TicketStep(now_s, who.agent_id, "opened", record.field("details"))
                await tickets.append_step(connection, ticket.ticket_id, step)

        await self._db.write(work)
        await self.audit(who, f"record.{kind}", record.record_id, number)
        return record

    async def append_to_record(self, who: SignedIn, record_id: str, note: str) -> None:
        """A reply or follow-up: appended to the record's history; the record stays as it was."""
        note = clean_text("note", note, required=True, max_chars=4000)
        if await self.record(record_id) is None:
            raise FormError("record_id", "not_found")
        entry = HistoryEntry(self.service.now(), who.agent_id, note)
        await self._db.write(lambda c: desk_records.append_history(c, record_id, entry))
        await self.audit(who, "record.append", record_id)

    async def record(self, record_id: str) -> DeskRecord | None:
        return await self._db.read(lambda c: desk_records.one(c, record_id))

    async def record_history(self, record_id: str) -> list[HistoryEntry]:
        return await self._db.read(lambda c: desk_records.history(c, record_id))

    async def recent_records(self, *, limit: int = 100) -> list[DeskRecord]:
        return await self._db.read(lambda c: desk_records.newest(c, limit))

    async def customers(self, search: str = "", *, limit: int = 200) -> list[Customer]:
        return await self._db.read(lambda c: desk_records.customers(c, search, limit))

    async def screen_pop(self, number: str) -> ScreenPop:
        """Caller number, customer name and type, past calls, records and open tickets."""
        if not number:
            return ScreenPop("", None, (), (), ())
        customer = await self._db.read(lambda c: desk_records.customer(c, number))
        past_calls = await self._store.calls_from(number, limit=10)
        records = await self._db.read(lambda c: desk_records.by_number(c, number, 10))
        open_tickets = await self._db.read(lambda c: tickets.for_number(c, number))
        return ScreenPop(number, customer, tuple(past_calls), tuple(records), tuple(open_tickets))

    # -- tickets (S5) ---------------------------------------------------------------------------

    def due_level(self, ticket: Ticket) -> int:
        """Who should hold the ticket by now: 0 department, 1 shift lead after 24 h, 2
        manager after 48 h (by the depot's clock)."""
        age_s = self.service.now() - ticket.created_s
        return min(int(age_s // ESCALATE_AFTER_S), len(ESCALATION_LEVELS) - 1)

    def is_overdue(self, ticket: Ticket) -> bool:
        return ticket.status == "open" and self.due_level(ticket) > ticket.escalation_level

    async def ticket(self, ticket_id: str) -> Ticket | None:
        return await self._db.read(lambda c: tickets.one(c, ticket_id))

    async def ticket_steps(self, ticket_id: str) -> list[TicketStep]:
        return await self._db.read(lambda c: tickets.steps(c, ticket_id))

    async def open_tickets(self) -> list[Ticket]:
        return await self._db.read(tickets.open_tickets)

    async def recent_tickets(self, *, limit: int = 200) -> list[Ticket]:
        return await self._db.read(lambda c: tickets.newest(c, limit))

    async def overdue_tickets(self) -> list[Ticket]:
        return [t for t in await self.open_tickets() if self.is_overdue(t)]

    async def escalate_ticket(self, who: SignedIn, ticket_id: str, note: str = "") -> Ticket:
        """Hand the ticket one level up (shift lead, then manager)."""
        note = clean_text("note", note, required=False, max_chars=4000)
        ticket = await self.ticket(ticket_id)
        if ticket is None or ticket.status != "open":
            raise FormError("ticket_id", "not_found")
        if ticket.escalation_level >= len(ESCALATION_LEVELS) - 1:
            raise FormError("ticket_id", "at_top")
        level = ticket.escalation_level + 1
        step = TicketStep(self.service.now(), who.agent_id, "escalated", note)

        async def work(connection: aiosqlite.Connection) -> None:
            await tickets.set_escalation(connection, ticket_id, level)
            await tickets.append_step(connection, ticket_id, step)

        await self._db.write(work)
        await self.audit(who, "ticket.escalate", ticket_id, ESCALATION_LEVELS[level])
        updated = await self.ticket(ticket_id)
        assert updated is not None
        return updated

    async def close_ticket(self, who: SignedIn, ticket_id: str, follow_up: str) -> None:
        """Closed once the caller was called back; the follow-up call's note is required."""
        follow_up = clean_text("follow_up", follow_up, required=True, max_chars=4000)
        step = TicketStep(self.service.now(), who.agent_id, "closed", follow_up)

        async def work(connection: aiosqlite.Connection) -> bool:
            if not await tickets.close(connection, ticket_id, step.time_s):
                return False
            await tickets.append_step(connection, ticket_id, step)
            return True

        if not await self._db.write(work):
            raise FormError("ticket_id", "not_found")
        await self.audit(who, "ticket.close", ticket_id)

    # -- notices and handover -------------------------------------------------------------------

    async def notices(self) -> list[Notice]:
        return await self._db.read(notices.active_notices)

    async def add_notice(self, who: SignedIn, text: str) -> None:
        text = clean_text("text", text, required=True, max_chars=NOTICE_MAX_CHARS)
        now_s = self.service.now()
        notice_id = await self._db.write(lambda c: notices.add_notice(c, now_s, who.agent_id, text))
        await self.audit(who, "notice.add", str(notice_id), text)

    async def withdraw_notice(self, who: SignedIn, notice_id: str) -> None:
        if not notice_id.isdigit():
            raise FormError("notice_id", "not_found")
        if not await self._db.write(lambda c: notices.withdraw_notice(c, int(notice_id))):
            raise FormError("notice_id", "not_found")
        await self.audit(who, "notice.withdraw", notice_id)

    async def handovers(self, *, limit: int = 100) -> list[HandoverEntry]:
        return await self._db.read(lambda c: notices.handovers(c, limit))

    async def add_handover(self, who: SignedIn, text: str) -> None:
        text = clean_text("text", text, required=True, max_chars=HANDOVER_MAX_CHARS)
        entry = HandoverEntry(self.service.now(), who.agent_id, text)
        await self._db.write(lambda c: notices.add_handover(c, entry))
        await self.audit(who, "handover.add", who.agent_id)

    # -- scripts and FAQ (话术脚本) ----------------------------------------------------------------

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
        await self.audit(who, "script.add", str(script_id), script.title)
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
        await self.audit(who, "script.change", script_id, script.title)

    async def remove_script(self, who: SignedIn, script_id: str) -> None:
        number = await self._script_id("script_id", script_id, allow_top=False)
        if any(s.parent_id == number for _depth, s in await self.script_tree()):
            raise FormError("script_id", "has_children")
        await self._db.write(lambda c: scripts.remove(c, number))
        await self.audit(who, "script.remove", script_id)

    async def _script_id(self, field: str, text: str, *, allow_top: bool) -> int:
        if allow_top and text in ("", "0"):
            return 0
        if not text.isdigit() or not any(
            s.script_id == int(text) for _depth, s in await self.script_tree()
        ):
            raise FormError(field, "not_found")
        return int(text)

    # -- blacklist ------------------------------------------------------------------------------

    async def block_number(self, who: SignedIn, number: str) -> None:
        number = clean_text("number", number, required=True, max_chars=32)
        if not number.replace("+", "").isdigit():
            raise FormError("number", "digits_only")
        await self.service.block_number(number, by=who.agent_id)
        await self.audit(who, "blacklist.add", number)

    async def unblock_number(self, who: SignedIn, number: str) -> None:
        """Take a number off the blacklist: callers from it are answered again."""
        if not await self._store.unblock(number):
            raise FormError("number", "not_found")
        setup = self.service.setup()
        if number in setup.blacklist:
            await self.service.change_setup(
                dataclasses.replace(
                    setup, blacklist=tuple(n for n in setup.blacklist if n != number)
                )
            )
        await self.audit(who, "blacklist.remove", number)


def _remove_cut_off_copies(database: str) -> list[Path]:
    """Hidden files beside the database that a stop left half-written: restore uploads and
    backup copies for download."""
    folder = Path(os.path.abspath(database)).parent
    copies = sorted(folder.glob(f"{BACKUP_COPY_PREFIX}*"))
    for copy in copies:
        copy.unlink(missing_ok=True)
    return desk_restore.remove_partial_uploads(database) + copies


async def _keep_reports_ready(desk: DeskService, every_s: float) -> None:
    """Keep the days a monthly report adds up ready in the background: at start (after an
    upgrade or a stop, the days not kept yet), after each midnight, and after a change of
    the service-level threshold or time zone (the days are folded again), so a supervisor
    opening a report seldom waits for it."""
    while True:
        try:
            await desk.reports.prepare(desk.service.now())
        except StoreError as error:
            log.warning("reports are not kept ready: %s", error)
        await asyncio.sleep(every_s)


@contextlib.asynccontextmanager
async def open_desk(
    store: Store,
    service: DepotService,
    *,
    session_idle_s: float = SESSION_IDLE_S,
    wall_clock: Callable[[], float] = time.time,
    prompts_dir: str = "",
    recordings_dir: str = "",
    restart: Callable[[], None] | None = None,
    reports_ready_every_s: float = REPORTS_READY_EVERY_S,
) -> AsyncIterator[DeskService]:
    """The desk on the depot's open store (which has migrated the file). `restart` stops the
    depot so that it starts again (the daemon: systemd restarts it; the demo: in-process)."""
    for leftover in await asyncio.to_thread(_remove_cut_off_copies, store.path):
        log.info("deleted %s, a restore upload or backup download cut off by a stop", leftover)
    desk_store = DeskStore(store)
    desk = DeskService(
        store,
        desk_store,
        service,
        session_idle_s=session_idle_s,
        wall_clock=wall_clock,
        prompts_dir=prompts_dir,
        recordings_dir=recordings_dir,
        restart=restart,
    )
    preparing = asyncio.create_task(_keep_reports_ready(desk, reports_ready_every_s))
    try:
        yield desk
    finally:
        preparing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await preparing

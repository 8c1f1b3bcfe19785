"""The web desk's service: sign-in, the audit log, users, system status, backup copies, restore
by upload and the blacklist, with one service per domain of the back office beside it (records,
tasks, tickets, scripts, notices, quality checks, settings, reports). The web UI reaches the
depot's data only through this and appliance.service."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import secrets
import shutil
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from appliance import first_boot
from appliance.desk import restore as desk_restore
from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import FormError, clean_text
from appliance.desk.jobs import (
    every,
    keep_reports_ready,
    keep_tickets_escalated,
    pick_up_tracking_exports,
)
from appliance.desk.notices import NoticeDesk
from appliance.desk.quality import QualityDesk
from appliance.desk.records import RecordDesk
from appliance.desk.reports import DepotReports, ReportCache
from appliance.desk.restore import RestoreRefused, StagedRestore
from appliance.desk.scripts import ScriptDesk
from appliance.desk.sessions import SESSION_IDLE_S, Sessions
from appliance.desk.settings import SettingsDesk
from appliance.desk.tasks import TaskDesk
from appliance.desk.tickets import TicketDesk
from appliance.desk.waybills import TRACKING_FOLDER, WaybillDesk
from appliance.engine.views import LineView
from appliance.service import DepotService
from appliance.store import Role, Store, User, is_keypad_pin, web_sessions
from appliance.store.audit import AuditEntry
from appliance.store.desk_store import DeskStore

log = logging.getLogger(__name__)

RESTORE_FORM_BYTES = 64 * 1024  # the restore form's other fields and multipart framing
REPORTS_READY_EVERY_S = 60.0  # seconds between two keepings of the report days
DESK_JOBS_EVERY_S = 60.0  # seconds between two rounds of escalating tickets and picking up exports
BACKUP_COPY_PREFIX = ".depotline-download-"  # + random hex: a backup being downloaded


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
        self._db = desk_store
        self.service = service
        self.audit = AuditTrail(desk_store, wall_clock)
        self._sessions = Sessions(
            store, desk_store, self.audit, session_idle_s=session_idle_s, wall_clock=wall_clock
        )
        self.sign_in = self._sessions.sign_in
        self.session = self._sessions.session
        self.sign_out = self._sessions.sign_out
        self._report_cache = ReportCache()
        self.tasks = TaskDesk(desk_store, service, self.audit)
        self.tickets = TicketDesk(desk_store, service, self.audit, self.tasks)
        self.records = RecordDesk(store, desk_store, service, self.audit, self.tickets)
        self.notices = NoticeDesk(desk_store, service, self.audit)
        self.scripts = ScriptDesk(desk_store, service, self.audit)
        self.quality = QualityDesk(
            store, desk_store, service, self.audit, recordings_dir=recordings_dir
        )
        self.settings = SettingsDesk(service, self.audit, prompts_dir=prompts_dir)
        self.waybills = WaybillDesk(
            store,
            desk_store,
            service,
            self.audit,
            tracking_folder=os.path.join(self._state_folder, TRACKING_FOLDER),
        )

    @property
    def session_idle_s(self) -> float:
        return self._sessions.session_idle_s

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

    async def audit_log(self, *, limit: int = 500) -> list[AuditEntry]:
        return await self.audit.newest(limit)

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
    desk_jobs_every_s: float = DESK_JOBS_EVERY_S,
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
    jobs = (
        asyncio.create_task(every(reports_ready_every_s, keep_reports_ready, desk)),
        asyncio.create_task(every(desk_jobs_every_s, keep_tickets_escalated, desk)),
        asyncio.create_task(every(desk_jobs_every_s, pick_up_tracking_exports, desk)),
    )
    try:
        yield desk
    finally:
        for job in jobs:
            job.cancel()
        for job in jobs:
            with contextlib.suppress(asyncio.CancelledError):
                await job

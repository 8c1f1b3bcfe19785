"""The asyncio loop of the daemon: drivers' events go to the engine one at a time, the engine's
actions go to the drivers, the store and the subscribers; timers, wallboard, lamps, watchdog and
a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Sequence,
)
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from appliance.clock import ShellClock
from appliance.config import ThresholdsConfig
from appliance.engine.commands import (
    BoxStopping,
    CommandRefused,
    KeypadLoginChecked,
    LogOut,
    Tick,
    WaybillFound,
    WaybillUnknown,
)
from appliance.engine.engine import Engine
from appliance.engine.memory import AgentDay, agents_today
from appliance.engine.records import (
    AgentNotice,
    CallbackRequested,
    CallbackSettled,
    CallEnded,
    CheckKeypadLogin,
    FaultCleared,
    FaultRecorded,
    LookUpWaybill,
    NumberBlocked,
    QueueLogEntry,
    Verb,
)
from appliance.engine.setup import DepotSetup
from appliance.engine.types import Action, Event
from appliance.engine.views import AgentState, EngineSnapshot
from appliance.recordings import sweep as sweep_recordings
from appliance.recovery import interrupted_calls
from appliance.sd_notify import Notifier
from appliance.stats.figures import Figures
from appliance.store import NewUser, Store, StoreError, waybills
from appliance.store.backup import (
    BackupError,
    apply_pending_restore,
    pending_restore_path,
    refuse_a_lost_database,
)
from appliance.thresholds import stack_light, with_levels
from appliance.updates import CallLogged, FiguresChanged, NoticeIssued, Update
from drivers.roles import (
    ButtonPanel,
    ButtonPressed,
    CallArrived,
    DeviceFaulted,
    DeviceRestored,
    DeviceStatus,
    Display,
    DriverError,
    HangUpPosition,
    Lamp,
    LineAction,
    LineDriver,
    LineEvent,
    LineFaulted,
    LineInService,
    MediaAction,
    MediaBridge,
    PositionAction,
    PositionDriver,
    PositionEvent,
    PositionLampState,
    RefuseCall,
    StackLight,
    WallboardFigures,
)

log = logging.getLogger(__name__)

STORABLE = (
    QueueLogEntry,
    CallEnded,
    CallbackRequested,
    CallbackSettled,
    NumberBlocked,
    FaultRecorded,
    FaultCleared,
)
WALLBOARD_MIN_INTERVAL_S = 0.25  # real seconds between pushes to the displays
WALLBOARD_REFRESH_S = 1.0  # push at least this often while figures change with time
LINES_UP_TIMEOUT_S = 30.0  # READY=1 even if a line has not reported by then
RECOVERY_WINDOW_S = 2 * 24 * 3600.0  # how far back to look for calls cut off by a power cut
RESTART_LOOKBACK_S = 7 * 24 * 3600.0  # figures at start are rebuilt from at most a week back
RECORDINGS_SWEEP_EVERY_S = 6 * 3600.0  # clock seconds between retention sweeps
SUBSCRIBER_BACKLOG = 256  # updates kept for a slow subscriber; older ones are dropped
RESTORE_ALLOWANCE_S = 30 * 60.0  # start-up time systemd grants for swapping in a restore

_LAMP_STATES = {
    AgentState.LOGGED_OUT: PositionLampState.OFF,
    AgentState.READY: PositionLampState.READY,
    AgentState.RINGING: PositionLampState.RINGING,
    AgentState.ON_CALL: PositionLampState.ON_CALL,
    AgentState.WRAP_UP: PositionLampState.WRAP_UP,
    AgentState.PAUSED: PositionLampState.PAUSED,
}


@dataclass(frozen=True)
class DeviceSet:
    """The drivers a box runs, as built by appliance.wiring from the configuration."""

    lines: tuple[LineDriver, ...] = ()
    positions: tuple[PositionDriver, ...] = ()
    bridge: MediaBridge | None = None
    displays: tuple[Display, ...] = ()
    lamps: tuple[Lamp, ...] = ()
    buttons: tuple[ButtonPanel, ...] = ()
    # extra long-lived work a backend needs (e.g. the SIP stack's own thread), run with the rest
    services: tuple[Callable[[], Awaitable[None]], ...] = field(default=())


@dataclass
class _Job:
    event: Event
    done: asyncio.Future[None] | None = None


class Runtime:
    """One running depot. Build with `open_runtime`, then `await run(stop)`."""

    def __init__(
        self,
        *,
        engine: Engine,
        store: Store,
        figures: Figures,
        devices: DeviceSet,
        clock: ShellClock,
        thresholds: ThresholdsConfig,
        notifier: Notifier,
        setup: DepotSetup,
        timezone: str,
        recordings_dir: str = "",
    ) -> None:
        self.engine = engine
        self.recordings_dir = recordings_dir
        self.timezone = timezone
        self.store = store
        self.figures = figures
        self.devices = devices
        self.clock = clock
        self.thresholds = thresholds
        self.notifier = notifier
        self.setup = setup
        self.ready = asyncio.Event()  # lines are up (or had their chance)
        self.stopped = asyncio.Event()
        self._inbox: asyncio.Queue[_Job] = asyncio.Queue()
        self._line_driver: dict[str, LineDriver] = {}
        for driver in devices.lines:
            for line in driver.line_ids:
                self._line_driver[line] = driver
        self._position_driver: dict[str, PositionDriver] = {}
        for position_driver in devices.positions:
            for position in position_driver.position_ids:
                self._position_driver[position] = position_driver
        self._lines_reported: set[str] = set()
        self._lines_reported_event = asyncio.Event()
        self._closing = False
        self._figures_changed = asyncio.Event()
        self._device_faults: dict[str, str] = {}
        self._subscribers: set[asyncio.Queue[Update | None]] = set()
        self._last_figures = WallboardFigures()
        self.ticker = ""  # notices and award announcements the boards scroll (set by the desk)
        self._lamp_states: dict[str, PositionLampState] = {}
        self._stack_light: tuple[StackLight, bool] | None = None
        self._group: asyncio.TaskGroup | None = None
        self._told_s = 0.0  # the latest now the depot told (`now`)

    # -----------------------------------------------------------------------------------------
    # What the service uses

    def now(self) -> float:
        """The depot's now: the clock, but never before a now already told or the last event
        the engine handled. NTP can set a Pi's clock back while the daemon runs; the depot's
        day, the wallboard's "today" and the desk's stamps stay put until it catches up."""
        self._told_s = max(self._told_s, self.clock.now(), self.engine.now_s)
        return self._told_s

    async def submit(self, event: Event) -> None:
        """Hand a command (or event) to the engine and wait until its actions are carried out;
        the engine's refusal of a command comes back as its exception."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._inbox.put_nowait(_Job(event, done))
        await done

    @property
    def line_ids(self) -> tuple[str, ...]:
        """Every line the box is wired with, in the configured order (whether up or not)."""
        return tuple(self._line_driver)

    @property
    def position_ids(self) -> tuple[str, ...]:
        """Every agent position the box is wired with (whether its phone is up or not)."""
        return tuple(self._position_driver)

    def snapshot(self) -> EngineSnapshot:
        return self.engine.snapshot(self.now())

    def compute_figures(self) -> WallboardFigures:
        now = self.now()
        figures = self.figures.wallboard(now)
        faults = tuple(sorted(set(figures.faults) | set(self._device_faults)))
        figures = dataclasses.replace(
            figures,
            longest_wait_s=float(round(figures.longest_wait_s)),
            faults=faults,
            ticker=self.ticker,
            # stopping, or outside opening hours: the boards say "closed"
            closed=self._closing or not self.engine.snapshot(now).open_now,
        )
        return with_levels(figures, self.thresholds)

    def set_ticker(self, text: str) -> None:
        """The text the LED boards and the wallboard page scroll; shown at the next refresh."""
        self.ticker = text
        self._figures_changed.set()

    async def updates(self) -> AsyncGenerator[Update, None]:
        """Every update from now on, starting with the current figures; ends at stop."""
        queue: asyncio.Queue[Update | None] = asyncio.Queue(maxsize=SUBSCRIBER_BACKLOG)
        self._subscribers.add(queue)
        try:
            yield FiguresChanged(self._last_figures)
            while not self.stopped.is_set():
                update = await queue.get()
                if update is None:
                    return
                yield update
        finally:
            self._subscribers.discard(queue)

    # -----------------------------------------------------------------------------------------
    # Running

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set, then stop taking calls, end calls and finish cleanly."""
        await self.start()
        try:
            async with asyncio.TaskGroup() as group:
                self._group = group
                workers = [
                    group.create_task(self._engine_loop(), name="engine"),
                    group.create_task(self._wallboard_loop(), name="wallboard"),
                    group.create_task(self._watchdog_loop(), name="watchdog"),
                    group.create_task(self._recordings_loop(), name="recordings"),
                ]
                for line_driver in self.devices.lines:
                    workers.append(group.create_task(self._run_device(line_driver.run(self.emit))))
                for position_driver in self.devices.positions:
                    workers.append(
                        group.create_task(self._run_device(position_driver.run(self.emit)))
                    )
                for display in self.devices.displays:
                    workers.append(group.create_task(self._run_device(display.run(self.report))))
                for lamp in self.devices.lamps:
                    workers.append(group.create_task(self._run_device(lamp.run(self.report))))
                for panel in self.devices.buttons:
                    workers.append(
                        group.create_task(self._run_device(panel.run(self.emit, self.report)))
                    )
                for service in self.devices.services:
                    workers.append(group.create_task(self._run_device(service())))
                await self._wait_for_lines()
                self.ready.set()
                self.notifier.ready(f"{len(self._line_driver)} lines")
                log.info("depotline is taking calls on %d lines", len(self._line_driver))
                await stop.wait()
                self.notifier.stopping()
                log.info("depotline is stopping: ending calls")
                await self._shut_down()
                log.info("figures today at stop: %s", summary(self.figures.wallboard(self.now())))
                for worker in workers:
                    worker.cancel()
                # background record writes finish before the group (and the store) close
        finally:
            self._group = None
            self.stopped.set()
            for queue in tuple(self._subscribers):
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(None)

    async def start(self) -> None:
        """What every start does before taking calls (`run` does it; `depotline soak`, which
        feeds `step` itself, too): end the calls a kill cut off, then log the start."""
        await self._end_interrupted_calls()
        start = self._entry(Verb.QUEUESTART)
        await self.store.record([start])
        self.figures.fold(start)

    async def _end_interrupted_calls(self) -> None:
        """Calls cut off by a power cut or crash get their end and record now."""
        now = self.clock.now()
        entries = await self.store.queue_log(now - RECOVERY_WINDOW_S)
        records = interrupted_calls(entries, now_s=now, callback_due_s=self.setup.callback_due_s)
        if not records:
            return
        ended = sum(isinstance(record, CallEnded) for record in records)
        log.warning("%d calls were cut off when depotline last stopped; recording their end", ended)
        await self.store.record(records)
        for record in records:
            if isinstance(record, QueueLogEntry):
                self.figures.fold(record)

    def emit(self, event: LineEvent | PositionEvent | ButtonPressed) -> None:
        """Drivers report here (on the loop thread)."""
        if isinstance(event, LineInService | LineFaulted):
            self._lines_reported.add(event.line)
            if self._lines_reported >= set(self._line_driver):
                self._lines_reported_event.set()
        if self._closing and isinstance(event, CallArrived):
            # not taking calls any more: the caller hears busy
            self._spawn(self._perform_line(RefuseCall(event.line)))
            return
        self._inbox.put_nowait(_Job(event))

    def report(self, status: DeviceStatus) -> None:
        """Displays, lamps and panels report faults here; they are recorded and shown."""
        record: FaultRecorded | FaultCleared
        if isinstance(status, DeviceFaulted):
            if self._device_faults.get(status.device) == status.reason:
                return
            log.warning("%s is out of order: %s", status.device, status.reason)
            self._device_faults[status.device] = status.reason
            record = FaultRecorded(status.device, status.reason, status.time_s)
        elif isinstance(status, DeviceRestored):
            if self._device_faults.pop(status.device, None) is None:
                return
            log.info("%s works again", status.device)
            record = FaultCleared(status.device, status.time_s)
        else:
            raise TypeError(f"not a device status: {status!r}")
        self._figures_changed.set()
        self._spawn(self.store.record([record]))

    async def _run_device(self, work: Awaitable[None]) -> None:
        try:
            await work
        except DriverError as exc:
            # the driver has reported its lines or positions faulted; the rest keeps going
            log.error("a device stopped: %s", exc)

    async def _wait_for_lines(self) -> None:
        if not self._line_driver:
            return
        try:
            async with asyncio.timeout(LINES_UP_TIMEOUT_S):
                await self._lines_reported_event.wait()
        except TimeoutError:
            missing = sorted(set(self._line_driver) - self._lines_reported)
            log.warning("lines %s have not reported after %.0f s", missing, LINES_UP_TIMEOUT_S)

    # -----------------------------------------------------------------------------------------
    # The engine loop: one event at a time, timers between events

    async def _engine_loop(self) -> None:
        while True:
            deadline_s = self.engine.next_deadline()
            job: _Job | None = None
            if deadline_s is None:
                job = await self._inbox.get()
            else:
                wait_s = max(0.0, self.clock.wall_s(deadline_s - self.clock.now()))
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait_s):
                        job = await self._inbox.get()
            if job is None:
                await self.step(Tick(self.clock.now()))
                continue
            try:
                await self.step(job.event)
            except CommandRefused as exc:
                if job.done is None:
                    raise  # a driver's event the engine cannot take is a bug
                # a person's command that cannot apply now; nothing changed in the engine
                log.info("%s refused: %s", type(job.event).__name__, exc)
                job.done.set_exception(exc)
            else:
                if job.done is not None and not job.done.done():
                    job.done.set_result(None)

    async def step(self, event: Event) -> list[Action]:
        """One engine step: decide, keep the records in one transaction, then act and tell."""
        if event.time_s < self._told_s:
            # stamped on a clock set back since the depot last told the time: it happens at
            # that time, so no row lands before what the desk's reports have already folded
            event = dataclasses.replace(event, time_s=self._told_s)
        actions = self.engine.handle(event)
        storable = [action for action in actions if isinstance(action, STORABLE)]
        if storable:
            await self.store.record(storable)
        for record in storable:
            if isinstance(record, QueueLogEntry):
                self.figures.fold(record)
                self._figures_changed.set()
            elif isinstance(record, NumberBlocked) and record.number not in self.setup.blacklist:
                # 闭塞 by an agent: the setup the service hands out keeps what the engine has
                blacklist = (*self.setup.blacklist, record.number)
                self.setup = dataclasses.replace(self.setup, blacklist=blacklist)
        for action in actions:
            await self._carry_out(action)
        return actions

    async def _carry_out(self, action: Action) -> None:
        if isinstance(action, LineAction):
            await self._perform_line(action)
        elif isinstance(action, PositionAction):
            await self._perform_position(action)
        elif isinstance(action, MediaAction):
            if self.devices.bridge is not None:
                try:
                    await self.devices.bridge.perform(action)
                except DriverError as exc:
                    log.error("media bridge: %s failed: %s", type(action).__name__, exc)
        elif isinstance(action, CheckKeypadLogin):
            self._spawn(self._check_keypad_login(action))
        elif isinstance(action, LookUpWaybill):
            self._spawn(self._look_up_waybill(action))
        elif isinstance(action, AgentNotice):
            self._publish(NoticeIssued(action))
        elif isinstance(action, CallEnded):
            self._publish(CallLogged(action.record))

    async def _perform_line(self, action: LineAction) -> None:
        driver = self._line_driver.get(action.line)
        if driver is None:
            raise LookupError(f"the engine acted on line {action.line!r}, which no driver has")
        try:
            await driver.perform(action)
        except DriverError as exc:
            log.error("line %s: %s failed: %s", action.line, type(action).__name__, exc)

    async def _perform_position(self, action: PositionAction) -> None:
        driver = self._position_driver.get(action.position)
        if driver is None:
            raise LookupError(f"the engine acted on position {action.position!r}, unknown")
        try:
            await driver.perform(action)
        except DriverError as exc:
            log.error("position %s: %s failed: %s", action.position, type(action).__name__, exc)

    async def _check_keypad_login(self, check: CheckKeypadLogin) -> None:
        accepted = await self.store.check_pin(check.agent, check.pin)
        self._inbox.put_nowait(
            _Job(KeypadLoginChecked(self.clock.now(), check.position, check.agent, accepted))
        )

    async def _look_up_waybill(self, ask: LookUpWaybill) -> None:
        """The tracking row of the waybill a caller keyed in the self-service."""
        found = await self.store.reading(lambda c: waybills.keyed(c, ask.number))
        answer: Event = (
            WaybillUnknown(self.clock.now(), ask.call_id)
            if found is None
            else WaybillFound(
                self.clock.now(), ask.call_id, found.status, found.place, found.time_s
            )
        )
        self._inbox.put_nowait(_Job(answer))

    # -----------------------------------------------------------------------------------------
    # Wallboard, lamps, watchdog

    async def _wallboard_loop(self) -> None:
        while True:
            self._figures_changed.clear()
            figures = self.compute_figures()
            if figures != self._last_figures:
                self._last_figures = figures
                await self._show(figures)
                self._publish(FiguresChanged(figures))
            if self.devices.lamps:
                await self._update_lamps(figures)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(WALLBOARD_REFRESH_S):
                    await self._figures_changed.wait()
            await asyncio.sleep(WALLBOARD_MIN_INTERVAL_S)

    async def _show(self, figures: WallboardFigures) -> None:
        for display in self.devices.displays:
            try:
                await display.show(figures)
            except DriverError as exc:
                log.warning("wallboard: %s", exc)

    async def _update_lamps(self, figures: WallboardFigures) -> None:
        light = stack_light(figures)
        states = {}
        if not figures.closed:
            for agent in self.snapshot().agents:
                if agent.position:
                    states[agent.position] = _LAMP_STATES[agent.state]
        for position in self._position_driver:
            states.setdefault(position, PositionLampState.OFF)
        for lamp in self.devices.lamps:
            try:
                if light != self._stack_light:
                    await lamp.set_stack_light(*light)
                for position, state in states.items():
                    if self._lamp_states.get(position) != state:
                        await lamp.set_position_lamp(position, state)
            except DriverError as exc:
                log.warning("lamps: %s", exc)
        self._stack_light = light
        self._lamp_states = states

    async def _watchdog_loop(self) -> None:
        interval_s = self.notifier.watchdog_interval_s
        if interval_s is None:
            return
        while True:
            # pinged from the loop: a stuck loop stops the pings and systemd restarts us
            self.notifier.watchdog()
            await asyncio.sleep(interval_s)

    # -----------------------------------------------------------------------------------------
    # Stopping

    async def _recordings_loop(self) -> None:
        """Deletes recordings past their queue's retention, at start and every few hours."""
        while True:
            await sweep_recordings(self.store, self.recordings_dir, self.setup, self.now())
            await asyncio.sleep(self.clock.wall_s(RECORDINGS_SWEEP_EVERY_S))

    async def _shut_down(self) -> None:
        self._closing = True
        # events already waiting are handled first: a call that just arrived is ended too
        await self.submit(Tick(self.clock.now()))
        # every call ends box_shutdown (never an abandon): the engine hangs up their lines,
        # and callers cut off before they were through get a callback task saying why
        await self.submit(BoxStopping(self.clock.now()))
        for agent in self.snapshot().agents:
            if agent.state is not AgentState.LOGGED_OUT:
                if agent.position in self._position_driver and agent.call_id:
                    await self._perform_position(HangUpPosition(agent.position))
                try:
                    await self.submit(LogOut(self.clock.now(), agent.id))
                except CommandRefused as exc:
                    log.warning("could not log out %s at stop: %s", agent.id, exc)
        closed = self.compute_figures()
        self._last_figures = closed
        await self._show(closed)
        self._publish(FiguresChanged(closed))
        for lamp in self.devices.lamps:
            try:
                await lamp.set_stack_light(StackLight.OFF, False)
                for position in self._position_driver:
                    await lamp.set_position_lamp(position, PositionLampState.OFF)
            except DriverError as exc:
                log.warning("lamps: %s", exc)

    # -----------------------------------------------------------------------------------------

    def _publish(self, update: Update) -> None:
        for queue in tuple(self._subscribers):
            if queue.full():
                # a slow reader loses the oldest update, never the loop's memory
                queue.get_nowait()
            queue.put_nowait(update)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Background work of the running depot; if it fails (a dead disk), the daemon stops."""
        if self._group is None:
            raise RuntimeError("the depot is not running")
        self._group.create_task(work)

    def _entry(self, verb: Verb) -> QueueLogEntry:
        return QueueLogEntry(self.now(), "NONE", "NONE", "NONE", verb)


@contextlib.asynccontextmanager
async def open_runtime(
    *,
    database: str,
    devices: DeviceSet,
    clock: ShellClock,
    timezone: str,
    thresholds: ThresholdsConfig,
    default_setup: Callable[[], DepotSetup],
    first_users: Sequence[NewUser] = (),
    after_first_start: Callable[[Store], Awaitable[None]] | None = None,
    recordings_dir: str = "",
    notifier: Notifier | None = None,
    seed: int = 0,
) -> AsyncIterator[Runtime]:
    """Open the store, load (or, at a new database's first start, seed with `first_users`)
    the depot's setup, build the engine and fold today's queue log into the figures, so the
    figures survive a restart. `after_first_start` adds what a new database starts with beyond
    its setup and users (the demo's past days), once the first start is written."""
    async with contextlib.AsyncExitStack() as stack:
        if pending_restore_path(database).exists():
            await _restore_pending(database, notifier if notifier is not None else Notifier())
        refuse_a_lost_database(database)
        store = await Store.open(database)
        stack.push_async_callback(store.close)
        if await store.first_start(default_setup(), first_users, when_s=clock.now()):
            log.info("new database %s: seeded the depot's setup", database)
            if after_first_start is not None:
                await after_first_start(store)
        setup = await store.load_setup()
        if setup is None:
            raise StoreError(f"database {database} had its first start but holds no setup")
        if setup.hours.timezone != timezone:
            # one time zone for the whole depot: opening hours, figures and reports
            log.warning(
                "the opening hours were kept in the time zone %s; they now follow the depot's"
                " time zone %s ([depot] timezone)",
                setup.hours.timezone,
                timezone,
            )
            setup = dataclasses.replace(
                setup, hours=dataclasses.replace(setup.hours, timezone=timezone)
            )
            await store.save_setup(setup)
        # each agent's calls and talk so far today, for fewest-calls and least-talk-time
        today: dict[str, AgentDay] = {}
        async for batch in store.iter_queue_log(day_start_s(timezone, clock.now())):
            agents_today(batch, today)
        engine = Engine(
            setup,
            seed=seed,
            recordings_dir=recordings_dir,
            voicemail_dir=recordings_dir,
            agents_today=today,
        )
        figures = await figures_from_log(store, setup, timezone, clock.now())
        log.info("figures today from the queue log: %s", summary(figures.wallboard(clock.now())))
        yield Runtime(
            engine=engine,
            store=store,
            figures=figures,
            devices=devices,
            clock=clock,
            thresholds=thresholds,
            notifier=notifier if notifier is not None else Notifier(),
            setup=setup,
            timezone=timezone,
            recordings_dir=recordings_dir,
        )


async def _restore_pending(database: str, notifier: Notifier) -> None:
    """Swap in the backup an admin confirmed on the web page, before the store opens it. A big
    database takes minutes to check and copy on an SD card: systemd is told to wait longer
    than TimeoutStartSec, and the watchdog keeps being pinged meanwhile."""
    notifier.status("restoring the backup an admin confirmed on the web page")
    notifier.notify(f"EXTEND_TIMEOUT_USEC={RESTORE_ALLOWANCE_S * 1_000_000:.0f}")
    swap = asyncio.create_task(asyncio.to_thread(apply_pending_restore, database))
    while not swap.done():
        notifier.watchdog()
        await asyncio.wait({swap}, timeout=notifier.watchdog_interval_s or RESTORE_ALLOWANCE_S)
    try:
        check, kept = swap.result()
    except BackupError as error:
        log.error("the confirmed restore was not done; the depot keeps its records: %s", error)
        return
    log.warning(
        "restored the backup confirmed on the web page into %s (schema %d, %d rows);"
        " the database it replaced is kept as %s",
        database,
        check.user_version,
        sum(check.row_counts.values()),
        kept,
    )


async def figures_from_log(store: Store, setup: DepotSetup, timezone: str, now_s: float) -> Figures:
    """Today's figures folded from the queue log, as every start rebuilds them: from the last
    start before midnight (an agent logged in since yesterday keeps today's time), at most
    a week back (that bounds the work after a long run)."""
    figures = Figures(
        timezone=timezone,
        sl_threshold_s=_sl_threshold_s(setup),
        queue_sl_thresholds_s={queue.id: queue.sl_threshold_s for queue in setup.queues},
    )
    midnight_s = day_start_s(timezone, now_s)
    last_start_s = await store.last_start_s(midnight_s)
    async for batch in store.iter_queue_log(
        max(last_start_s or midnight_s, midnight_s - RESTART_LOOKBACK_S)
    ):
        figures.fold_all(batch)
    return figures


def day_start_s(timezone: str, time_s: float) -> float:
    """When the depot's local day holding `time_s` began (epoch seconds)."""
    zone = ZoneInfo(timezone)
    day = dt.datetime.fromtimestamp(time_s, zone).date()
    return dt.datetime.combine(day, dt.time(), zone).timestamp()


def _sl_threshold_s(setup: DepotSetup) -> float:
    return min((queue.sl_threshold_s for queue in setup.queues), default=20.0)


def summary(figures: WallboardFigures) -> str:
    """Today's call figures in one log line (the same line at stop and after a restart)."""
    return (
        f"answered={figures.answered_today} abandoned={figures.abandoned_today}"
        f" service_level={figures.service_level!r} answer_rate={figures.answer_rate!r}"
        f" asa_s={figures.asa_s!r} aht_s={figures.aht_s!r}"
    )

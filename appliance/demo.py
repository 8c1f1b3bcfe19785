"""`depotline demo`: the real engine and store on simulated lines, callers and agents in real
time × speed, with the console wallboard and the web page."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import os
import tempfile
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from appliance import seed, wiring
from appliance.clock import ShellClock
from appliance.config import ThresholdsConfig
from appliance.daemon import RESTART_DELAY_S
from appliance.demo_history import HISTORY_DAYS, seed_history
from appliance.desk.tracking_export import read_export
from appliance.runtime import open_runtime
from appliance.service import DepotService
from appliance.store import Store, scripts, waybills
from appliance.store.desk_store import DeskStore

log = logging.getLogger(__name__)

DEMO_TIMEZONE = "Asia/Shanghai"
DEMO_LINES = 4


@dataclass(frozen=True, slots=True)
class DemoOptions:
    speed: float = 1.0
    duration_s: float = 0.0  # real seconds; 0 = until Ctrl-C
    database: str = ""  # empty: a temporary database, gone after the demo
    port: int | None = 8080  # None: no web page
    listen: str = "127.0.0.1"
    console: bool = True
    seed: int = 1
    calls_per_hour: float = 0.0  # 0: the demo's day profile
    modems: int = 0  # lines that are simulated voice modems on the real modem driver
    history_days: int = HISTORY_DAYS  # past calls, logins and roster a new database starts with


async def seed_scripts(store: Store) -> None:
    """A starter 话术/FAQ tree for the desk's script lookup, in a new demo database."""
    await _seed_scripts(DeskStore(store), seed.DEMO_SCRIPTS, parent_id=0)


async def _seed_scripts(
    db: DeskStore, tree: tuple[seed.DemoScript, ...], *, parent_id: int
) -> None:
    author = seed.DEMO_SUPERVISOR[0]
    for title, body, children in tree:
        script = scripts.Script(0, parent_id, title, body, 0.0, author)
        script_id = await db.write(functools.partial(scripts.add, script=script))
        await _seed_scripts(db, children, parent_id=script_id)


async def seed_tracking_export(store: Store, now_s: float) -> None:
    """The demo's tracking export, its times yesterday and today, for the keypad self-service
    and the desk's waybill search."""
    yesterday, today = _yesterday_and_today(now_s)
    export = seed.DEMO_TRACKING_EXPORT.format(yesterday=yesterday, today=today).encode()
    rows = read_export(export, DEMO_TIMEZONE, loaded_s=now_s, source="demo-tracking-export.csv")
    await store.in_transaction(lambda connection: waybills.load(connection, rows))


async def _after_first_start(
    store: Store, now_s: float, history_days: int, recordings_dir: str
) -> None:
    """The starter scripts, the tracking export and days of past calls (some recorded),
    logins and roster after the first start (the users are written with it), so the desk and
    the staffing, roster and 质检 pages show real content from the start."""
    await seed_scripts(store)
    await seed_tracking_export(store, now_s)
    if history_days > 0:
        setup = seed.demo_setup(DEMO_TIMEZONE, waybill_self_service=True)
        await seed_history(store, setup, now_s, days=history_days, recordings_dir=recordings_dir)


def _recordings_dir(database: str) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(database)), "recordings")


def _prompts_dir(database: str) -> str:
    """Recorded prompts and the menu speech generated for queues the demo's supervisor adds."""
    return os.path.join(os.path.dirname(os.path.abspath(database)), "prompts")


async def run_demo(options: DemoOptions, stop: asyncio.Event) -> None:
    clock = ShellClock(options.speed)
    with tempfile.TemporaryDirectory(prefix="depotline-demo-") as scratch:
        database = options.database or os.path.join(scratch, "depotline.db")
        restarting = True
        while restarting:
            # an admin's restore by upload restarts the demo here, on fresh simulated devices;
            # opening the runtime swaps the backup in as the daemon's start does
            demo = wiring.build_demo(
                clock,
                lines=DEMO_LINES,
                agents=seed.DEMO_AGENTS,
                callers=seed.DEMO_CALLERS,
                waybills=seed.DEMO_WAYBILLS,
                console=options.console,
                timezone=DEMO_TIMEZONE,
                seed=options.seed,
                calls_per_hour=options.calls_per_hour,
                modems=options.modems,
                scratch_dir=scratch,
                recordings_dir=_recordings_dir(database),
                prompts_dir=_prompts_dir(database),
            )
            try:
                restarting = await _run(options, stop, demo, clock, database)
            finally:
                demo.close()


def _yesterday_and_today(now_s: float) -> tuple[str, str]:
    today = dt.datetime.fromtimestamp(now_s, ZoneInfo(DEMO_TIMEZONE)).date()
    return (today - dt.timedelta(days=1)).isoformat(), today.isoformat()


class NotADemoDatabase(Exception):
    """The database holds another depot's setup: the demo's simulated agents are not in it."""

    def __init__(self, database: str, missing: list[str]) -> None:
        super().__init__(
            f"{database} is another depot's database (it has no agent {', '.join(missing)} of"
            " the demo's): give the demo a new file with --db, or leave --db out"
        )


async def _run(
    options: DemoOptions,
    stop: asyncio.Event,
    demo: wiring.DemoDevices,
    clock: ShellClock,
    database: str,
) -> bool:
    """One run of the demo depot; True when it stopped to restart (a restore by upload)."""
    recordings_dir = _recordings_dir(database)
    async with open_runtime(
        database=database,
        devices=demo.devices,
        clock=clock,
        timezone=DEMO_TIMEZONE,
        thresholds=ThresholdsConfig(),
        default_setup=lambda: seed.demo_setup(DEMO_TIMEZONE, waybill_self_service=True),
        first_users=seed.demo_users(),
        after_first_start=lambda store: _after_first_start(
            store, clock.now(), options.history_days, recordings_dir
        ),
        recordings_dir=recordings_dir,
        seed=options.seed,
    ) as runtime:
        service = DepotService(runtime, depot_name="depotline 演示 demo")
        known = {agent.id for agent in service.setup().agents}
        missing = [agent_id for agent_id, *_ in seed.DEMO_AGENTS if agent_id not in known]
        if missing:
            raise NotADemoDatabase(database, missing)
        log.info(
            "demo: %d lines (%d modems), %d agents, speed ×%g, database %s",
            DEMO_LINES,
            options.modems,
            len(seed.DEMO_AGENTS),
            options.speed,
            database,
        )
        runtime_stop = asyncio.Event()
        restart = asyncio.Event()

        def restart_soon() -> None:
            # the page saying so reaches the admin before the web server stops
            asyncio.get_running_loop().call_later(RESTART_DELAY_S, restart.set)

        async with contextlib.AsyncExitStack() as stack:
            if options.port is not None:
                from appliance.desk import open_desk
                from appliance.desk.demo_seed import seed_follow_ups
                from web_ui.app import start_web

                desk = await stack.enter_async_context(
                    open_desk(
                        runtime.store,
                        service,
                        recordings_dir=recordings_dir,
                        prompts_dir=_prompts_dir(database),
                        restart=restart_soon,
                    )
                )
                await seed_follow_ups(desk, runtime.store)
                runner = await start_web(service, options.listen, options.port, desk=desk)
                stack.push_async_callback(runner.cleanup)
                log.info("demo web page: http://%s:%d/", options.listen, options.port)
            if options.duration_s > 0:
                timer = asyncio.get_running_loop().call_later(options.duration_s, stop.set)
                stack.callback(timer.cancel)
            async with asyncio.TaskGroup() as group:
                running = group.create_task(runtime.run(runtime_stop), name="runtime")
                ready = group.create_task(runtime.ready.wait())
                await asyncio.wait({running, ready}, return_when=asyncio.FIRST_COMPLETED)
                people = [
                    group.create_task(demo.callers.run(), name="callers"),
                    group.create_task(demo.agents_for(service).run(), name="agents"),
                ]
                if demo.modem_callers is not None:
                    people.append(group.create_task(demo.modem_callers(), name="modem callers"))
                stopping = [group.create_task(stop.wait()), group.create_task(restart.wait())]
                await asyncio.wait(stopping, return_when=asyncio.FIRST_COMPLETED)
                for task in stopping:
                    task.cancel()
                # callers and agents go home first, then the depot closes
                for task in people:
                    task.cancel()
                runtime_stop.set()
    if restart.is_set() and not stop.is_set():
        log.warning("demo: restarting to swap in the restored backup")
        return True
    return False

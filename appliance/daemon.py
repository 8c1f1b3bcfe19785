"""`depotline run`: the daemon on the devices a configuration file names, with its web UI."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from appliance import seed, wiring
from appliance.clock import ShellClock
from appliance.config import Config
from appliance.runtime import open_runtime
from appliance.sd_notify import Notifier
from appliance.service import DepotService

log = logging.getLogger(__name__)

# Time for the page that says "the depot restarts" to reach the admin before the web server
# stops with the rest of the depot.
RESTART_DELAY_S = 1.0


async def serve(config: Config, stop: asyncio.Event) -> bool:
    """Run until `stop` is set (SIGTERM), then end calls and close everything cleanly. True
    when the depot stopped itself to restart (an admin confirmed a restore by upload): the
    caller exits with EX_RESTART and systemd starts it again, which swaps the backup in."""
    restart_asked = False

    def restart() -> None:
        nonlocal restart_asked
        restart_asked = True
        asyncio.get_running_loop().call_later(RESTART_DELAY_S, stop.set)

    clock = ShellClock()
    devices = wiring.build_devices(config, clock)
    async with open_runtime(
        database=config.depot.database,
        devices=devices,
        clock=clock,
        timezone=config.depot.timezone,
        thresholds=config.thresholds,
        default_setup=seed.production_setup,
        recordings_dir=config.depot.recordings_dir,
        notifier=Notifier(),
    ) as runtime:
        service = DepotService(runtime, depot_name=config.depot.name)
        async with contextlib.AsyncExitStack() as stack:
            if config.web.enabled:
                from appliance.desk import open_desk
                from web_ui.app import start_web

                desk = await stack.enter_async_context(
                    open_desk(
                        runtime.store,
                        service,
                        prompts_dir=config.depot.prompts_dir,
                        recordings_dir=config.depot.recordings_dir,
                        restart=restart,
                    )
                )
                runner = await start_web(
                    service, config.web.listen, config.web.port, desk=desk, config=config
                )
                stack.push_async_callback(runner.cleanup)
                log.info("web UI on http://%s:%d/", config.web.listen, config.web.port)
            await runtime.run(stop)
    if restart_asked:
        log.warning("depotline stopped to restart: a restore waits to be swapped in")
    return restart_asked

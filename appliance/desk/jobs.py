"""The desk's background jobs, run from `open_desk` now and then every so often: keeping the
report days ready, escalating tickets past their deadline, picking up the tracking export."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from appliance.store import StoreError

if TYPE_CHECKING:
    from appliance.desk.service import DeskService

log = logging.getLogger(__name__)


async def keep_reports_ready(desk: DeskService) -> None:
    """Keep the days a monthly report adds up ready in the background: at start (after an
    upgrade or a stop, the days not kept yet), after each midnight, and after a change of
    the service-level threshold or time zone (the days are folded again), so a supervisor
    opening a report seldom waits for it."""
    await desk.reports.prepare(desk.service.now())


async def keep_tickets_escalated(desk: DeskService) -> None:
    """The daemon's own escalation (限时办结): each ticket past its holder's deadline goes one
    level up, told on the owner's and the new holder's desk."""
    await desk.tickets.escalate_due()


async def pick_up_tracking_exports(desk: DeskService) -> None:
    """The depot's nightly tracking export, dropped in the tracking folder, is loaded."""
    await desk.waybills.pick_up()


async def every(
    every_s: float, job: Callable[[DeskService], Awaitable[None]], desk: DeskService
) -> None:
    """Run one of the desk's background jobs now and then every `every_s` seconds; a store
    that fails once is tried again the next time."""
    while True:
        try:
            await job(desk)
        except (StoreError, OSError) as error:
            log.warning("%s did not run: %s", job.__name__.replace("_", " "), error)
        await asyncio.sleep(every_s)

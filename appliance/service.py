"""The one interface the web UI (and the demo's simulated agents) use to read and steer the
running depot. Everything it returns is frozen data; commands carry the shell's clock."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator

from appliance.engine.commands import (
    Block,
    CommandRefused,
    Hold,
    Listen,
    LogIn,
    LogOut,
    Mute,
    Pause,
    PlaceCall,
    Ready,
    SetupChanged,
    StopListening,
    SummarySaved,
    ThreeWay,
    Transfer,
    TransferToQueue,
    Unhold,
)
from appliance.engine.commands import HangUp as HangUpCommand
from appliance.engine.records import AgentNotice, CallRecord, NoticeKind, NumberBlocked
from appliance.engine.setup import DepotSetup
from appliance.engine.views import AgentState, AgentView, CallStage, CallView, EngineSnapshot
from appliance.runtime import Runtime, day_start_s
from appliance.store import CallbackTask
from appliance.thresholds import with_levels
from appliance.updates import CallLogged, FiguresChanged, NoticeIssued, Update
from drivers.roles import AlertLevel, ListenMode, WallboardFigures

__all__ = [
    "AgentNotice",
    "AgentState",
    "AgentView",
    "AlertLevel",
    "CallLogged",
    "CallRecord",
    "CallStage",
    "CallView",
    "CallbackTask",
    "CommandRefused",
    "DepotService",
    "EngineSnapshot",
    "FiguresChanged",
    "ListenMode",
    "NoticeIssued",
    "NoticeKind",
    "Update",
    "WallboardFigures",
]


class DepotService:
    def __init__(self, runtime: Runtime, *, depot_name: str = "depotline") -> None:
        self._runtime = runtime
        self.depot_name = depot_name

    # -- reading ------------------------------------------------------------------------------

    def now(self) -> float:
        return self._runtime.now()

    def snapshot(self) -> EngineSnapshot:
        """Agents, calls and lines as they are now (座席监控)."""
        return self._runtime.snapshot()

    def line_ids(self) -> tuple[str, ...]:
        """The lines the box is wired with, whether in service now or not."""
        return self._runtime.line_ids

    def position_ids(self) -> tuple[str, ...]:
        """The agent positions the box is wired with, whether their phone is up or not."""
        return self._runtime.position_ids

    def figures(self) -> WallboardFigures:
        """Today's wallboard figures with their alert levels."""
        return self._runtime.compute_figures()

    def set_ticker(self, text: str) -> None:
        """Scroll `text` on the LED boards' ticker and the wallboard page (notices, awards)."""
        self._runtime.set_ticker(text)

    def queue_figures(self) -> dict[str, WallboardFigures]:
        """Per queue, in the setup's order: callers waiting, the longest wait, agents ready and
        on call with that skill, with alert levels by the LED board's thresholds."""
        snapshot = self.snapshot()
        setup = self.setup()
        skills = {agent.id: {queue for queue, _tier in agent.skills} for agent in setup.agents}
        figures: dict[str, WallboardFigures] = {}
        for queue in setup.queues:
            waits = [
                snapshot.time_s - (call.enqueued_s or call.arrived_s)
                for call in snapshot.calls
                if call.queue == queue.id and call.stage in (CallStage.QUEUED, CallStage.OFFERED)
            ]
            staff = [a for a in snapshot.agents if queue.id in skills.get(a.id, ())]
            counts = WallboardFigures(
                calls_waiting=len(waits),
                longest_wait_s=max(waits, default=0.0),
                agents_ready=sum(1 for a in staff if a.state is AgentState.READY),
                agents_on_call=sum(1 for a in staff if a.state is AgentState.ON_CALL),
            )
            figures[queue.id] = with_levels(counts, self._runtime.thresholds)
        return figures

    def subscribe(self) -> AsyncGenerator[Update, None]:
        """Updates as they happen: figures changed, agent notices, calls logged. Starts with
        the current figures; ends when the daemon stops."""
        return self._runtime.updates()

    def setup(self) -> DepotSetup:
        return self._runtime.setup

    async def calls_today(self, *, limit: int = 200) -> list[CallRecord]:
        """Today's call records, newest first."""
        now = self.now()
        start_s = day_start_s(self._runtime.timezone, now)
        records = await self._runtime.store.calls(start_s, now + 1.0, limit=10_000)
        return sorted(records, key=lambda r: r.ended_s, reverse=True)[:limit]

    async def callback_tasks(self) -> list[CallbackTask]:
        return await self._runtime.store.open_callback_tasks()

    async def blacklist(self) -> list[str]:
        return await self._runtime.store.blacklist()

    async def check_pin(self, agent: str, pin: str) -> bool:
        return await self._runtime.store.check_pin(agent, pin)

    # -- commands: each returns once the engine has handled it and its actions are done, or
    # raises CommandRefused (a ValueError) saying why it cannot apply now ---------------------

    async def log_in(self, agent: str, position: str) -> None:
        """CommandRefused for a position the box is not wired with ("座席9" on a box with
        pos1 and pos2): no phone would ever ring there."""
        if position not in self._runtime.position_ids:
            raise CommandRefused(f"there is no position {position!r} on this box")
        await self._runtime.submit(LogIn(self.now(), agent, position))

    async def log_out(self, agent: str) -> None:
        await self._runtime.submit(LogOut(self.now(), agent))

    async def pause(self, agent: str, reason: str = "break") -> None:
        await self._runtime.submit(Pause(self.now(), agent, reason))

    async def ready(self, agent: str) -> None:
        """CommandRefused while the agent's wrap-up waits for a call summary the queue
        requires (summary_saved ends it)."""
        await self._runtime.submit(Ready(self.now(), agent))

    async def force_ready(self, agent: str, *, by: str) -> None:
        """A supervisor makes the agent ready, also ending a wrap-up waiting for a summary."""
        await self._runtime.submit(Ready(self.now(), agent, by))

    async def force_pause(self, agent: str, reason: str, *, by: str) -> None:
        """A supervisor pauses the agent, also ending a wrap-up waiting for a summary."""
        await self._runtime.submit(Pause(self.now(), agent, reason, by))

    async def summary_saved(self, agent: str, call_id: str) -> None:
        """The desk saved the agent's 通话小结 of `call_id` (a wrap-up waiting for it may end)."""
        await self._runtime.submit(SummarySaved(self.now(), agent, call_id))

    async def hold(self, agent: str) -> None:
        await self._runtime.submit(Hold(self.now(), agent))

    async def unhold(self, agent: str) -> None:
        await self._runtime.submit(Unhold(self.now(), agent))

    async def mute(self, agent: str) -> None:
        await self._runtime.submit(Mute(self.now(), agent))

    async def transfer(self, agent: str, to_agent: str) -> None:
        await self._runtime.submit(Transfer(self.now(), agent, to_agent))

    async def transfer_to_queue(self, agent: str, queue: str) -> None:
        """转队列: the agent's caller joins another queue's line; CommandRefused for a queue
        that does not exist or would not take the caller now (closed, full, nobody there)."""
        await self._runtime.submit(TransferToQueue(self.now(), agent, queue))

    async def hang_up(self, agent: str) -> None:
        await self._runtime.submit(HangUpCommand(self.now(), agent))

    async def block_caller(self, agent: str) -> None:
        """闭塞: busy tone for the caller on the agent's call, number on the blacklist."""
        await self._runtime.submit(Block(self.now(), agent))

    async def three_way(self, agent: str, with_agent: str) -> None:
        """三通: bring another agent into the call."""
        await self._runtime.submit(ThreeWay(self.now(), agent, with_agent))

    async def listen_in(self, supervisor: str, agent: str, mode: ListenMode) -> None:
        """监听: listen, whisper or barge into an agent's call."""
        await self._runtime.submit(Listen(self.now(), supervisor, agent, mode))

    async def stop_listening(self, supervisor: str) -> None:
        await self._runtime.submit(StopListening(self.now(), supervisor))

    async def place_call(
        self, agent: str, number: str, *, purpose: str = "click_to_dial", task_id: str = ""
    ) -> None:
        await self._runtime.submit(PlaceCall(self.now(), agent, number, purpose, task_id))

    async def block_number(self, number: str, *, by: str) -> None:
        """A supervisor puts a number on the blacklist: kept (one transaction on its one
        home, the blacklist table), then refused from now on."""
        await self._runtime.store.record([NumberBlocked(number, by, "", self.now())])
        await self._blacklist_changed()

    async def unblock_number(self, number: str) -> bool:
        """Take a number off the blacklist (one transaction); False if it was not on it."""
        removed = await self._runtime.store.unblock(number)
        await self._blacklist_changed()
        return removed

    async def _blacklist_changed(self) -> None:
        """The engine is handed the blacklist as its table holds it now (nothing is saved)."""
        blacklist = tuple(await self._runtime.store.blacklist())
        if blacklist != self._runtime.setup.blacklist:
            setup = dataclasses.replace(self._runtime.setup, blacklist=blacklist)
            self._runtime.setup = setup
            await self._runtime.submit(SetupChanged(self.now(), setup))

    async def calls_from(self, number: str, *, limit: int = 20) -> list[CallRecord]:
        """A caller's past calls, newest first (the screen pop's history)."""
        return await self._runtime.store.calls_from(number, limit=limit)

    async def assign_callback_task(self, task_id: str, agent: str) -> bool:
        return await self._runtime.store.assign_callback_task(task_id, agent)

    async def change_setup(self, setup: DepotSetup) -> None:
        """New call-handling settings: saved, then handed to the engine. The blacklist is not
        a setting: it stays as its table holds it (block_number, unblock_number)."""
        await self._runtime.store.save_setup(setup)
        blacklist = tuple(await self._runtime.store.blacklist())
        setup = dataclasses.replace(setup, blacklist=blacklist)
        self._runtime.setup = setup
        await self._runtime.submit(SetupChanged(self.now(), setup))

"""The real Engine between a rig's SIP lines and positions, as the shell wires it: events in,
actions carried out on the drivers, records kept, ticks when a timer is due."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from appliance.engine.engine import Engine
from drivers.roles import LineAction, MediaAction, PositionAction


class EngineLoop:
    def __init__(self, rig: Any, engine: Engine, on_media: Callable[[Any], None] | None = None):
        self.rig = rig
        self.engine = engine
        self.on_media = on_media  # told of each media action after it is carried out
        self.records: list[object] = []  # queue log entries, CDRs, notices: everything else
        self.performed: list[str] = []
        self._seen = 0

    async def carry_out(self, event: Any) -> None:
        for action in self.engine.handle(event):
            self.performed.append(type(action).__name__)
            if isinstance(action, LineAction):
                await self.rig.lines.perform(action)
            elif isinstance(action, PositionAction):
                await self.rig.positions.perform(action)
            elif isinstance(action, MediaAction):
                await self.rig.bridge.perform(action)
                if self.on_media is not None:
                    self.on_media(action)
            else:
                self.records.append(action)

    async def run_until(self, done: Callable[[], bool], timeout_s: float = 30.0) -> None:
        """Feed the driver's events and due ticks to the engine until `done()`."""
        from appliance.engine.commands import Tick

        deadline = asyncio.get_running_loop().time() + timeout_s
        while not done():
            assert asyncio.get_running_loop().time() < deadline, self.performed
            events = self.rig.engine.events
            while self._seen < len(events):
                await self.carry_out(events[self._seen])
                self._seen += 1
            due = self.engine.next_deadline()
            if due is not None and due <= time.time():
                await self.carry_out(Tick(time.time()))
            await self.rig.engine.next_change(0.05)

"""The real Engine between a rig's SIP lines and positions (and any other line drivers, such as a
modem line), as the shell wires it: events in, actions carried out on the drivers, records
kept, ticks when a timer is due."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from appliance.engine.engine import Engine
from appliance.engine.records import CallEnded, QueueLogEntry, Verb
from drivers.roles import LineAction, LineDriver, MediaAction, PositionAction


class EngineLoop:
    def __init__(
        self,
        rig: Any,
        engine: Engine,
        on_media: Callable[[Any], None] | None = None,
        other_lines: Sequence[LineDriver] = (),
    ):
        self.rig = rig
        self.engine = engine
        self.on_media = on_media  # told of each media action after it is carried out
        self.other_lines = other_lines  # lines that are not the rig's SIP lines
        self.records: list[object] = []  # queue log entries, CDRs, notices: everything else
        self.performed: list[str] = []
        self._seen = 0

    def log_of(self, verb: Verb) -> list[QueueLogEntry]:
        """The queue-log rows of `verb` written so far."""
        return [r for r in self.records if isinstance(r, QueueLogEntry) and r.verb is verb]

    def ended(self) -> list[CallEnded]:
        """The call records written so far."""
        return [r for r in self.records if isinstance(r, CallEnded)]

    async def carry_out(self, event: Any) -> None:
        for action in self.engine.handle(event):
            self.performed.append(type(action).__name__)
            if isinstance(action, LineAction):
                driver = next(
                    (d for d in self.other_lines if action.line in d.line_ids), self.rig.lines
                )
                await driver.perform(action)
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

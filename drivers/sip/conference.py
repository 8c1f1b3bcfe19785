"""Keeps pjsua2's conference bridge wired as a MixPlan says: applies the difference between the
connections wanted and those made, and reads back who hears whom. Runs on the pjsua thread."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from drivers.sip.mixing import Edge, MixPlan, wanted_edges

log = logging.getLogger(__name__)

# name, as_sink → the AudioMedia that port name stands for now, or None
PortLookup = Callable[[str, bool], Any]


class Conference:
    def __init__(self, port: PortLookup) -> None:
        self._port = port
        # Connections made, with the bridge slot ids they were made between: a port that was
        # replaced (new call media, new player) has new ids, so its edges are made again.
        self._made: dict[Edge, tuple[int, int]] = {}

    def apply(self, plan: MixPlan) -> None:
        wanted = wanted_edges(plan)
        for edge, ids in list(self._made.items()):
            src, dst = self._port(edge[0], False), self._port(edge[1], True)
            current = (src.getPortId(), dst.getPortId()) if src and dst else None
            if edge in wanted and current == ids:
                continue
            del self._made[edge]
            if current == ids and src is not None:
                with contextlib.suppress(Exception):
                    src.stopTransmit(dst)
        for edge in wanted - set(self._made):
            src, dst = self._port(edge[0], False), self._port(edge[1], True)
            if src is None or dst is None:
                continue
            try:
                src.startTransmit(dst)
            except Exception as error:
                log.error("bridge cannot connect %s to %s: %s", edge[0], edge[1], error)
                continue
            self._made[edge] = (src.getPortId(), dst.getPortId())

    def forget(self, name: str) -> None:
        """A port is about to go: its connections go with it, without stopTransmit."""
        for edge in [e for e in self._made if name in e]:
            del self._made[edge]

    def clear(self) -> None:
        self._made.clear()

    def links(self, names: Iterable[str]) -> set[Edge]:
        """Who hears whom as pjsua2 reports it, by port name."""
        names = list(names)
        by_id: dict[int, str] = {}
        for name in names:
            sink = self._port(name, True)
            if sink is not None:
                by_id[sink.getPortId()] = name
        links = set()
        for name in names:
            source = self._port(name, False)
            if source is None:
                continue
            info = source.getPortInfo()  # keep it: its listener vector dies with it (SWIG)
            for listener in info.listeners:
                links.add((name, by_id.get(int(listener), f"port {listener}")))
        return links

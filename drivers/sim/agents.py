"""Simulated agents at simulated positions: log in and out on shifts, answer offers after a short
delay (and sometimes miss one), talk for a random handle time, take pauses."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Protocol

from drivers.roles import Clock
from drivers.sim.positions import PhoneRang, PhoneStopped, SimulatedPositions
from drivers.sim.transcript import Transcript

log = logging.getLogger(__name__)


class AgentDesk(Protocol):
    """What an agent does besides the phone: the web page's or desk panel's buttons. The shell
    provides it (demo mode: appliance.service)."""

    async def log_in(self, agent: str, position: str) -> None: ...

    async def log_out(self, agent: str) -> None: ...

    async def pause(self, agent: str, reason: str) -> None: ...

    async def ready(self, agent: str) -> None: ...


@dataclass(frozen=True, slots=True)
class AgentProfile:
    agent: str
    position: str
    shift_on_s: float = 0.0  # logged in this long, then off for shift_off_s; 0 = always on
    shift_off_s: float = 0.0


@dataclass(frozen=True, slots=True)
class AgentHabits:
    """How agents behave. Times are simulated seconds."""

    answer_delay_s: tuple[float, float] = (1.0, 4.0)
    mean_handle_s: float = 150.0  # talk time (exponential around this mean, at least 20 s)
    miss_share: float = 0.05  # let an offer ring out
    pause_share: float = 0.08  # take a break after a call
    mean_pause_s: float = 240.0
    notice_paused_s: float = 20.0  # after a missed offer, press Ready again after this long


class SimulatedAgents:
    """Plays the agents' part: one task per agent."""

    def __init__(
        self,
        positions: SimulatedPositions,
        desk: AgentDesk,
        profiles: tuple[AgentProfile, ...],
        habits: AgentHabits = AgentHabits(),
        *,
        clock: Clock,
        speed: float = 1.0,
        seed: int = 0,
        transcript: Transcript | None = None,
    ) -> None:
        self._positions = positions
        self._desk = desk
        self._profiles = profiles
        self._habits = habits
        self._clock = clock
        self._speed = speed
        self._random = random.Random(seed)
        self._phones: dict[str, asyncio.Queue[PhoneRang | PhoneStopped]] = {
            p.position: asyncio.Queue() for p in profiles
        }
        self.transcript = transcript if transcript is not None else positions.transcript
        self.calls_answered = 0
        self.offers_missed = 0
        positions.listen(self._heard)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            for profile in self._profiles:
                group.create_task(self._agent(profile))

    async def _agent(self, profile: AgentProfile) -> None:
        phone = self._phones[profile.position]
        shift_ends_s: float | None = None
        logged_in = False
        while True:
            if not logged_in:
                await self._desk.log_in(profile.agent, profile.position)
                self.transcript.add(f"agent {profile.agent} logs in at {profile.position}")
                logged_in = True
                if profile.shift_on_s > 0:
                    shift_ends_s = self._clock() + profile.shift_on_s
            timeout_s = None
            if shift_ends_s is not None:
                timeout_s = max(0.0, shift_ends_s - self._clock()) / self._speed
            try:
                news = await asyncio.wait_for(phone.get(), timeout_s)
            except TimeoutError:
                await self._desk.log_out(profile.agent)
                self.transcript.add(f"agent {profile.agent} logs out (end of shift)")
                logged_in = False
                await self._sleep(profile.shift_off_s)
                _drain(phone)
                continue
            if isinstance(news, PhoneRang):
                await self._offered(profile, phone)

    async def _offered(
        self, profile: AgentProfile, phone: asyncio.Queue[PhoneRang | PhoneStopped]
    ) -> None:
        habits = self._habits
        position = profile.position
        if self._random.random() < habits.miss_share:
            self.offers_missed += 1
            self.transcript.add(f"agent {profile.agent} lets {position} ring")
            await self._sleep(habits.notice_paused_s)
            await self._desk.ready(profile.agent)
            return
        await self._sleep(self._random.uniform(*habits.answer_delay_s))
        if not self._positions.answer(position):
            return  # the offer was withdrawn while the agent reached for the phone
        self.calls_answered += 1
        handle_s = max(20.0, self._random.expovariate(1.0 / habits.mean_handle_s))
        try:
            await asyncio.wait_for(self._until_stopped(phone), handle_s / self._speed)
        except TimeoutError:
            self._positions.hang_up(position)
        if self._random.random() < habits.pause_share:
            await self._desk.pause(profile.agent, "break")
            self.transcript.add(f"agent {profile.agent} takes a break")
            await self._sleep(self._random.expovariate(1.0 / habits.mean_pause_s))
            await self._desk.ready(profile.agent)

    async def _until_stopped(self, phone: asyncio.Queue[PhoneRang | PhoneStopped]) -> None:
        while not isinstance(await phone.get(), PhoneStopped):
            pass

    def _heard(self, news: PhoneRang | PhoneStopped) -> None:
        queue = self._phones.get(news.position)
        if queue is not None:
            queue.put_nowait(news)

    async def _sleep(self, sim_s: float) -> None:
        await asyncio.sleep(sim_s / self._speed)


def _drain(queue: asyncio.Queue[PhoneRang | PhoneStopped]) -> None:
    while not queue.empty():
        queue.get_nowait()

"""排班: shifts per agent per day on a Monday–Sunday grid, held against the agents needed per
hour for the service-level target (Erlang C with wrap-up, from the box's own history), and
login adherence: the share of each agent's scheduled time they were logged in."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import FormError
from appliance.desk.periods import Period, week_of
from appliance.desk.reports import Staffing
from appliance.engine.records import QueueLogEntry, Verb
from appliance.service import DepotService
from appliance.store import Store, roster
from appliance.store.desk_store import DeskStore
from appliance.store.roster import Shifts

DAY_MIN = 1440
LOGIN_LOOKBACK_S = 86_400.0  # who was logged in when the week began is read from the day before
_SHIFT = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
OFF_WORDS = ("", "休", "off", "-")


class ShiftError(FormError):
    """A cell of the grid that is not shifts: names the agent and day."""

    def __init__(self, agent: str, day: dt.date) -> None:
        super().__init__("shift", "shift_format")
        self.agent = agent
        self.day = day


def parse_shifts(text: str) -> Shifts:
    """`08:00-12:00 14:00-18:00` (space, comma or 、 between shifts; 24:00 ends the day); empty,
    休 or off is a day off. ValueError for anything else or overlapping shifts."""
    cleaned = text.strip().replace("，", " ").replace(",", " ").replace("、", " ")
    if cleaned.lower() in OFF_WORDS:
        return ()
    shifts = []
    for token in cleaned.split():
        found = _SHIFT.match(token)
        if found is None:
            raise ValueError(token)
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 >= 60 or m2 >= 60 or not 0 <= start < end <= DAY_MIN:
            raise ValueError(token)
        shifts.append((start, end))
    shifts.sort()
    if any(a[1] > b[0] for a, b in itertools.pairwise(shifts)):
        raise ValueError(text)
    return tuple(shifts)


def shifts_text(shifts: Shifts) -> str:
    return " ".join(f"{_clock(start)}-{_clock(end)}" for start, end in shifts)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def on_shift_at(shifts: Shifts, minute: int) -> bool:
    return any(start <= minute < end for start, end in shifts)


@dataclass(frozen=True, slots=True)
class HourCover:
    """One hour of the day, day by day: agents needed (from the history's days of that
    weekday) and agents on shift at half past."""

    hour: int
    needed: tuple[int, ...]
    scheduled: tuple[int, ...]

    @property
    def short(self) -> tuple[bool, ...]:
        return tuple(n < need for n, need in zip(self.scheduled, self.needed, strict=True))


@dataclass(frozen=True, slots=True)
class Adherence:
    agent: str
    name: str
    scheduled_s: float  # scheduled time of the week up to now
    logged_in_s: float  # of which logged in
    share: float | None  # None when nothing was scheduled yet


@dataclass(frozen=True, slots=True)
class RosterWeek:
    week: Period
    days: tuple[dt.date, ...]
    agents: tuple[tuple[str, str], ...]  # (工号, name)
    shifts: dict[tuple[str, dt.date], Shifts]
    cover: tuple[HourCover, ...]
    adherence: tuple[Adherence, ...]
    staffing: Staffing

    def cell(self, agent: str, day: dt.date) -> str:
        return shifts_text(self.shifts.get((agent, day), ()))


def cover_by_hour(
    shifts: dict[tuple[str, dt.date], Shifts], days: tuple[dt.date, ...], staffing: Staffing
) -> tuple[HourCover, ...]:
    return tuple(
        HourCover(
            hour,
            tuple(staffing.by_weekday[day.weekday()][hour] for day in days),
            tuple(
                sum(
                    1
                    for (_a, d), s in shifts.items()
                    if d == day and on_shift_at(s, hour * 60 + 30)
                )
                for day in days
            ),
        )
        for hour in range(24)
    )


def logged_in_spans(
    entries: Iterable[QueueLogEntry], until_s: float
) -> dict[str, list[tuple[float, float]]]:
    """Each agent's logged-in spans from AGENTLOGIN to AGENTLOGOFF; a daemon start ends them
    all (nobody is logged in after a restart); a span still open ends at `until_s`."""
    opened: dict[str, float] = {}
    spans: dict[str, list[tuple[float, float]]] = {}
    for entry in entries:
        if entry.verb is Verb.AGENTLOGIN:
            opened.setdefault(entry.agent, entry.time_s)
        elif entry.verb is Verb.AGENTLOGOFF and entry.agent in opened:
            spans.setdefault(entry.agent, []).append((opened.pop(entry.agent), entry.time_s))
        elif entry.verb is Verb.QUEUESTART:
            for agent, since_s in opened.items():
                spans.setdefault(agent, []).append((since_s, entry.time_s))
            opened.clear()
    for agent, since_s in opened.items():
        spans.setdefault(agent, []).append((since_s, until_s))
    return spans


def _overlap_s(a: tuple[float, float], spans: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(a[1], end) - max(a[0], start)) for start, end in spans)


class RosterDesk:
    def __init__(
        self, store: Store, db: DeskStore, service: DepotService, audit: AuditTrail
    ) -> None:
        self._store = store
        self._db = db
        self._service = service
        self._audit = audit

    def _zone(self) -> str:
        return self._service.setup().hours.timezone

    def _agents(self) -> tuple[tuple[str, str], ...]:
        return tuple((a.id, a.name) for a in self._service.setup().agents)

    async def week(self, day: dt.date, staffing: Staffing) -> RosterWeek:
        period = week_of(day, self._zone())
        days = tuple(period.first_day + dt.timedelta(days=n) for n in range(7))
        shifts = await self._db.read(
            lambda c: roster.shifts_between(c, period.first_day, period.last_day)
        )
        return RosterWeek(
            period,
            days,
            self._agents(),
            shifts,
            cover_by_hour(shifts, days, staffing),
            await self.adherence(period),
            staffing,
        )

    async def adherence(self, period: Period) -> tuple[Adherence, ...]:
        """Login adherence over any period (a week, a calendar month)."""
        return await login_adherence(
            self._store, period, self._agents(), self._zone(), self._service.now()
        )

    async def save_week(self, who: SignedIn, day: dt.date, form: dict[str, str]) -> None:
        """Cells shift_<agent>_<YYYY-MM-DD> of the week; a cell left out of the form is kept."""
        period = week_of(day, self._zone())
        changed: dict[tuple[str, dt.date], Shifts] = {}
        for agent, _name in self._agents():
            for n in range(7):
                when = period.first_day + dt.timedelta(days=n)
                text = form.get(f"shift_{agent}_{when.isoformat()}")
                if text is None:
                    continue
                try:
                    changed[(agent, when)] = parse_shifts(text)
                except ValueError:
                    raise ShiftError(agent, when) from None
        await self._db.write(lambda c: roster.put(c, changed))
        await self._audit(who, "roster.save", period.key, str(len(changed)))


async def login_adherence(
    store: Store,
    period: Period,
    agents: tuple[tuple[str, str], ...],
    timezone: str,
    now_s: float,
) -> tuple[Adherence, ...]:
    """Each agent's share of the period's scheduled time (up to now) spent logged in."""
    count = (period.last_day - period.first_day).days + 1
    days = tuple(period.first_day + dt.timedelta(days=n) for n in range(count))
    shifts = await store.reading(lambda c: roster.shifts_between(c, days[0], days[-1]))
    zone = ZoneInfo(timezone)
    entries = await store.queue_log(period.start_s - LOGIN_LOOKBACK_S, period.end_s)
    spans = logged_in_spans(entries, min(now_s, period.end_s))
    found = []
    for agent, name in agents:
        scheduled_s = logged_s = 0.0
        for day in days:
            for start, end in shifts.get((agent, day), ()):
                span = (_at(day, start, zone), min(_at(day, end, zone), now_s))
                if span[1] <= span[0]:
                    continue
                scheduled_s += span[1] - span[0]
                logged_s += _overlap_s(span, spans.get(agent, []))
        share = logged_s / scheduled_s if scheduled_s > 0 else None
        found.append(Adherence(agent, name, scheduled_s, logged_s, share))
    return tuple(found)


def _at(day: dt.date, minute: int, zone: ZoneInfo) -> float:
    midnight = dt.datetime.combine(day, dt.time(), zone)
    whole = midnight + dt.timedelta(minutes=minute)
    # the same wall clock on a day with a clock change: build the local time, not add minutes
    return dt.datetime.combine(whole.date(), whole.time(), zone).timestamp()

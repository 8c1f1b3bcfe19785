"""Reports by calendar period — a day, Monday–Sunday week, calendar month or month so far —
with agent names beside 工号 and satisfaction, for `depotline report` and the reports page.
The same reducer and kept days as the web reports (`DepotReports`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from appliance.desk.periods import days_of, report_days, today
from appliance.desk.reports import DepotReports
from appliance.desk.roster import login_adherence
from appliance.engine.records import CallRecord, QueueLogEntry, Verb
from appliance.stats.figures import CallFigures
from appliance.store import Store, StoreError, period_records, queue_names, targets


@dataclasses.dataclass(frozen=True, slots=True)
class Satisfaction:
    """The post-call survey (1–5) over the answered inbound calls of a period."""

    answered_calls: int
    responses: int
    response_rate: float | None
    mean_score: float | None
    share_4_5: float | None  # of the responses


def satisfaction(calls: list[CallRecord]) -> Satisfaction:
    answered = [c for c in calls if c.direction == "in" and c.agent and c.connected_s is not None]
    scores = [c.survey_score for c in answered if c.survey_score is not None]
    return Satisfaction(
        len(answered),
        len(scores),
        len(scores) / len(answered) if answered else None,
        sum(scores) / len(scores) if scores else None,
        sum(1 for s in scores if s >= 4) / len(scores) if scores else None,
    )


PAUSE_LOOKBACK_S = 86_400.0  # pauses running when the period began are read from the day before
FCR_WINDOW_S = 72 * 3600.0  # a call resolved at first contact: no repeat call this soon
TICKET_ON_TIME_S = 24 * 3600.0  # resolved before it would go up to the shift lead (班长)
CALLBACK_ON_TIME_S = 3 * 86_400.0  # the manuals: callbacks done within 3 days


@dataclasses.dataclass(frozen=True, slots=True)
class RecordFigures:
    """What the desk recorded in a period, beside the call figures."""

    by_kind: dict[str, int]
    complaints: list[tuple[str, str, int]]  # (category, department, tickets)
    tickets_on_time: tuple[int, int]  # (resolved within 24 h, counted)
    callbacks_on_time: tuple[int, int]  # (done within 3 days, counted)
    first_contact: tuple[int, int]  # (answered calls with no repeat call in the window, counted)
    fcr_window_s: float
    outbound: tuple[int, int]  # (outbound calls, answered)
    paused_s: dict[str, float]  # seconds paused by reason


def first_contact(
    calls: list[CallRecord], later: list[CallRecord], window_s: float
) -> tuple[int, int]:
    """Answered inbound calls from a known number, and those with no other inbound call from
    that number within `window_s` after (`later` reaches past the period by the window)."""
    arrivals: dict[str, list[float]] = {}
    for call in later:
        if call.direction == "in" and call.number:
            arrivals.setdefault(call.number, []).append(call.arrived_s)
    counted = resolved = 0
    for call in calls:
        if call.direction != "in" or not call.number or not call.agent or call.connected_s is None:
            continue
        counted += 1
        again = any(
            call.arrived_s < t <= call.arrived_s + window_s for t in arrivals.get(call.number, ())
        )
        resolved += not again
    return resolved, counted


def pause_by_reason(entries: list[QueueLogEntry], start_s: float, end_s: float) -> dict[str, float]:
    """Seconds paused in [start_s, end_s) by reason: PAUSE until UNPAUSE, the agent's logoff
    or a daemon start (the entries reach back before the period to see pauses running)."""
    since: dict[str, tuple[str, float]] = {}
    paused: dict[str, float] = {}

    def end(agent: str, time_s: float) -> None:
        reason, from_s = since.pop(agent)
        seconds = min(time_s, end_s) - max(from_s, start_s)
        if seconds > 0:
            paused[reason] = paused.get(reason, 0.0) + seconds

    for entry in entries:
        if entry.verb is Verb.PAUSE:
            if entry.agent in since:
                end(entry.agent, entry.time_s)  # a new reason while paused
            since[entry.agent] = (entry.data[0] if entry.data else "", entry.time_s)
        elif entry.verb in (Verb.UNPAUSE, Verb.AGENTLOGOFF) and entry.agent in since:
            end(entry.agent, entry.time_s)
        elif entry.verb is Verb.QUEUESTART:
            for agent in list(since):
                end(agent, entry.time_s)
    for agent in list(since):
        end(agent, end_s)
    return dict(sorted(paused.items()))


class PeriodReports:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def names(self) -> dict[str, str]:
        """工号 → name: the people who sign in, and the agents of the setup."""
        names = {user.agent_id: user.name for user in await self._store.users()}
        setup = await self._store.load_setup()
        return names | ({a.id: a.name for a in setup.agents} if setup else {})

    async def queue_names(self, language: str) -> dict[str, str]:
        """Queue code → name in `language` (zh-CN or en) for every queue the depot has had: a
        queue's name today, a retired queue's the last it had (docs/figures.md, "Queue
        names")."""
        names = await self._store.reading(queue_names.last_names)
        return {code: zh if language == "zh-CN" else en for code, (zh, en) in names.items()}

    async def satisfaction(
        self, reports: DepotReports, first: dt.date, last: dt.date
    ) -> tuple[Satisfaction, dict[str, Satisfaction]]:
        """The period's satisfaction, and each agent's."""
        start_s, _ = reports.day_bounds(first)
        _, end_s = reports.day_bounds(last)
        calls = await self._store.calls(start_s, end_s, limit=10_000_000)
        agents = {c.agent for c in calls if c.agent}
        return satisfaction(calls), {
            agent: satisfaction([c for c in calls if c.agent == agent]) for agent in agents
        }

    async def records(
        self,
        reports: DepotReports,
        first: dt.date,
        last: dt.date,
        now_s: float,
        *,
        fcr_window_s: float = FCR_WINDOW_S,
    ) -> RecordFigures:
        start_s, _ = reports.day_bounds(first)
        _, end_s = reports.day_bounds(last)
        by_kind = await self._store.reading(
            lambda c: period_records.records_by_kind(c, start_s, end_s)
        )
        complaints = await self._store.reading(
            lambda c: period_records.complaints(c, start_s, end_s)
        )
        tickets = await self._store.reading(
            lambda c: targets.ticket_timeliness(c, start_s, end_s, TICKET_ON_TIME_S, now_s)
        )
        callbacks = await self._store.reading(
            lambda c: period_records.callback_timeliness(
                c, start_s, end_s, CALLBACK_ON_TIME_S, now_s
            )
        )
        calls = await self._store.calls(start_s, end_s, limit=10_000_000)
        later = await self._store.calls(start_s, end_s + fcr_window_s, limit=10_000_000)
        outbound = [c for c in calls if c.direction == "out"]
        entries = await self._store.queue_log(start_s - PAUSE_LOOKBACK_S, end_s)
        # now_s bounds a period that is still going on
        return RecordFigures(
            by_kind,
            complaints,
            (sum(d for d, _c in tickets.values()), sum(c for _d, c in tickets.values())),
            callbacks,
            first_contact(calls, later, fcr_window_s),
            fcr_window_s,
            (len(outbound), sum(1 for c in outbound if c.connected_s is not None)),
            pause_by_reason(entries, start_s, min(end_s, now_s)),
        )

    async def as_json(
        self,
        period: str,
        day: dt.date | None,
        now_s: float,
        *,
        fcr_window_s: float = FCR_WINDOW_S,
    ) -> dict[str, Any]:
        """The period's figures with the keys docs/figures.md lists."""
        setup = await self._store.load_setup()
        if setup is None:
            raise StoreError("the database has no depot setup yet: start depotline on it once")
        timezone = setup.hours.timezone
        first, last = report_days(period, day or today(now_s, timezone), timezone, now_s)
        threshold_s = min((queue.sl_threshold_s for queue in setup.queues), default=20.0)
        reports = DepotReports(self._store, timezone=timezone, sl_threshold_s=threshold_s)
        figures = await reports.report(last, (last - first).days + 1, now_s)
        overall, by_agent = await self.satisfaction(reports, first, last)
        names = await self.names()
        adherence = {
            a.agent: a.share
            for a in await login_adherence(
                self._store,
                days_of(first, last, timezone),
                tuple((a.id, a.name) for a in setup.agents),
                timezone,
                now_s,
            )
        }
        queue_names_ever = await self._store.reading(queue_names.last_names)
        recorded = await self.records(reports, first, last, now_s, fcr_window_s=fcr_window_s)
        agents = []
        for agent in figures.by_agent:
            entry: dict[str, Any] = {"agent_id": agent.agent, "name": names.get(agent.agent, "")}
            entry |= {
                k: v for k, v in dataclasses.asdict(agent).items() if k not in ("agent", "state")
            }
            entry["satisfaction"] = dataclasses.asdict(by_agent.get(agent.agent, satisfaction([])))
            entry["adherence"] = adherence.get(agent.agent)
            agents.append(entry)
        return {
            "period": {
                "kind": period,
                "first_day": first.isoformat(),
                "last_day": last.isoformat(),
                "timezone": timezone,
                "sl_threshold_s": threshold_s,
            },
            "totals": _figures(figures.totals),
            "occupancy": figures.occupancy,
            "queues": [
                {
                    "queue": queue,
                    "name": queue_names_ever.get(queue, (queue, queue))[0],
                    "name_en": queue_names_ever.get(queue, (queue, queue))[1],
                    **_figures(f),
                }
                for queue, f in figures.by_queue
            ],
            "days": [{"day": d.isoformat(), **_figures(f)} for d, f in figures.by_day],
            "hours": [{"hour": h, **_figures(f)} for h, f in figures.by_hour],
            "agents": agents,
            "satisfaction": dataclasses.asdict(overall),
            "records": {
                "by_kind": recorded.by_kind,
                "complaints": [
                    {"category": c, "department": d, "tickets": n}
                    for c, d, n in recorded.complaints
                ],
                "tickets_on_time": _timeliness(recorded.tickets_on_time),
                "callbacks_on_time": _timeliness(recorded.callbacks_on_time),
            },
            "first_contact_resolution": {
                "window_h": recorded.fcr_window_s / 3600,
                **_timeliness(recorded.first_contact, "resolved"),
            },
            "outbound": {"calls": recorded.outbound[0], "answered": recorded.outbound[1]},
            "paused_s_by_reason": recorded.paused_s,
        }


def _figures(figures: CallFigures) -> dict[str, Any]:
    return dataclasses.asdict(figures)


def _timeliness(pair: tuple[int, int], name: str = "on_time") -> dict[str, Any]:
    done, counted = pair
    return {name: done, "counted": counted, "share": done / counted if counted else None}

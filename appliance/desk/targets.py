"""Targets and rankings: each agent's monthly answer target (their own, else their tier's) with
progress, and 周之星 (week) and 金话筒 (month) ranked by a weighted sum of the period's figures
— answered calls, 质检 score, satisfaction, ticket and callback timeliness, login adherence —
kept per period when announced on the LED ticker and the wallboard page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import FormError, ascii_digits
from appliance.desk.period_report import CALLBACK_ON_TIME_S, TICKET_ON_TIME_S
from appliance.desk.periods import Period, day_named, month_of, week_of
from appliance.desk.roster import RosterDesk
from appliance.service import DepotService
from appliance.store import Store, notices, quality, targets
from appliance.store.desk_store import DeskStore
from appliance.store.targets import KeptRanking

FIGURES = ("answered", "quality", "satisfaction", "tickets", "callbacks", "adherence")
MAX_TARGET_CALLS = 100_000
MAX_WEIGHT = 100
KINDS = ("week", "month")  # 周之星, 金话筒


@dataclass(frozen=True, slots=True)
class TargetProgress:
    agent: str
    name: str
    target: int | None
    source: str  # "agent", "tier" or "" (no target)
    answered: int

    @property
    def share(self) -> float | None:
        return self.answered / self.target if self.target else None


@dataclass(frozen=True, slots=True)
class RankedAgent:
    """An agent's place: the score and each figure on its 0–100 scale (None: no data, counts
    0). `raw` keeps the figures as counted (answered calls, mean survey score …)."""

    rank: int
    agent: str
    name: str
    score: float
    values: tuple[float | None, ...]
    raw: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ranking:
    kind: str
    period: Period
    weights: tuple[tuple[str, int], ...]
    rows: tuple[RankedAgent, ...]
    kept: KeptRanking | None  # as announced, if it was


def score_of(values: tuple[float | None, ...], weights: tuple[tuple[str, int], ...]) -> float:
    """Σ weight × value ÷ Σ weights, a figure with no data counting 0."""
    total = sum(weight for _name, weight in weights)
    by_name = dict(zip(FIGURES, values, strict=True))
    if total <= 0:
        return 0.0
    return sum(weight * (by_name.get(name) or 0.0) for name, weight in weights) / total


def _share(pair: tuple[int, int] | None) -> float | None:
    return 100.0 * pair[0] / pair[1] if pair and pair[1] else None


class TargetsDesk:
    def __init__(
        self,
        store: Store,
        db: DeskStore,
        service: DepotService,
        audit: AuditTrail,
        *,
        roster: RosterDesk,
    ) -> None:
        self._store = store
        self._db = db
        self._service = service
        self._roster = roster
        self._audit = audit

    def _zone(self) -> str:
        return self._service.setup().hours.timezone

    def _agents(self) -> list[tuple[str, str, str]]:
        """(工号, name, tier) of the agents ranked: everyone but supervisors and shift leads."""
        return [
            (a.id, a.name, str(max((int(t) for _q, t in a.skills), default=1)))
            for a in self._service.setup().agents
            if not a.supervisor
        ]

    def period(self, kind: str, day_text: str = "") -> Period:
        """The week or month holding the day a page names (today when empty)."""
        day = day_named(day_text, self._service.now(), self._zone())
        return week_of(day, self._zone()) if kind == "week" else month_of(day, self._zone())

    # -- targets ----------------------------------------------------------------------------------

    async def targets(self) -> dict[tuple[str, str], int]:
        return await self._db.read(targets.targets)

    async def progress(self, period: Period, agent: str = "") -> list[TargetProgress]:
        set_targets = await self.targets()
        answered = await self._answered(period)
        found = []
        for agent_id, name, tier in self._agents():
            if agent and agent_id != agent:
                continue
            own = set_targets.get(("agent", agent_id))
            by_tier = set_targets.get(("tier", tier))
            target, source = (own, "agent") if own else (by_tier, "tier") if by_tier else (None, "")
            found.append(
                TargetProgress(agent_id, name, target, source, len(answered.get(agent_id, [])))
            )
        return found

    async def save_targets(self, who: SignedIn, form: dict[str, str]) -> None:
        """target_agent_<工号> and target_tier_<1–4>: calls a month; empty removes it."""
        keys = [("agent", a) for a, _n, _t in self._agents()] + [
            ("tier", str(t)) for t in range(1, 5)
        ]
        changed: dict[tuple[str, str], int | None] = {}
        for scope, key in keys:
            text = form.get(f"target_{scope}_{key}")
            if text is None:
                continue
            text = text.strip()
            if text and not (ascii_digits(text) and 0 < int(text) <= MAX_TARGET_CALLS):
                raise FormError("target", "out_of_range")
            changed[(scope, key)] = int(text) if text else None
        await self._db.write(lambda c: targets.put_targets(c, changed))
        await self._audit(who, "targets.save", "answer_targets", str(len(changed)))

    # -- rankings ---------------------------------------------------------------------------------

    async def weights(self) -> tuple[tuple[str, int], ...]:
        return await self._db.read(targets.weights)

    async def save_weights(self, who: SignedIn, form: dict[str, str]) -> None:
        saved = []
        for name in FIGURES:
            text = form.get(f"weight_{name}", "").strip()
            if not (ascii_digits(text) and int(text) <= MAX_WEIGHT):
                raise FormError("weight", "out_of_range")
            saved.append((name, int(text)))
        if not any(weight for _n, weight in saved):
            raise FormError("weight", "all_zero")
        now_s = self._service.now()
        kept = tuple(saved)
        await self._db.write(lambda c: targets.save_weights(c, kept, now_s, who.agent_id))
        await self._audit(who, "ranking.weights", "weights", "/".join(f"{n}:{w}" for n, w in saved))

    async def _answered(self, period: Period) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        for call in await self._store.calls(period.start_s, period.end_s, limit=1_000_000):
            if call.direction == "in" and call.agent and call.connected_s is not None:
                found.setdefault(call.agent, []).append(call)
        return found

    async def ranking(self, kind: str, period: Period) -> Ranking:
        """The period's ranking as it stands now, with the one kept when it was announced."""
        weights = await self.weights()
        answered = await self._answered(period)
        ids = [call.call_id for calls in answered.values() for call in calls]
        checks = await self._db.read(lambda c: quality.checks_of_calls(c, ids))
        now_s = self._service.now()
        tickets = await self._db.read(
            lambda c: targets.ticket_timeliness(
                c, period.start_s, period.end_s, TICKET_ON_TIME_S, now_s
            )
        )
        callbacks = await self._db.read(
            lambda c: targets.callback_timeliness(
                c, period.start_s, period.end_s, CALLBACK_ON_TIME_S, now_s
            )
        )
        adherence = {a.agent: a.share for a in await self._roster.adherence(period)}
        agents = self._agents()
        most = max((len(answered.get(a, [])) for a, _n, _t in agents), default=0)
        unranked = []
        for agent, name, _tier in agents:
            calls = answered.get(agent, [])
            percents = [
                100.0 * k.total / k.most
                for call in calls
                for k in checks.get(call.call_id, ())
                if k.most
            ]
            scores = [call.survey_score for call in calls if call.survey_score is not None]
            share = adherence.get(agent)
            values = (
                100.0 * len(calls) / most if most else None,
                sum(percents) / len(percents) if percents else None,
                100.0 * sum(scores) / len(scores) / 5 if scores else None,
                _share(tickets.get(agent)),
                _share(callbacks.get(agent)),
                None if share is None else 100.0 * share,
            )
            raw = (
                str(len(calls)),
                f"{len(percents)}",
                f"{sum(scores) / len(scores):.2f} ({len(scores)})" if scores else "—",
                "{}/{}".format(*tickets.get(agent, (0, 0))),
                "{}/{}".format(*callbacks.get(agent, (0, 0))),
                "—" if share is None else f"{100 * share:.0f}%",
            )
            unranked.append((score_of(values, weights), len(calls), agent, name, values, raw))
        unranked.sort(key=lambda r: (-r[0], -r[1], r[2]))
        rows = tuple(
            RankedAgent(n + 1, agent, name, score, values, raw)
            for n, (score, _count, agent, name, values, raw) in enumerate(unranked)
        )
        kept = next((k for k in await self.kept(kind) if k.period_key == period.key), None)
        return Ranking(kind, period, weights, rows, kept)

    async def kept(self, kind: str) -> list[KeptRanking]:
        return await self._db.read(lambda c: targets.kept_rankings(c, kind))

    async def announce(self, who: SignedIn, kind: str, period: Period) -> None:
        """Keep the period's ranking as it stands and put its winner on the ticker."""
        if kind not in KINDS:
            raise FormError("kind", "choice")
        ranking = await self.ranking(kind, period)
        if not ranking.rows or ranking.rows[0].score <= 0:
            raise FormError("kind", "nothing_to_rank")
        kept = KeptRanking(
            kind,
            period.key,
            self._service.now(),
            ranking.weights,
            tuple((r.agent, r.name, round(r.score, 1), r.values) for r in ranking.rows),
        )
        await self._db.write(lambda c: targets.keep_ranking(c, kept))
        await self._audit(who, "ranking.announce", f"{kind}:{period.key}", ranking.rows[0].agent)
        await self.refresh_ticker()

    async def ticker_text(self) -> str:
        """What the boards scroll: the active notices, then the latest 周之星 and 金话筒."""
        parts = [notice.text for notice in await self._db.read(notices.active_notices)]
        for kind, title in (("week", "周之星"), ("month", "金话筒")):
            newest = (await self.kept(kind))[:1]
            if newest and newest[0].rows:
                agent, name, score, _values = newest[0].rows[0]
                parts.append(f"{title} {newest[0].period_key}: {name} ({agent}) {score:.1f}")
        return "  ·  ".join(parts)

    async def refresh_ticker(self) -> None:
        self._service.set_ticker(await self.ticker_text())

"""The figures reducer on hand-worked queue logs: every figure, every service-level variant,
"—" (None) and never 100 % with nothing to divide, the local day boundary, and the same
figures after a restart as live."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from appliance.engine.records import QueueLogEntry, Verb
from appliance.engine.setup import DepotSetup, Menu, OpeningHours, Queue
from appliance.engine.views import AgentState
from appliance.stats.counters import SlVariant
from appliance.stats.figures import Figures

ZONE = "Asia/Shanghai"
# 2026-11-23 09:00 in Shanghai
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo(ZONE)).timestamp()


def entry(
    at_s: float, call: str, queue: str, agent: str, verb: Verb, *data: object
) -> QueueLogEntry:
    return QueueLogEntry(T0 + at_s, call, queue, agent, verb, tuple(str(d) for d in data))


def agent_entry(at_s: float, agent: str, verb: Verb, *data: object) -> QueueLogEntry:
    return entry(at_s, "NONE", "NONE", agent, verb, *data)


def answered_call(
    call: str, agent: str, enter_s: float, wait_s: float, talk_s: float, wrap_s: float
) -> list[QueueLogEntry]:
    """A call that waits, rings the agent 2 s, talks, and the agent wraps up."""
    connect_s = enter_s + wait_s
    end_s = connect_s + talk_s
    return [
        entry(enter_s - 10, call, "NONE", "NONE", Verb.INBOUND, "138", ""),
        entry(enter_s, call, "cargo", "NONE", Verb.ENTERQUEUE, "", "138", "0"),
        entry(connect_s - 2, call, "cargo", agent, Verb.OFFER),
        entry(connect_s, call, "cargo", agent, Verb.CONNECT, wait_s, "", 2),
        entry(end_s, call, "cargo", agent, Verb.COMPLETECALLER, wait_s, talk_s, 1),
        entry(end_s, call, "cargo", agent, Verb.WRAPUPSTART, wrap_s),
        entry(end_s, call, "cargo", "NONE", Verb.HANGUP, "answered"),
        agent_entry(end_s + wrap_s, agent, Verb.WRAPUPEND, wrap_s),
    ]


def abandoned_call(call: str, enter_s: float, wait_s: float) -> list[QueueLogEntry]:
    return [
        entry(enter_s - 10, call, "NONE", "NONE", Verb.INBOUND, "139", ""),
        entry(enter_s, call, "cargo", "NONE", Verb.ENTERQUEUE, "", "139", "0"),
        entry(enter_s + wait_s, call, "cargo", "NONE", Verb.ABANDON, 1, 1, wait_s),
        entry(enter_s + wait_s, call, "cargo", "NONE", Verb.HANGUP, "abandoned_in_queue"),
    ]


def day_log() -> list[QueueLogEntry]:
    """Two agents log in at 0. Answered: a (wait 10, talk 100, wrap 20) and b (wait 30, talk
    200, wrap 20) by 1001, c (wait 20, talk 60, wrap 0) by 1002. Abandoned: d after 3 s
    (short), e after 50 s. 1002 pauses 600–900 s. Everything ends by 1000 s."""
    log = [agent_entry(0, "1001", Verb.AGENTLOGIN, "pos1")]
    log += [agent_entry(0, "1002", Verb.AGENTLOGIN, "pos2")]
    log += answered_call("a", "1001", 100, 10, 100, 20)  # busy 110–230
    log += answered_call("b", "1001", 300, 30, 200, 20)  # busy 330–550
    log += answered_call("c", "1002", 400, 20, 60, 0)  # busy 420–480
    log += abandoned_call("d", 500, 3)
    log += abandoned_call("e", 520, 50)
    log += [agent_entry(600, "1002", Verb.PAUSE, "lunch"), agent_entry(900, "1002", Verb.UNPAUSE)]
    return sorted(log, key=lambda e: e.time_s)


def folded(log: list[QueueLogEntry], **options: object) -> Figures:
    figures = Figures(timezone=ZONE, **options)  # type: ignore[arg-type]
    figures.fold_all(log)
    return figures


def test_figures_hand_worked_day_every_figure() -> None:
    figures = folded(day_log(), sl_threshold_s=20.0, sl_variant=SlVariant.ANSWERED_ONLY)
    report = figures.report(T0 + 1000)
    totals = report.totals
    assert (totals.offered, totals.answered, totals.abandoned) == (5, 3, 2)
    assert totals.short_abandoned == 1
    # answer rate 成功接听率: 3 answered of 5 that entered a queue
    assert totals.answer_rate == pytest.approx(3 / 5)
    assert totals.abandon_rate == pytest.approx(2 / 5)
    # ASA = (10 + 30 + 20) / 3 = 20 s: a true mean
    assert totals.asa_s == pytest.approx(20.0)
    # AHT = (talk 100 + 200 + 60 + wrap 20 + 20 + 0) / 3 = 400 / 3
    assert totals.aht_s == pytest.approx(400 / 3)
    # SL 20 s answered-only: a (10) and c (20, "within" includes 20) of 3
    assert totals.service_level == pytest.approx(2 / 3)
    assert totals.mean_abandon_wait_s == pytest.approx(26.5)
    # occupancy = (talk + wrap) ÷ logged-in-not-paused time, both agents, up to 1000 s:
    # 1001 busy 110–230 and 330–550 = 340 of 1000; 1002 busy 60 of 1000 − 300 paused = 700
    assert report.occupancy == pytest.approx(400 / 1700)
    by_agent = {a.agent: a for a in report.by_agent}
    assert by_agent["1001"].answered == 2
    assert by_agent["1001"].talk_s == pytest.approx(300)
    assert by_agent["1001"].wrap_s == pytest.approx(40)
    assert by_agent["1001"].aht_s == pytest.approx(170)
    assert by_agent["1001"].occupancy == pytest.approx(340 / 1000)
    assert by_agent["1002"].paused_s == pytest.approx(300)
    assert by_agent["1002"].logged_in_s == pytest.approx(1000)
    assert by_agent["1002"].occupancy == pytest.approx(60 / 700)
    assert dict(report.by_queue)["cargo"].offered == 5
    by_hour = dict(report.by_hour)
    assert by_hour[9].offered == 5 and by_hour[9].answered == 3
    assert sum(h.offered for h in by_hour.values()) == 5
    assert len(by_hour) == 24


@pytest.mark.parametrize(
    ("variant", "short_abandon_s", "expected"),
    [
        # within 20 s: a, c. answered 3, abandoned 2 (d at 3 s is short under 5 s)
        (SlVariant.ANSWERED_ONLY, 5.0, 2 / 3),
        (SlVariant.COUNT_ABANDONS, 5.0, 2 / 5),
        (SlVariant.COUNT_LONG_ABANDONS, 5.0, 2 / 4),
        # with short abandons up to 2 s, d (3 s) counts against the level
        (SlVariant.COUNT_LONG_ABANDONS, 2.0, 2 / 5),
    ],
)
def test_figures_service_level_variants(
    variant: SlVariant, short_abandon_s: float, expected: float
) -> None:
    figures = folded(
        day_log(), sl_threshold_s=20.0, sl_variant=variant, short_abandon_s=short_abandon_s
    )
    assert figures.report(T0 + 1000).totals.service_level == pytest.approx(expected)
    assert figures.wallboard(T0 + 1000).service_level == pytest.approx(expected)


def test_figures_threshold_changes_service_level() -> None:
    strict = folded(day_log(), sl_threshold_s=15.0, sl_variant=SlVariant.ANSWERED_ONLY)
    assert strict.report(T0 + 1000).totals.service_level == pytest.approx(1 / 3)


def test_figures_no_calls_are_none_not_100_percent() -> None:
    figures = folded([agent_entry(0, "1001", Verb.AGENTLOGIN, "pos1")])
    board = figures.wallboard(T0 + 60)
    assert board.service_level is None
    assert board.answer_rate is None
    assert board.asa_s is None
    assert board.aht_s is None
    assert (board.answered_today, board.abandoned_today, board.agents_ready) == (0, 0, 1)
    totals = figures.report(T0 + 60).totals
    assert totals.abandon_rate is None and totals.mean_abandon_wait_s is None
    # only short abandons and the variant that leaves them out: still nothing to divide
    only_short = folded(
        abandoned_call("x", 10, 2), sl_variant=SlVariant.COUNT_LONG_ABANDONS
    ).wallboard(T0 + 60)
    assert only_short.service_level is None
    assert only_short.answer_rate == 0.0
    nobody = Figures(timezone=ZONE).report(T0)
    assert nobody.occupancy is None


def test_figures_live_waiting_and_agent_states() -> None:
    log = [
        agent_entry(0, "1001", Verb.AGENTLOGIN, "pos1"),
        agent_entry(0, "1002", Verb.AGENTLOGIN, "pos2"),
        agent_entry(0, "1003", Verb.AGENTLOGIN, "pos3"),
        agent_entry(0, "1004", Verb.AGENTLOGIN, "pos4"),
        agent_entry(1, "1004", Verb.PAUSE, "break"),
        entry(10, "a", "cargo", "NONE", Verb.ENTERQUEUE, "", "1", "0"),
        entry(20, "b", "orders", "NONE", Verb.ENTERQUEUE, "", "2", "0"),
        entry(30, "c", "cargo", "NONE", Verb.ENTERQUEUE, "", "3", "0"),
        entry(31, "a", "cargo", "1001", Verb.OFFER),
        entry(33, "c", "cargo", "1002", Verb.OFFER),
        entry(35, "c", "cargo", "1002", Verb.CONNECT, 5, "", 2),
        # the agent pauses during wrap-up: still WRAP_UP until it ends, then PAUSED
        entry(36, "d", "cargo", "1003", Verb.WRAPUPSTART, 30),
        agent_entry(37, "1003", Verb.PAUSE, "toilet"),
        entry(38, "NONE", "NONE", "fxo1", Verb.LINEFAULT, "no dial tone"),
    ]
    figures = folded(log)
    board = figures.wallboard(T0 + 40)
    assert board.calls_waiting == 2  # a (ringing 1001) and b
    assert board.longest_wait_s == pytest.approx(30.0)
    assert board.agents_on_call == 2  # 1002 talking, 1001 ringing
    assert board.agents_wrap_up == 1
    assert board.agents_paused == 1
    assert board.agents_ready == 0
    assert board.faults == ("fxo1",)
    report = figures.report(T0 + 40)
    states = dict(report.agents_by_state)
    assert states[AgentState.RINGING] == 1 and states[AgentState.ON_CALL] == 1
    assert dict(report.waiting_by_queue) == {"cargo": 1, "orders": 1}
    figures.fold(agent_entry(66, "1003", Verb.WRAPUPEND, 30))
    figures.fold(entry(67, "a", "cargo", "1001", Verb.RINGNOANSWER, 15000))
    figures.fold(entry(68, "NONE", "NONE", "fxo1", Verb.LINERESTORED))
    later = figures.wallboard(T0 + 70)
    assert later.agents_paused == 2
    assert later.agents_ready == 1
    assert later.faults == ()
    assert {a.agent: a.missed_offers for a in figures.report(T0 + 70).by_agent}["1001"] == 1


def test_figures_overflow_to_another_queue_keeps_waiting_since_first_entry() -> None:
    log = [
        entry(0, "a", "cargo", "NONE", Verb.ENTERQUEUE, "", "1", "0"),
        entry(300, "a", "cargo", "NONE", Verb.OVERFLOW, "queue", "orders"),
        entry(300, "a", "orders", "NONE", Verb.ENTERQUEUE, "", "1", "0"),
    ]
    figures = folded(log)
    board = figures.wallboard(T0 + 400)
    assert board.calls_waiting == 1
    assert board.longest_wait_s == pytest.approx(400)
    report = figures.report(T0 + 400)
    assert report.totals.offered == 1  # one call, counted once over all queues
    queues = dict(report.by_queue)
    assert queues["cargo"].offered == 1 and queues["cargo"].overflowed == 1
    assert queues["orders"].offered == 1
    figures.fold(entry(410, "a", "orders", "NONE", Verb.OVERFLOW, "callback", ""))
    assert figures.wallboard(T0 + 420).calls_waiting == 0
    assert figures.report(T0 + 420).totals.overflowed == 1


def test_figures_day_boundary_is_local_midnight() -> None:
    # 23:59:00 and 00:01:00 Shanghai time; in UTC both are on the same date (15:59, 16:01)
    before = dt.datetime(2026, 11, 23, 23, 59, tzinfo=ZoneInfo(ZONE)).timestamp()
    after = before + 120
    log = [
        QueueLogEntry(before, "a", "cargo", "NONE", Verb.ENTERQUEUE, ("", "1", "0")),
        QueueLogEntry(before + 30, "a", "cargo", "1001", Verb.CONNECT, ("30", "", "1")),
        QueueLogEntry(after, "b", "cargo", "NONE", Verb.ENTERQUEUE, ("", "2", "0")),
        QueueLogEntry(after + 5, "b", "cargo", "NONE", Verb.ABANDON, ("1", "1", "5")),
    ]
    figures = folded(log)
    today = figures.wallboard(after + 10)
    assert (today.answered_today, today.abandoned_today) == (0, 1)
    assert today.answer_rate == 0.0
    yesterday = figures.wallboard(before + 40)
    assert (yesterday.answered_today, yesterday.abandoned_today) == (1, 0)
    assert dict(figures.report(before + 40).by_hour)[23].answered == 1
    both = figures.report(after + 10, since_s=before)
    assert both.totals.offered == 2
    assert [(day, f.offered, f.answered) for day, f in both.by_day] == [
        (dt.date(2026, 11, 23), 1, 1),
        (dt.date(2026, 11, 24), 1, 0),
    ]
    assert (both.first_day, both.last_day) == (dt.date(2026, 11, 23), dt.date(2026, 11, 24))
    # a call offered at 23:59 and answered after midnight counts on the day it was offered
    late = folded([log[0], QueueLogEntry(after, "a", "cargo", "1001", Verb.CONNECT, ("120",))])
    assert late.wallboard(after).answered_today == 0
    assert late.wallboard(before + 10).answered_today == 1


def test_figures_agent_time_split_at_local_midnight() -> None:
    login = dt.datetime(2026, 11, 23, 23, 0, tzinfo=ZoneInfo(ZONE)).timestamp()
    figures = folded([QueueLogEntry(login, "NONE", "NONE", "1001", Verb.AGENTLOGIN, ("p",))])
    next_day = figures.report(login + 3 * 3600)
    assert next_day.by_agent[0].logged_in_s == pytest.approx(2 * 3600)
    both = figures.report(login + 3 * 3600, since_s=login)
    assert both.by_agent[0].logged_in_s == pytest.approx(3 * 3600)


def test_figures_daylight_saving_day_has_its_hours_right() -> None:
    # Europe/London, 2026-03-29: clocks jump 01:00 → 02:00; 03:30 local is 02:30 UTC
    zone = ZoneInfo("Europe/London")
    at = dt.datetime(2026, 3, 29, 3, 30, tzinfo=zone).timestamp()
    figures = Figures(timezone="Europe/London")
    figures.fold(QueueLogEntry(at, "a", "q", "NONE", Verb.ENTERQUEUE, ("", "1", "0")))
    assert dict(figures.report(at).by_hour)[3].offered == 1


def _reports_equal(a: Figures, b: Figures, now_s: float) -> None:
    assert a.report(now_s) == b.report(now_s)
    assert a.wallboard(now_s) == b.wallboard(now_s)


def test_figures_rebuilt_from_the_log_equal_the_live_ones() -> None:
    log = day_log()
    live = Figures(timezone=ZONE)
    for item in log:
        live.fold(item)
        live.wallboard(item.time_s)  # asking changes nothing
        live.report(item.time_s)
    _reports_equal(live, folded(log), T0 + 1000)


def test_figures_log_split_at_any_point_gives_the_same_figures() -> None:
    log = day_log()
    whole = folded(log)
    rng = random.Random(3)
    for _ in range(20):
        cut = rng.randrange(len(log) + 1)
        now_s = log[cut - 1].time_s if cut else T0
        prefix = folded(log[:cut])
        _reports_equal(prefix, folded(log[:cut]), now_s)
        prefix.fold_all(log[cut:])
        _reports_equal(whole, prefix, T0 + 1000)


def test_figures_restart_marker_forgets_calls_and_logins_from_before() -> None:
    log = [
        agent_entry(0, "1001", Verb.AGENTLOGIN, "pos1"),
        entry(10, "a", "cargo", "NONE", Verb.ENTERQUEUE, "", "1", "0"),
        entry(20, "NONE", "NONE", "NONE", Verb.QUEUESTART),
    ]
    figures = folded(log)
    board = figures.wallboard(T0 + 100)
    assert board.calls_waiting == 0
    assert board.agents_ready == 0
    (agent,) = figures.report(T0 + 100).by_agent
    assert agent.logged_in_s == pytest.approx(20)


def test_figures_for_setup_uses_each_queues_threshold_and_time_zone() -> None:
    setup = DepotSetup(
        queues=(
            Queue("cargo", "货物", "Cargo", sl_threshold_s=10.0),
            Queue("vip", "贵宾", "VIP", sl_threshold_s=30.0),
        ),
        agents=(),
        menu=Menu(),
        hours=OpeningHours(timezone="Europe/Berlin"),
    )
    figures = Figures.for_setup(setup, sl_variant=SlVariant.ANSWERED_ONLY)
    assert figures.calendar.zone.key == "Europe/Berlin"
    for call, queue in (("a", "cargo"), ("b", "vip")):
        figures.fold(entry(0, call, queue, "NONE", Verb.ENTERQUEUE, "", "1", "0"))
        figures.fold(entry(25, call, queue, "1001", Verb.CONNECT, 25, "", 1))
    # 25 s is too long for cargo (10 s) and fine for vip (30 s)
    queues = dict(figures.report(T0 + 30).by_queue)
    assert queues["cargo"].service_level == 0.0
    assert queues["vip"].service_level == 1.0


def test_figures_transfer_counts_one_answered_call_with_both_talk_legs() -> None:
    log = [
        agent_entry(0, "1001", Verb.AGENTLOGIN, "pos1"),
        agent_entry(0, "1002", Verb.AGENTLOGIN, "pos2"),
        entry(10, "a", "cargo", "NONE", Verb.ENTERQUEUE, "", "1", "0"),
        entry(15, "a", "cargo", "1001", Verb.OFFER),
        entry(16, "a", "cargo", "1001", Verb.CONNECT, 6, "", 1),
        # 转机 after 60 s to 1002, who talks 40 s more; wrap-up 10 s each
        entry(76, "a", "cargo", "1001", Verb.TRANSFER, "1002", "", 6, 60),
        entry(76, "a", "cargo", "1001", Verb.WRAPUPSTART, 10),
        entry(76, "a", "cargo", "1002", Verb.CONNECT, 6, "", 0),
        agent_entry(86, "1001", Verb.WRAPUPEND, 10),
        entry(116, "a", "cargo", "1002", Verb.COMPLETEAGENT, 6, 40, 1),
        entry(116, "a", "cargo", "1002", Verb.WRAPUPSTART, 10),
        entry(116, "a", "cargo", "1002", Verb.HANGUP, "answered"),
        agent_entry(126, "1002", Verb.WRAPUPEND, 10),
    ]
    report = folded(log).report(T0 + 200)
    assert report.totals.answered == 1
    assert report.totals.asa_s == pytest.approx(6)
    # one call: talk 60 + 40, wrap-up 10 + 10
    assert report.totals.aht_s == pytest.approx(120)
    agents = {a.agent: a for a in report.by_agent}
    assert agents["1001"].transfers == 1 and agents["1001"].talk_s == pytest.approx(60)
    assert agents["1002"].talk_s == pytest.approx(40)
    assert agents["1001"].answered == 1 and agents["1002"].answered == 0


def test_figures_hangup_and_logoff_end_whatever_the_agent_was_doing() -> None:
    log = [
        agent_entry(0, "1001", Verb.AGENTLOGIN, "pos1"),
        entry(10, "a", "cargo", "NONE", Verb.ENTERQUEUE, "", "1", "0"),
        entry(11, "a", "cargo", "1001", Verb.CONNECT, 1, "", 0),
        # the line failed: no COMPLETE entry, only the call's end
        entry(50, "a", "cargo", "1001", Verb.HANGUP, "line_fault"),
    ]
    figures = folded(log)
    assert figures.wallboard(T0 + 60).agents_ready == 1
    assert figures.wallboard(T0 + 60).agents_on_call == 0
    figures.fold(agent_entry(70, "1001", Verb.PAUSE, "meeting"))
    figures.fold(agent_entry(100, "1001", Verb.AGENTLOGOFF, "pos1", 100))
    board = figures.wallboard(T0 + 200)
    assert (board.agents_ready, board.agents_paused) == (0, 0)
    (agent,) = figures.report(T0 + 200).by_agent
    assert agent.state is AgentState.LOGGED_OUT
    assert agent.logged_in_s == pytest.approx(100)
    assert agent.paused_s == pytest.approx(30)
    # on call 11–50 of 70 staffed seconds
    assert agent.occupancy == pytest.approx(39 / 70)


def test_figures_start_of_day_is_local_midnight() -> None:
    figures = Figures(timezone=ZONE)
    midnight = dt.datetime(2026, 11, 23, 0, 0, tzinfo=ZoneInfo(ZONE)).timestamp()
    assert figures.start_of_day_s(T0) == midnight
    assert figures.start_of_day_s(midnight) == midnight
    assert figures.start_of_day_s(midnight - 1) == midnight - 86400


def test_figures_caller_requeued_after_a_phone_failed_is_one_call_with_both_talks() -> None:
    """The agent's phone fails after 40 s of talk: the caller goes back to the head of the
    same queue (a second ENTERQUEUE) and another agent talks 60 s and wraps up 20 s."""
    log = [
        agent_entry(0, "1001", Verb.AGENTLOGIN, "pos1"),
        agent_entry(0, "1002", Verb.AGENTLOGIN, "pos2"),
        entry(10, "a", "cargo", "NONE", Verb.ENTERQUEUE, "", "138", "0"),
        entry(15, "a", "cargo", "1001", Verb.CONNECT, 5, "", 1),
        entry(55, "a", "cargo", "1001", Verb.COMPLETEAGENT, 5, 40, 1),
        entry(55, "a", "cargo", "NONE", Verb.ENTERQUEUE, "", "138", "2"),
        entry(58, "a", "cargo", "1002", Verb.CONNECT, 8, "", 1),
        entry(118, "a", "cargo", "1002", Verb.COMPLETECALLER, 8, 60, 1),
        entry(118, "a", "cargo", "1002", Verb.WRAPUPSTART, 20),
        entry(118, "a", "cargo", "NONE", Verb.HANGUP, "answered"),
        agent_entry(138, "1002", Verb.WRAPUPEND, 20),
    ]
    report = folded(log).report(T0 + 200)
    ((queue_id, cargo),) = report.by_queue
    assert queue_id == "cargo"
    for figures in (report.totals, cargo):
        assert (figures.offered, figures.answered) == (1, 1)
        assert figures.asa_s == 5.0  # the wait before it was first answered
        assert figures.aht_s == 40 + 60 + 20  # one call handled, both conversations in it
    answered = {agent.agent: agent.answered for agent in report.by_agent}
    assert answered == {"1001": 1, "1002": 0}  # counted for the agent who answered it first


def test_figures_three_way_colleague_leaving_does_not_count_another_handled_call() -> None:
    log = [
        agent_entry(0, "1001", Verb.AGENTLOGIN, "pos1"),
        agent_entry(0, "1002", Verb.AGENTLOGIN, "pos2"),
        entry(10, "a", "cargo", "NONE", Verb.ENTERQUEUE, "", "138", "0"),
        entry(20, "a", "cargo", "1001", Verb.CONNECT, 10, "", 1),
        entry(50, "a", "cargo", "1002", Verb.CONNECT, 10, "", 1),  # the colleague joins
        entry(80, "a", "cargo", "1002", Verb.COMPLETEAGENT, 10, 30, 1),  # and leaves
        entry(140, "a", "cargo", "1001", Verb.COMPLETECALLER, 10, 120, 1),
        entry(140, "a", "cargo", "NONE", Verb.HANGUP, "answered"),
    ]
    totals = folded(log).report(T0 + 200).totals
    assert (totals.offered, totals.answered) == (1, 1)
    assert totals.aht_s == 120 + 30

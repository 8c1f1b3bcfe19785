"""The real engine's queue log and the figures reducer agree with the engine's own call records:
the counts, waits and talk times rebuilt from the log are those of the CDRs, and folding the
same log again (a restart) gives the same figures."""

from __future__ import annotations

import pytest

from appliance.engine.records import CallEnded, CallRecord, EndReason, QueueLogEntry, Verb
from appliance.simulate import SimulationOptions, VirtualDepot
from appliance.stats.counters import SlVariant
from appliance.stats.figures import Figures


def run_depot(
    options: SimulationOptions,
) -> tuple[VirtualDepot, list[QueueLogEntry], list[CallRecord]]:
    depot = VirtualDepot(options, time_decisions=False)
    entries: list[QueueLogEntry] = []
    records: list[CallRecord] = []
    fold = depot.figures.fold
    call_ended = depot._call_ended

    def keep_entry(entry: QueueLogEntry) -> None:
        entries.append(entry)
        fold(entry)

    def keep_record(ended: CallEnded) -> None:
        records.append(ended.record)
        call_ended(ended)

    depot.figures.fold = keep_entry  # type: ignore[method-assign]
    depot._call_ended = keep_record  # type: ignore[method-assign]
    depot.run(None)
    return depot, entries, records


@pytest.mark.parametrize("patience_s", [None, 90.0])
def test_engine_log_figures_match_the_call_records(patience_s: float | None) -> None:
    options = SimulationOptions(
        agents=4, calls_per_hour=80, calls=3000, seed=9, patience_s=patience_s, wrap_up_s=15.0
    )
    depot, entries, records = run_depot(options)
    totals = depot.figures.report(depot.now_s, since_s=entries[0].time_s).totals
    answered = [r for r in records if r.connected_s is not None]
    abandoned = [r for r in records if r.end_reason is EndReason.ABANDONED_IN_QUEUE]
    ringing_abandoned = [r for r in records if r.end_reason is EndReason.ABANDONED_RINGING]
    assert len(records) == 3000
    assert totals.offered == 3000
    assert totals.answered == len(answered)
    assert totals.abandoned == len(abandoned) + len(ringing_abandoned)
    assert totals.answered + totals.abandoned == 3000
    if patience_s is None:
        assert totals.abandoned == 0
    else:
        assert totals.abandoned > 0
    assert totals.asa_s == pytest.approx(sum(r.wait_s for r in answered) / len(answered), abs=1e-3)
    talk_s = sum(r.talk_s for r in answered)
    # AHT = (talk + wrap-up) per answered call; every answered call had 15 s of wrap-up
    assert totals.aht_s == pytest.approx((talk_s + 15.0 * len(answered)) / len(answered), abs=1e-2)
    within = sum(1 for r in answered if r.wait_s <= options.sl_threshold_s)
    assert totals.service_level == pytest.approx(within / 3000, abs=1e-9)
    # every call's end is in the log as HANGUP, once
    hangups = [e.call_id for e in entries if e.verb is Verb.HANGUP]
    assert sorted(hangups) == sorted(r.call_id for r in records)


def test_engine_log_folded_again_after_a_restart_gives_the_same_figures() -> None:
    options = SimulationOptions(agents=3, calls_per_hour=60, calls=2000, seed=4, patience_s=120)
    depot, entries, _ = run_depot(options)
    rebuilt = Figures(
        timezone="UTC", sl_threshold_s=20.0, sl_variant=SlVariant.COUNT_ABANDONS, short_abandon_s=0
    )
    rebuilt.fold_all(entries)
    since_s = entries[0].time_s
    assert rebuilt.report(depot.now_s, since_s=since_s) == depot.figures.report(
        depot.now_s, since_s=since_s
    )
    middle = entries[len(entries) // 2].time_s
    half = Figures(
        timezone="UTC", sl_threshold_s=20.0, sl_variant=SlVariant.COUNT_ABANDONS, short_abandon_s=0
    )
    half.fold_all(e for e in entries if e.time_s <= middle)
    again = Figures(
        timezone="UTC", sl_threshold_s=20.0, sl_variant=SlVariant.COUNT_ABANDONS, short_abandon_s=0
    )
    again.fold_all(e for e in entries if e.time_s <= middle)
    assert half.wallboard(middle) == again.wallboard(middle)
    half.fold_all(e for e in entries if e.time_s > middle)
    assert half.report(depot.now_s, since_s=since_s) == depot.figures.report(
        depot.now_s, since_s=since_s
    )

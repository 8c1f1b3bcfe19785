"""The store on a real SQLite file: every record type comes back as it went in, a step is
written all or nothing, and the readers select by time in log order."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from appliance.engine.records import (
    AgentNotice,
    CallbackRequested,
    CallEnded,
    CallRecord,
    EndReason,
    FaultCleared,
    FaultRecorded,
    NoticeKind,
    NumberBlocked,
    QueueLogEntry,
    Verb,
)
from appliance.store import CallbackAttempt, Fault, Role, Store, web_sessions

T = TypeVar("T")


def run_with_store(path: Path, work: Callable[[Store], Awaitable[T]]) -> T:
    async def main() -> T:
        store = await Store.open(path)
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(main())


def full_record(call_id: str = "c1", arrived_s: float = 1_700_000_000.0) -> CallRecord:
    """A call record with every field away from its default."""
    return CallRecord(
        call_id=call_id,
        line="fxo0",
        direction="in",
        number="13800138000",
        name="张三",
        arrived_s=arrived_s,
        ended_s=arrived_s + 300.5,
        end_reason=EndReason.ANSWERED,
        queue="cargo",
        enqueued_s=arrived_s + 10.25,
        agent="1001",
        connected_s=arrived_s + 40.0,
        wait_s=29.75,
        talk_s=260.5,
        hold_s=12.0,
        transferred_from="c0",
        recording_path="/var/lib/depotline/recordings/c1.wav",
        survey_score=4,
        vip=True,
        withheld="unavailable",
    )


def test_store_record_every_record_type_round_trips(tmp_path: Path) -> None:
    entry = QueueLogEntry(
        1_700_000_010.25, "c1", "cargo", "NONE", Verb.ENTERQUEUE, ("", "13800138000", "0")
    )
    agent_entry = QueueLogEntry(
        1_700_000_011.0, "NONE", "NONE", "1001", Verb.PAUSE, ("午饭|lunch",)
    )
    task = CallbackRequested(
        task_id="t1",
        number="13800138000",
        name="张三",
        reason="abandoned",
        call_id="c1",
        queue="cargo",
        created_s=1_700_000_100.0,
        due_s=1_700_259_300.0,
        entered_s=1_700_000_010.25,
    )
    blocked = NumberBlocked("4001234567", "1001", "c9", 1_700_000_200.0)

    async def work(store: Store) -> None:
        await store.record(
            [
                entry,
                agent_entry,
                CallEnded(full_record()),
                task,
                blocked,
                FaultRecorded("fxo1", "modem unplugged", 1_700_000_300.0),
            ]
        )
        await store.record([FaultCleared("fxo1", 1_700_000_400.0)])
        assert await store.queue_log(0.0) == [entry, agent_entry]
        assert await store.calls(0.0, 2e9) == [full_record()]
        assert await store.call("c1") == full_record()
        (open_task,) = await store.open_callback_tasks()
        assert (open_task.task_id, open_task.number, open_task.name) == (
            "t1",
            "13800138000",
            "张三",
        )
        assert (open_task.reason, open_task.call_id, open_task.queue) == (
            "abandoned",
            "c1",
            "cargo",
        )
        assert (open_task.created_s, open_task.due_s) == (1_700_000_100.0, 1_700_259_300.0)
        assert open_task.entered_s == 1_700_000_010.25
        assert (open_task.status, open_task.attempts, open_task.outcome) == ("open", 0, "")
        assert await store.blacklist() == ["4001234567"]
        assert await store.faults(0.0, 2e9) == [
            Fault("fxo1", "modem unplugged", 1_700_000_300.0, 1_700_000_400.0)
        ]

    run_with_store(tmp_path / "depot.db", work)


def test_store_records_survive_closing_and_reopening(tmp_path: Path) -> None:
    path = tmp_path / "depot.db"
    run_with_store(path, lambda store: store.record([CallEnded(full_record())]))
    assert run_with_store(path, lambda store: store.calls(0.0, 2e9)) == [full_record()]


def test_store_record_rejects_a_notice_and_writes_nothing_of_that_step(tmp_path: Path) -> None:
    entry = QueueLogEntry(5.0, "c1", "cargo", "NONE", Verb.ENTERQUEUE, ("", "1", "0"))
    notice = AgentNotice("1001", NoticeKind.SCREEN_POP, 5.0)

    async def work(store: Store) -> list[QueueLogEntry]:
        with pytest.raises(TypeError, match="AgentNotice"):
            await store.record([entry, notice])
        return await store.queue_log(0.0)

    assert run_with_store(tmp_path / "depot.db", work) == []


def test_store_record_failing_midway_leaves_nothing_half_written(tmp_path: Path) -> None:
    """The second CDR of the step collides with a stored one: the step's HANGUP entries and
    its first CDR must not be kept either."""
    hangup_a = QueueLogEntry(9.0, "a", "cargo", "NONE", Verb.HANGUP, ("answered",))
    hangup_b = QueueLogEntry(9.0, "b", "cargo", "NONE", Verb.HANGUP, ("answered",))

    async def work(store: Store) -> tuple[list[QueueLogEntry], list[CallRecord]]:
        await store.record([CallEnded(full_record("b", 5.0))])
        with pytest.raises(sqlite3.IntegrityError):
            await store.record(
                [
                    hangup_a,
                    hangup_b,
                    CallEnded(full_record("a", 4.0)),
                    CallEnded(full_record("b", 5.0)),
                ]
            )
        # the connection is usable after the failed step
        await store.record([hangup_b])
        return await store.queue_log(0.0), await store.calls(0.0, 100.0)

    log, records = run_with_store(tmp_path / "depot.db", work)
    assert log == [hangup_b]
    assert [r.call_id for r in records] == ["b"]


def test_store_queue_log_selects_time_window_in_written_order(tmp_path: Path) -> None:
    # written out of time order on purpose: the log keeps the engine's order
    entries = [
        QueueLogEntry(t, f"c{i}", "q", "NONE", Verb.INBOUND, ("1", ""))
        for i, t in enumerate([10.0, 30.0, 20.0, 40.0, 20.0])
    ]

    async def work(store: Store) -> None:
        await store.record(entries)
        assert await store.queue_log(20.0, 40.0) == [entries[1], entries[2], entries[4]]
        assert await store.queue_log(20.0) == entries[1:]
        batches = [batch async for batch in store.iter_queue_log(0.0, batch=2)]
        assert [len(b) for b in batches] == [2, 2, 1]
        assert [e for b in batches for e in b] == entries

    run_with_store(tmp_path / "depot.db", work)


def test_store_calls_by_time_and_by_number(tmp_path: Path) -> None:
    records = [full_record(f"c{i}", 1000.0 + 100 * i) for i in range(5)]

    async def work(store: Store) -> None:
        await store.record([CallEnded(r) for r in records])
        assert await store.calls(1100.0, 1300.0) == records[1:3]
        assert await store.calls(0.0, 1e9, limit=2) == records[:2]
        assert await store.calls_from("13800138000", limit=2) == [records[4], records[3]]
        assert await store.calls_from("nobody") == []

    run_with_store(tmp_path / "depot.db", work)


def test_store_reads_by_time_use_the_time_indexes(tmp_path: Path) -> None:
    run_with_store(tmp_path / "depot.db", lambda store: store.record([]))
    with sqlite3.connect(tmp_path / "depot.db") as connection:
        calls_plan = connection.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM calls WHERE arrived_s >= 1 AND arrived_s < 2"
        ).fetchall()
        log_plan = connection.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM queue_log WHERE time_s >= 1 AND time_s < 2"
        ).fetchall()
    assert "calls_by_arrival" in str(calls_plan)
    assert "queue_log_by_time" in str(log_plan)


def test_store_callback_attempts_append_history_and_close_task(tmp_path: Path) -> None:
    task = CallbackRequested("t7", "138", "李四", "virtual_hold", "c7", "orders", 10.0, 20.0)

    async def work(store: Store) -> None:
        await store.record([task, task])  # a repeated request keeps one task
        assert await store.assign_callback_task("t7", "1002")
        first = CallbackAttempt("t7", 30.0, "1002", "no_answer", "振铃无人接")
        second = CallbackAttempt("t7", 90.0, "1002", "reached", "已解决")
        assert await store.add_callback_attempt(first, done=False)
        (still_open,) = await store.open_callback_tasks()
        assert (still_open.attempts, still_open.outcome, still_open.assigned_agent) == (
            1,
            "no_answer",
            "1002",
        )
        assert await store.add_callback_attempt(second, done=True)
        assert await store.open_callback_tasks() == []
        done = await store.callback_task("t7")
        assert done is not None and (done.status, done.attempts) == ("done", 2)
        assert await store.callback_attempts("t7") == [first, second]
        missing = CallbackAttempt("nope", 1.0, "1002", "reached", "")
        assert not await store.add_callback_attempt(missing, done=True)

    run_with_store(tmp_path / "depot.db", work)


def test_store_open_faults_and_blacklist_changes(tmp_path: Path) -> None:
    async def work(store: Store) -> None:
        await store.record(
            [
                FaultRecorded("fxo0", "no dial tone", 100.0),
                FaultRecorded("board", "unplugged", 150.0),
            ]
        )
        await store.record([FaultCleared("fxo0", 200.0)])
        assert await store.faults(0.0, 120.0) == [Fault("fxo0", "no dial tone", 100.0, 200.0)]
        assert await store.faults(250.0, 300.0) == [Fault("board", "unplugged", 150.0, None)]
        await store.record([NumberBlocked("555", "1001", "c1", 1.0)])
        await store.record([NumberBlocked("555", "1002", "c2", 2.0)])
        assert await store.blacklist() == ["555"]
        assert await store.unblock("555")
        assert await store.blacklist() == []

    run_with_store(tmp_path / "depot.db", work)


def test_store_users_passwords_and_pins(tmp_path: Path) -> None:
    async def work(store: Store) -> None:
        assert await store.add_user("1001", "王芳", Role.AGENT, "s3cret", pin="4321", created_s=5.0)
        assert not await store.add_user("1001", "someone", Role.ADMIN, "x")
        assert await store.add_user("9000", "主管", Role.SUPERVISOR, "boss", created_s=6.0)
        assert [u.agent_id for u in await store.users()] == ["1001", "9000"]
        user = await store.check_password("1001", "s3cret")
        assert user is not None and (user.name, user.role, user.created_s) == (
            "王芳",
            Role.AGENT,
            5.0,
        )
        assert await store.check_password("1001", "wrong") is None
        assert await store.check_password("7777", "s3cret") is None
        assert await store.check_pin("1001", "4321")
        assert not await store.check_pin("1001", "4322")
        assert not await store.check_pin("9000", "")  # no PIN set: keypad login refused
        assert await store.change_user("9000", pin="0000")
        assert await store.check_pin("9000", "0000")
        assert await store.change_user("1001", name="王芳芳", role=Role.SUPERVISOR)
        changed = await store.user("1001")
        assert changed is not None and (changed.name, changed.role) == ("王芳芳", Role.SUPERVISOR)
        # role, password and PIN of one form change together, in one transaction
        assert await store.change_user("1001", role=Role.AGENT, password="n3w-pass", clear_pin=True)
        assert await store.check_password("1001", "n3w-pass") is not None
        assert not await store.check_pin("1001", "4321")
        assert not await store.change_user("4040", pin="1111")
        assert await store.remove_user("9000")
        assert not await store.check_pin("9000", "0000")

    run_with_store(tmp_path / "depot.db", work)
    with sqlite3.connect(tmp_path / "depot.db") as connection:
        stored = connection.execute("SELECT password_hash, pin_hash FROM users").fetchall()
    assert all("s3cret" not in h and "4321" not in h for row in stored for h in row)


def test_change_user_ends_web_sessions_on_new_password_or_role_not_on_pin(tmp_path: Path) -> None:
    async def signed_in(store: Store) -> bool:
        found = await store.reading(functools.partial(web_sessions.one, token_hash="t1001"))
        return found is not None

    async def sign_in(store: Store) -> None:
        session = web_sessions.WebSession("t1001", "1001", "csrf", 1.0, 1.0)
        await store.in_transaction(functools.partial(web_sessions.insert, session=session))

    async def work(store: Store) -> None:
        assert await store.add_user("1001", "王芳", Role.AGENT, "s3cret", pin="4321")
        await sign_in(store)
        assert await store.change_user("1001", pin="1234", name="王芳芳")
        assert await store.change_user("1001", role=Role.AGENT)  # the role it had
        assert await signed_in(store)
        assert await store.change_user("1001", role=Role.SUPERVISOR)
        assert not await signed_in(store)
        await sign_in(store)
        assert await store.change_user("1001", password="n3w-pass")
        assert not await signed_in(store)

    run_with_store(tmp_path / "depot.db", work)


def test_store_backup_is_a_complete_copy(tmp_path: Path) -> None:
    async def work(store: Store) -> None:
        await store.record([CallEnded(full_record())])
        await store.backup(tmp_path / "copy.db")

    run_with_store(tmp_path / "depot.db", work)
    assert run_with_store(tmp_path / "copy.db", lambda s: s.calls(0.0, 2e9)) == [full_record()]


def test_store_open_callbacks_virtual_hold_keeps_the_queue_place(tmp_path: Path) -> None:
    later_hold = CallbackRequested("vh2", "2", "", "virtual_hold", "c2", "q", 50.0, 50.0, 20.0)
    earlier_hold = CallbackRequested("vh1", "1", "", "virtual_hold", "c1", "q", 60.0, 60.0, 10.0)
    abandoned = CallbackRequested("ab", "3", "", "abandoned", "c3", "q", 5.0, 30.0, 1.0)

    async def work(store: Store) -> list[str]:
        await store.record([later_hold, earlier_hold, abandoned])
        return [task.task_id for task in await store.open_callback_tasks()]

    assert run_with_store(tmp_path / "depot.db", work) == ["vh1", "vh2", "ab"]


def test_store_concurrent_steps_are_each_kept_whole(tmp_path: Path) -> None:
    def step(i: int) -> list[object]:
        call = f"call-{i}"
        return [
            QueueLogEntry(float(i), call, "q", "NONE", Verb.HANGUP, ("answered",)),
            CallEnded(full_record(call, float(i))),
        ]

    async def work(store: Store) -> tuple[int, int]:
        await asyncio.gather(*(store.record(step(i)) for i in range(200)))
        return len(await store.queue_log(0.0)), len(await store.calls(0.0, 1e9))

    assert run_with_store(tmp_path / "depot.db", work) == (200, 200)


def test_store_last_daemon_start_before_a_time(tmp_path: Path) -> None:
    def start(at_s: float) -> QueueLogEntry:
        return QueueLogEntry(at_s, "NONE", "NONE", "NONE", Verb.QUEUESTART)

    async def work(store: Store) -> tuple[float | None, float | None, float | None]:
        nothing = await store.last_start_s(1e9)
        await store.record([start(100.0), start(5000.0)])
        await store.record([QueueLogEntry(6000.0, "c", "q", "NONE", Verb.INBOUND, ("1", ""))])
        return nothing, await store.last_start_s(4999.0), await store.last_start_s(1e9)

    assert run_with_store(tmp_path / "depot.db", work) == (None, 100.0, 5000.0)
    with sqlite3.connect(tmp_path / "depot.db") as connection:
        plan = connection.execute(
            "EXPLAIN QUERY PLAN SELECT max(time_s) FROM queue_log"
            " WHERE verb = 'QUEUESTART' AND time_s <= 5"
        ).fetchall()
    connection.close()
    assert "queue_log_starts" in str(plan)

"""The thread that owns pjsua2, with plain callables standing in for the library."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest

from drivers.sip import SipLines, SipStack
from drivers.sip.errors import SipError
from drivers.sip.worker import PjsuaWorker


def test_worker_runs_commands_and_timers_on_its_own_thread_in_order() -> None:
    threads: list[str] = []
    worker = PjsuaWorker(lambda: None, lambda wait_ms: None, lambda: None)
    worker.start()
    try:
        order = [worker.submit(lambda n=n: n).result(2) for n in range(5)]
        assert order == [0, 1, 2, 3, 4]
        fired = threading.Event()
        worker.submit(lambda: worker.call_later(0.01, fired.set)).result(2)
        assert fired.wait(2)
        threads.append(worker.submit(lambda: threading.current_thread().name).result(2))
    finally:
        worker.stop()
    assert threads == ["pjsua"]


def test_worker_command_error_reaches_the_caller_and_the_thread_goes_on() -> None:
    worker = PjsuaWorker(lambda: None, lambda wait_ms: None, lambda: None)
    worker.start()
    try:
        with pytest.raises(SipError, match="busy"):
            worker.submit(lambda: (_ for _ in ()).throw(SipError("busy"))).result(2)
        assert worker.submit(lambda: "still here").result(2) == "still here"
    finally:
        worker.stop()


def test_worker_failing_library_is_reported_and_later_commands_fail_fast() -> None:
    exited: list[BaseException | None] = []
    stopped = threading.Event()
    polls = [0]

    def poll(wait_ms: int) -> None:
        polls[0] += 1
        if polls[0] == 3:
            raise RuntimeError("library broke")

    worker = PjsuaWorker(lambda: None, poll, stopped.set, exited.append)
    worker.start()
    assert stopped.wait(2)  # the library was still shut down
    worker.stop()
    assert [type(e) for e in exited] == [RuntimeError]
    with pytest.raises(SipError, match="not running"):
        worker.submit(lambda: 1).result(2)


def test_worker_start_failure_is_raised_by_start() -> None:
    def start() -> None:
        raise SipError("port 5060 in use")

    worker = PjsuaWorker(start, lambda wait_ms: None, lambda: None)
    with pytest.raises(SipError, match="5060"):
        worker.start()


def test_stack_without_pjsua2_stops_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pjsua2", None)  # import pjsua2 → ImportError
    monkeypatch.delitem(sys.modules, "drivers.sip.backend", raising=False)
    lines = SipLines(SipStack(listen="127.0.0.1", port=0))

    with pytest.raises(SipError, match="pjsua2 is not installed"):
        asyncio.run(lines.run(lambda event: None))


def test_worker_with_wake_sleeps_until_woken_and_a_command_ends_the_sleep() -> None:
    """The library's wait stands in as an Event: it returns only when woken (or at the worker's
    longest wait, which would hang this test for the 500 ms if the wake never came)."""
    woken = threading.Event()
    waits: list[int] = []

    def wait_in_library(wait_ms: int) -> None:
        waits.append(wait_ms)
        woken.wait(wait_ms / 1000)
        woken.clear()

    worker = PjsuaWorker(lambda: None, wait_in_library, lambda: None, wake=woken.set)
    worker.start()
    try:
        assert worker.submit(lambda: "done").result(2) == "done"
        worker.submit(lambda: worker.call_later(30.0, lambda: None)).result(2)
        assert worker.submit(lambda: len(waits)).result(2) >= 1
    finally:
        worker.stop()
    idle_waits = [w for w in waits if w > 0]
    assert idle_waits and min(idle_waits) > 100  # asleep in the library, not polling every 5 ms
    assert max(waits) <= 500  # a pending timer never sleeps past the longest wait

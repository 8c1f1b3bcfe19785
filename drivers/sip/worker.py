"""The one thread that owns pjsua2: it waits in the library for SIP and media events and, between
waits, runs the commands other threads hand over, and its own timers. Nothing else calls pjsua2.

A command handed over wakes the thread at once (`wake`, a datagram to the library's own SIP
socket that pjsip drops as a keep-alive), so the thread can sleep in the library until the next
packet, pjsip timer, worker timer or command instead of polling every few milliseconds."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import heapq
import itertools
import logging
import math
import queue
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from drivers.sip.errors import SipError

log = logging.getLogger(__name__)

T = TypeVar("T")
POLL_MS = 5  # without a wake-up: how long a command may wait for the thread
IDLE_WAIT_MS = 500  # with a wake-up: the longest sleep when nothing is due


class PjsuaWorker:
    """Runs `start_library` on a new thread, then loops `poll(wait_ms)` and queued commands until
    `stop`, then runs `stop_library` on the same thread. With `wake` (callable from any thread,
    interrupting `poll`), the wait lasts until the next timer; without it, POLL_MS."""

    def __init__(
        self,
        start_library: Callable[[], None],
        poll: Callable[[int], None],
        stop_library: Callable[[], None],
        on_exit: Callable[[BaseException | None], None] = lambda failure: None,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self._start_library = start_library
        self._poll = poll
        self._stop_library = stop_library
        self._on_exit = on_exit
        self._wake = wake
        self._dead = False
        self._commands: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._timer_order = itertools.count()
        self._thread: threading.Thread | None = None
        self._started = concurrent.futures.Future[None]()
        self._running = False

    @property
    def running(self) -> bool:
        """The library is up and commands are carried out."""
        return self._running and not self._dead

    @property
    def on_worker_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def start(self) -> None:
        """Start the thread and wait until the library is up; its error is raised here."""
        self._thread = threading.Thread(target=self._main, name="pjsua", daemon=True)
        self._thread.start()
        self._started.result()

    def stop(self, timeout_s: float = 10.0) -> None:
        if self._thread is None:
            return
        self._hand_over(None)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.error("the SIP thread did not stop within %.0f s", timeout_s)

    def submit(self, command: Callable[[], T]) -> concurrent.futures.Future[T]:
        """Hand a command to the thread (from any thread); its result or error in a future."""
        future = concurrent.futures.Future[T]()
        if self._dead:
            future.set_exception(SipError("the SIP stack is not running"))
            return future

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            if self._dead:
                future.set_exception(SipError("the SIP stack is not running"))
                return
            try:
                future.set_result(command())
            except BaseException as error:  # handed back to the waiting caller
                future.set_exception(error)

        self._hand_over(run)
        return future

    async def run(self, command: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self.submit(command))

    def post(self, command: Callable[[], Any]) -> None:
        """Queue a command without waiting (used from pjsua's own callbacks and media threads)."""
        self._hand_over(lambda: self._guarded(command))

    def _hand_over(self, command: Callable[[], None] | None) -> None:
        self._commands.put(command)
        if self._wake is not None and not self.on_worker_thread:
            self._wake()  # the worker drains the queue after its wait; its own posts need none

    def call_later(self, delay_s: float, command: Callable[[], Any]) -> None:
        """A timer on the worker thread; only call this on the worker thread."""
        heapq.heappush(self._timers, (time.monotonic() + delay_s, next(self._timer_order), command))

    def cancel_timers(self) -> None:
        """Drop pending timers (at shutdown: what they hold must go before the library)."""
        self._timers.clear()

    def _guarded(self, command: Callable[[], Any]) -> None:
        try:
            command()
        except Exception:
            log.exception("SIP command failed")

    def _main(self) -> None:
        try:
            self._start_library()
        except BaseException as error:
            self._started.set_exception(error)
            return
        self._started.set_result(None)
        self._running = True
        failure: BaseException | None = None
        try:
            while self._running:
                self._poll(self._wait_ms())
                self._run_commands()
                self._run_timers()
        except BaseException as error:  # a bug or a library failure: the stack is gone
            log.exception("the SIP thread failed")
            failure = error
        finally:
            self._stop_library()
            self._refuse_pending()
            self._on_exit(failure)

    def _refuse_pending(self) -> None:
        """After the loop: every command still queued fails instead of waiting for ever."""
        self._dead = True
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            if command is not None:
                self._guarded(command)

    def _run_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            if command is None:
                self._running = False
                return
            self._guarded(command)

    def _wait_ms(self) -> int:
        if self._wake is None:
            return POLL_MS
        if not self._commands.empty():
            return 0
        if not self._timers:
            return IDLE_WAIT_MS
        due_ms = (self._timers[0][0] - time.monotonic()) * 1000
        return max(0, min(IDLE_WAIT_MS, math.ceil(due_ms)))

    def _run_timers(self) -> None:
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _, _, command = heapq.heappop(self._timers)
            self._guarded(command)


class LibraryWake:
    """A UDP socket aimed at the library's own SIP port: CRLFs sent there end the library's wait
    at once, and pjsip drops them as keep-alives. Callable from any thread."""

    def __init__(self) -> None:
        self._socket: socket.socket | None = None

    def open(self, listen: str, port: int) -> None:
        host = listen if listen not in ("", "0.0.0.0") else "127.0.0.1"
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.connect((host, port))
        self._socket = sock

    def wake(self) -> None:
        sock = self._socket
        if sock is not None:
            with contextlib.suppress(OSError):  # a full buffer already means a wake is pending
                sock.send(b"\r\n\r\n")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

"""The admission rule for callers of a line bridged into the SIP media without a SIP leg of its
own (a full-duplex modem line): asked on the pjsua thread, counted with the SIP lines' callers."""

from __future__ import annotations

from collections.abc import Callable

from drivers.roles import AdmissionAnswer
from drivers.sip.errors import SipError
from drivers.sip.worker import PjsuaWorker


class BridgedLineAdmission:
    """One bridged line's `CallerAdmission` (drivers.roles). `take_caller` and `release_caller`
    run on the pjsua thread (LineCalls._take_bridged_caller and _release_bridged_caller)."""

    def __init__(
        self,
        worker: PjsuaWorker,
        take_caller: Callable[[], AdmissionAnswer],
        release_caller: Callable[[], None],
    ) -> None:
        self._worker = worker
        self._take_caller = take_caller
        self._release_caller = release_caller

    async def take(self) -> AdmissionAnswer:
        """Taken if the box can still place the caller's agent leg. With the stack not running
        there is no leg to keep room for: the caller is taken, uncounted."""
        if self._worker.running:
            try:
                return await self._worker.run(self._take_caller)
            except SipError:  # the stack stopped meanwhile
                pass
        return AdmissionAnswer(taken=True)

    def release(self) -> None:
        if self._worker.running:
            self._worker.post(self._release_caller)
        else:  # no pjsua thread to race with
            self._release_caller()

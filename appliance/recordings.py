"""Call recordings kept for their queue's retention (Q8): which files have expired, and the
sweep that deletes them. The call records stay; they keep naming the deleted file."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from appliance.engine.records import CallRecord
from appliance.engine.setup import DepotSetup
from appliance.store import Store

log = logging.getLogger(__name__)

DAY_S = 86400.0
# Calls of a queue that no longer exists keep their recordings this long.
DEFAULT_RETENTION_DAYS = 90


def retention_days(setup: DepotSetup, queue_id: str) -> int:
    for queue in setup.queues:
        if queue.id == queue_id:
            return queue.recording_retention_days
    return DEFAULT_RETENTION_DAYS


def expired(record: CallRecord, setup: DepotSetup, now_s: float) -> bool:
    """A recording is kept `recording_retention_days` after its call ended."""
    return now_s - record.ended_s > retention_days(setup, record.queue) * DAY_S


async def sweep(store: Store, recordings_dir: str, setup: DepotSetup, now_s: float) -> list[str]:
    """Deletes the expired recordings in `recordings_dir`; returns their paths. Files of calls
    still going on (no call record yet) and files no record names are left alone."""
    folder = Path(recordings_dir)
    if not recordings_dir or not folder.is_dir():
        return []
    deleted: list[str] = []
    for path in sorted(folder.glob("*.wav")):
        record = await store.call(path.stem)
        if record is None or Path(record.recording_path).name != path.name:
            continue  # voicemail, a call in progress, or a file that is not a recording
        if not expired(record, setup, now_s):
            continue
        try:
            os.unlink(path)
        except FileNotFoundError:
            continue
        except OSError as error:
            log.warning("cannot delete the expired recording %s: %s", path, error)
            continue
        deleted.append(str(path))
    if deleted:
        log.info("deleted %d recordings past their retention", len(deleted))
    return deleted

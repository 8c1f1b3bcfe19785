"""`depotline backup|restore` in a process that SIGKILLs itself just before its K-th step on
the file system (a rename, a link or a delete): `python kill_at_file_step.py K VERB ARGS…`.
Exit 0 means the command finished before step K."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from appliance import backup

STEPS = ("replace", "rename", "link", "unlink")


def kill_before_step(limit: int) -> None:
    steps = 0

    def counted(original: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kwargs: Any) -> Any:
            nonlocal steps
            steps += 1
            if steps == limit:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(*args, **kwargs)

        return step

    for name in STEPS:
        setattr(os, name, counted(getattr(os, name)))


if __name__ == "__main__":
    kill_before_step(int(sys.argv[1]))
    sys.exit(backup.main(sys.argv[2:]))

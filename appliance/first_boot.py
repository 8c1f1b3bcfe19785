"""The first-boot flag and the login screen's note beside the database (docs/box.md): while the
flag exists and no admin does, the web setup page claims the box; claiming it closes both."""

from __future__ import annotations

import os
from pathlib import Path

FLAG = "first-boot"  # holds `setup_code=NNNNNN`, written by depotline-firstboot
ISSUE = "setup.issue"  # the console's login-screen note, linked from /etc/issue.d


def close(folder: Path, web_port: int) -> bool:
    """The box is claimed: delete the flag, and turn the login screen's note (the daemon cannot
    write /etc/issue.d, which links to it) into where the web pages are, so the console no
    longer shows a code for a page that answers 404. False when there was no flag."""
    flag = folder / FLAG
    if not flag.exists():
        return False
    issue = folder / ISSUE
    if issue.exists():
        partial = issue.with_name(f".{ISSUE}.new")
        # \4 is agetty's escape for the box's IPv4 address
        partial.write_text(
            f"depotline is set up: open http://\\4:{web_port}/ in a browser on this network\n\n",
            encoding="utf-8",
        )
        os.replace(partial, issue)
    flag.unlink(missing_ok=True)
    return True

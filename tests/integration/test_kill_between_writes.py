"""One home for each fact: a depot step killed right after each of its committed writes, then
started again on the same database. Whatever instant the kill hits, the restarted depot shows
one consistent state: the demo's users exist after its first start, and a number is blocked
exactly when the blacklist page lists it (and unblocking it then works)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

from kill_at_write import NUMBER, SUPERVISOR, demo_desk

from appliance import seed
from appliance.desk import DeskError

HARNESS = Path(__file__).with_name("kill_at_write.py")
PROJECT = Path(__file__).resolve().parents[2]
MAX_WRITES = 30  # far more than either step commits


def run_killed(database: Path, scenario: str, limit: int) -> bool:
    """Runs the scenario killed after its `limit`-th commit; False when it finished first."""
    result = subprocess.run(
        [sys.executable, str(HARNESS), str(database), scenario, str(limit)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=PROJECT,
    )
    if result.returncode == 0:
        return False
    assert result.returncode == -signal.SIGKILL, result.stderr
    return True


def test_first_start_killed_after_any_write_leaves_the_supervisor_able_to_sign_in(
    tmp_path: Path,
) -> None:
    killed = 0
    for limit in range(1, MAX_WRITES):
        database = tmp_path / f"kill{limit}.db"
        if not run_killed(database, "first_start", limit):
            break
        killed += 1

        async def after_restart(database: Path = database) -> tuple[str, int]:
            async with demo_desk(str(database)) as desk:
                supervisor_id, _name, password = seed.DEMO_SUPERVISOR
                try:
                    _token, who = await desk.sign_in(supervisor_id, password, "127.0.0.1")
                except DeskError as refused:
                    return str(refused), len(await desk.users())
                return who.agent_id, len(await desk.users())

        signed_in, users = asyncio.run(after_restart())
        assert signed_in == seed.DEMO_SUPERVISOR[0], f"killed after write {limit}: {signed_in}"
        assert users == len(seed.demo_users()), f"killed after write {limit}: {users} users"
    assert killed >= 1, "the first start wrote nothing"


def test_unblocking_killed_after_any_write_leaves_blocked_exactly_what_is_listed(
    tmp_path: Path,
) -> None:
    database = tmp_path / "depot.db"

    async def start_once() -> None:
        async with demo_desk(str(database)):
            pass

    asyncio.run(start_once())
    template = database.read_bytes()
    killed = 0
    for limit in range(1, MAX_WRITES):
        database.write_bytes(template)
        if not run_killed(database, "block_then_unblock", limit):
            break
        killed += 1

        async def after_restart() -> tuple[bool, bool, bool]:
            async with demo_desk(str(database)) as desk:
                listed = NUMBER in await desk.service.blacklist()  # /supervisor/blacklist
                refused = NUMBER in desk.service.setup().blacklist  # what the engine refuses
                if listed:
                    await desk.unblock_number(SUPERVISOR, NUMBER)  # FormError "not_found" if not
                return listed, refused, NUMBER in desk.service.setup().blacklist

        listed, refused, refused_after_unblock = asyncio.run(after_restart())
        assert listed == refused, f"killed after write {limit}: listed {listed}, refused {refused}"
        assert not refused_after_unblock, f"killed after write {limit}: unblocking did not take"

        async def after_another_restart() -> tuple[bool, bool]:
            async with demo_desk(str(database)) as desk:
                return (
                    NUMBER in await desk.service.blacklist(),
                    NUMBER in desk.service.setup().blacklist,
                )

        assert asyncio.run(after_another_restart()) == (False, False), f"after write {limit}"
    assert killed >= 2, "blocking and unblocking wrote too little"

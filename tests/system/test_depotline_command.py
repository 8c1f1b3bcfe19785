"""The installed `depotline` command as a depot owner runs it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

DEPOTLINE = Path(sys.executable).with_name("depotline")
REPO = Path(__file__).resolve().parents[2]
EX_CONFIG = 78
EX_USAGE = 64


def depotline(*args: str, timeout_s: float = 60.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DEPOTLINE), *args], capture_output=True, text=True, timeout=timeout_s, check=False
    )


def test_version_prints_the_package_version() -> None:
    result = depotline("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "depotline 0.1.0"


def test_check_config_on_the_example_file_says_ok_and_exits_0() -> None:
    example = REPO / "docs" / "depotline.example.toml"
    result = depotline("check-config", str(example))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"{example}: OK — lines: fxo0, fxo1, gw1-1, gw1-2; positions: pos1, pos2, usb"
    )


def test_check_config_on_a_wrong_value_exits_78_naming_file_key_value(tmp_path: Path) -> None:
    path = tmp_path / "depotline.toml"
    path.write_text('[[lines]]\nid = "fxo0"\ntype = "modem"\ndevice = "/dev/x"\nmax_call_s = 5\n')
    result = depotline("check-config", str(path))
    assert result.returncode == EX_CONFIG
    assert result.stderr.strip() == (
        f"depotline: {path}: lines[0].max_call_s = 5: expected a number from 60 to 86400"
    )


def test_check_config_on_a_missing_file_exits_78(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    result = depotline("check-config", str(path))
    assert result.returncode == EX_CONFIG
    assert result.stderr.strip() == (
        f"depotline: {path}: cannot read the configuration: No such file or directory"
    )


def test_run_with_an_unknown_key_refuses_to_start_with_78(tmp_path: Path) -> None:
    path = tmp_path / "depotline.toml"
    path.write_text("[web]\nprot = 8080\n")
    result = depotline("run", "--config", str(path))
    assert result.returncode == EX_CONFIG
    assert result.stderr.strip() == (
        f"depotline: {path}: unknown key web.prot = 8080: "
        "expected one of enabled, listen, mask_numbers, port"
    )


def test_simulate_json_prints_the_figures_keys() -> None:
    result = depotline("simulate", "--json", "--calls", "200", "--seed", "3")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    for key in ("offered", "answered", "abandoned", "service_level", "asa_s", "aht_s"):
        assert key in figures, key
    assert figures["offered"] == 200


def test_bench_with_an_unknown_name_lists_the_benchmarks() -> None:
    result = depotline("bench", "teapot")
    assert result.returncode == EX_USAGE
    assert result.stderr.strip() == (
        "depotline: no benchmark called 'teapot'; there are: engine, modem, sip, wallboard, web"
    )


def test_demo_runs_for_its_duration_and_stops_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    args = ("demo", "--no-web", "--no-console", "--speed", "60", "--duration-s", "3")
    result = depotline(*args, "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "depotline is taking calls on 4 lines" in result.stderr
    assert "figures today at stop: answered=" in result.stderr


def test_help_lists_every_command_including_the_box_verbs() -> None:
    result = depotline("--help")
    assert result.returncode == 0
    verbs = ("run", "demo", "check-config", "bench", "simulate", "doctor", "backup", "restore")
    for verb in (*verbs, "firmware", "users"):
        assert f"    {verb}" in result.stdout, verb


def test_backup_is_handed_its_own_arguments() -> None:
    result = depotline("backup", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: depotline backup")


def test_run_with_a_database_folder_missing_says_so_and_exits_74(tmp_path: Path) -> None:
    database = tmp_path / "missing" / "depotline.db"
    path = tmp_path / "depotline.toml"
    path.write_text(
        f'[depot]\ndatabase = "{database}"\n[web]\nenabled = false\n'
        '[[lines]]\nid = "sim"\ntype = "sim"\n'
    )
    result = depotline("run", "--config", str(path))
    assert result.returncode == 74
    assert result.stderr.strip().endswith(
        f"depotline: database {database} cannot be opened; check that its folder exists and"
        " is writable (SQLite: unable to open database file)"
    )


def test_firmware_flash_on_a_missing_port_names_the_port_and_exits_1(tmp_path: Path) -> None:
    port = tmp_path / "board0"
    result = depotline("firmware", "flash", str(port))
    assert result.returncode == 1
    assert result.stderr.startswith(f"depotline: cannot open {port}:")


def add_user(db: Path, args: tuple[str, ...], *, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DEPOTLINE), "users", "--db", str(db), *args],
        input=f"{password}\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_users_add_then_list_and_the_password_signs_in(tmp_path: Path) -> None:
    db = tmp_path / "depot.db"
    admin = ("add", "9001", "--name", "孙主管", "--role", "admin", "--password-stdin")
    added = add_user(db, admin, password="first-admin-pw")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "depotline users: added 9001 (孙主管) as admin"
    listed = depotline("users", "--db", str(db), "list")
    assert listed.stdout.splitlines() == ["9001\tadmin\t孙主管"]

    async def signs_in() -> bool:
        from appliance.store import Store

        store = await Store.open(db)
        try:
            return await store.check_password("9001", "first-admin-pw") is not None
        finally:
            await store.close()

    assert asyncio.run(signs_in())


def test_users_add_with_a_short_password_adds_nobody(tmp_path: Path) -> None:
    db = tmp_path / "depot.db"
    result = add_user(db, ("add", "1001", "--name", "王", "--password-stdin"), password="short")
    assert result.returncode == 65
    assert result.stderr.strip() == (
        "depotline users: the password needs at least 8 characters; nothing was added"
    )
    assert depotline("users", "--db", str(db), "list").stdout == ""


def test_users_add_of_an_admin_closes_the_first_boot_setup_page(tmp_path: Path) -> None:
    db = tmp_path / "depot.db"
    (tmp_path / "first-boot").write_text("setup_code=123456\n")
    (tmp_path / "setup.issue").write_text("setup code 123456\n")
    agent = add_user(db, ("add", "1001", "--name", "王", "--password-stdin"), password="agent-pw-1")
    assert agent.returncode == 0, agent.stderr
    assert (tmp_path / "first-boot").exists()  # an agent does not claim the box
    admin = ("add", "9001", "--name", "站长", "--role", "admin", "--password-stdin")
    result = add_user(db, admin, password="first-admin-pw")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "depotline users: the first-boot setup page is closed"
    assert not (tmp_path / "first-boot").exists()
    shown = (tmp_path / "setup.issue").read_text()  # the login screen's note, no setup code
    assert shown == "depotline is set up: open http://\\4:8080/ in a browser on this network\n\n"


def test_demo_on_a_database_of_another_depot_says_so_and_leaves_it_alone(tmp_path: Path) -> None:
    # a database first started by `depotline run` has that depot's agents, not the demo's: the
    # demo's simulated agents cannot sign in there (it stopped with a traceback)
    db = tmp_path / "depot.db"
    config = tmp_path / "depotline.toml"
    config.write_text(
        f'[depot]\ndatabase = "{db}"\n[web]\nenabled = false\n[[lines]]\nid = "sim"\ntype = "sim"\n'
    )
    with subprocess.Popen(
        [str(DEPOTLINE), "run", "--config", str(config)], stderr=subprocess.PIPE, text=True
    ) as run:
        assert run.stderr is not None
        for line in run.stderr:
            if "depotline is taking calls" in line:
                break
        run.terminate()
        run.communicate(timeout=30)
    args = ("demo", "--no-web", "--no-console", "--speed", "60", "--duration-s", "5")
    result = depotline(*args, "--db", str(db))
    assert result.returncode == 64, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"depotline: {db} is another depot's database (it has no agent 1001, 1002, 1003, 1004,"
        " 1005, 2001 of the demo's): give the demo a new file with --db, or leave --db out"
    )

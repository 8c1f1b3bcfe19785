"""`depotline firmware flash`: the running firmware hands back its REPL, then mpremote copies
the board's files (a stand-in mpremote records what it was asked)."""

import json
import sys
import time
from pathlib import Path

import pytest

from drivers.wallboard import flash
from drivers.wallboard.board_sim import SimulatedBoard


def fake_mpremote(tmp_path: Path, exit_code: int = 0) -> tuple[Path, Path]:
    record = tmp_path / "argv.json"
    script = tmp_path / "mpremote"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"json.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n"
        f"print('could not enter raw repl', file=sys.stderr)\nsys.exit({exit_code})\n"
    )
    script.chmod(0o755)
    return script, record


def test_running_firmware_stops_for_flashing_when_asked(tmp_path: Path) -> None:
    board = SimulatedBoard(str(tmp_path / "board0"))
    board.start()
    try:
        firmware = board.firmware
        assert firmware is not None and firmware.running
        assert flash.request_repl(board.path)
        deadline = time.monotonic() + 2
        while firmware.running and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not firmware.running
    finally:
        board.stop()


def test_flash_copies_every_board_file_and_main_then_resets(tmp_path: Path) -> None:
    board = SimulatedBoard(str(tmp_path / "board0"))
    board.start()
    mpremote, record = fake_mpremote(tmp_path)
    try:
        flash.flash(board.path, mpremote=str(mpremote))
    finally:
        board.stop()
    argv = json.loads(record.read_text())
    assert argv[:2] == ["connect", board.path]
    copies = [i for i, word in enumerate(argv) if word == "cp"]
    board_files = argv[copies[0] + 1 : argv.index(":wallboard/")]
    assert [Path(name).name for name in board_files] == list(flash.BOARD_FILES)
    assert all(Path(name).is_file() for name in board_files)
    assert argv[copies[1] + 1 : copies[1] + 3] == [str(flash.FIRMWARE_DIR / "main.py"), ":main.py"]
    assert argv[-1] == "reset"
    assert "fake_hal.py" not in " ".join(argv)


def test_flash_failure_names_the_port_and_mpremote_message(tmp_path: Path) -> None:
    board = SimulatedBoard(str(tmp_path / "board0"))
    board.start()
    mpremote, _ = fake_mpremote(tmp_path, exit_code=1)
    try:
        with pytest.raises(flash.FlashError, match="could not enter raw repl") as error:
            flash.flash(board.path, mpremote=str(mpremote))
    finally:
        board.stop()
    assert board.path in str(error.value)


def test_every_board_module_is_flashed() -> None:
    """A firmware module missing from the list would fail to import on the board."""
    on_disk = {p.name for p in (flash.FIRMWARE_DIR / "wallboard").glob("*.py")}
    assert on_disk - set(flash.BOARD_FILES) == {"fake_hal.py"}

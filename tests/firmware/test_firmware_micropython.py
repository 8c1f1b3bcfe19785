"""The firmware's protocol, link receiver and renderer give the same bytes under real
MicroPython (the official WebAssembly port, from npm) as under CPython."""

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
FIRMWARE = HERE.parents[1] / "firmware"
SCRIPT = HERE / "same_everywhere.py"
PORT = HERE / "node_modules" / "@micropython" / "micropython-webassembly-pyscript"


def _under_cpython() -> str:
    code = f"import sys; sys.path.insert(0, {str(FIRMWARE)!r}); exec(open({str(SCRIPT)!r}).read())"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout


def _under_micropython() -> str:
    node = shutil.which("node")
    assert node is not None and PORT.is_dir(), (
        "MicroPython's WebAssembly port is not installed: run `make test` (it runs "
        "`npm ci` in tests/firmware) — these tests do not skip"
    )
    result = subprocess.run(
        [node, "run_micropython.mjs", str(FIRMWARE), str(SCRIPT)],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"MicroPython failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_firmware_gives_the_same_frames_acks_and_frame_buffers_under_micropython() -> None:
    cpython = _under_cpython()
    micropython = _under_micropython()
    assert "crc 28561 " in cpython  # 0x6F91: the script really ran the protocol
    assert cpython.count("\n") > 30
    assert micropython.splitlines() == cpython.splitlines()


def test_micropython_reports_its_own_implementation() -> None:
    """Guards against the comparison silently running CPython twice."""
    probe = HERE / "node_modules" / ".probe_implementation.py"
    assert PORT.is_dir(), "run `make test` (it installs tests/firmware/node_modules)"
    probe.write_text("import sys\nprint(sys.implementation.name)\n")
    try:
        result = subprocess.run(
            ["node", "run_micropython.mjs", str(FIRMWARE), str(probe)],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        probe.unlink()
    assert result.stdout.strip() == "micropython"

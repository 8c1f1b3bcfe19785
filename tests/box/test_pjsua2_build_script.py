"""image_build/pjsua2/build.sh before it compiles anything: a missing or wrong pjproject tarball
stops the build with a message saying where to put the right one, and nothing is cached."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
BUILD = PROJECT / "image_build" / "pjsua2" / "build.sh"
SHA256 = "380bb718c991a662a15288210d580861ab4ce25222f50043313159ad3f267b8e"
# the vendored copy beside the checkout (the script names it relative to the checkout)
VENDOR = PROJECT.parent / "shared" / "vendor" / "pjproject-2.15.1.tar.gz"


def run_build(tmp_path: Path, tarball: Path) -> subprocess.CompletedProcess[str]:
    # an empty cache of its own, so the machine's cached wheel is not simply installed
    env = dict(os.environ, PJSUA2_CACHE=str(tmp_path / "cache"), PYTHON=sys.executable)
    env["PJPROJECT_TARBALL"] = str(tarball)  # never the upstream URL: tests stay on the box
    return subprocess.run(
        ["sh", str(BUILD)], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_pjsua2_build_missing_tarball_stops_and_says_where_to_put_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "pjproject-2.15.1.tar.gz"
    result = run_build(tmp_path, missing)
    assert result.returncode == 1
    assert result.stderr.startswith(f"pjsua2 build: {missing} does not exist.")
    put_in = result.stderr.split("Put pjproject-2.15.1.tar.gz in\n  ", 1)[1].split("\n", 1)[0]
    assert os.path.normpath(put_in) == str(VENDOR)
    assert "or set PJPROJECT_TARBALL=/path/to/pjproject-2.15.1.tar.gz" in result.stderr
    assert not (tmp_path / "cache").exists()


def test_pjsua2_build_tarball_with_wrong_sha256_stops_naming_both_sums(tmp_path: Path) -> None:
    wrong = tmp_path / "pjproject-2.15.1.tar.gz"
    wrong.write_bytes(b"not the pjproject release\n")
    wrong_sum = hashlib.sha256(wrong.read_bytes()).hexdigest()
    result = run_build(tmp_path, wrong)
    assert result.returncode == 1
    assert f"{wrong} has sha256 {wrong_sum}, not pjproject 2.15.1's {SHA256}." in result.stderr
    replace_in = result.stderr.split("release tarball (in ", 1)[1].split(" or ", 1)[0]
    assert os.path.normpath(replace_in) == str(VENDOR)
    assert "building pjproject" not in result.stdout  # stopped before unpacking anything
    assert not (tmp_path / "cache").exists()

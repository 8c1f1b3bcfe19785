"""image_build/build.sh, the pi-gen driver, up to the point where it hands over to pi-gen
(which cannot run here): it refuses to build without a password or the pjproject tarball, and
it gives pi-gen a config that builds Raspberry Pi OS Lite plus the depotline stage only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
BUILD = PROJECT / "image_build" / "build.sh"

# Stands in for pi-gen's own build.sh: keeps the config it was given and the stage it would run.
PI_GEN_BUILD = """#!/bin/sh
set -e
[ "$1" = "-c" ]
cp "$2" "$(dirname "$0")/given-config"
ls "$(dirname "$0")"/stage2 > "$(dirname "$0")/stage2-listing"
"""


def fake_pi_gen(tmp_path: Path) -> Path:
    pi_gen = tmp_path / "pi-gen"
    (pi_gen / "stage2").mkdir(parents=True)
    (pi_gen / "stage2" / "EXPORT_IMAGE").write_text("IMG_SUFFIX=-lite\n")
    (pi_gen / "build.sh").write_text(PI_GEN_BUILD)
    (pi_gen / "build.sh").chmod(0o755)
    return pi_gen


def run_build(pi_gen: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FIRST_USER_PASS",)}
    env.update(environment, PYTHON=sys.executable)
    return subprocess.run(
        [str(BUILD), str(pi_gen)], capture_output=True, text=True, env=env, timeout=180, check=False
    )


def test_build_refuses_to_make_an_image_without_a_password(tmp_path: Path) -> None:
    result = run_build(fake_pi_gen(tmp_path), PJPROJECT_TARBALL="/nonexistent")
    assert result.returncode != 0
    assert "FIRST_USER_PASS" in result.stderr and "no default password" in result.stderr


def test_build_refuses_without_the_pjproject_tarball(tmp_path: Path) -> None:
    result = run_build(
        fake_pi_gen(tmp_path), FIRST_USER_PASS="s3cret", PJPROJECT_TARBALL="/nonexistent.tgz"
    )
    assert result.returncode != 0
    assert "/nonexistent.tgz does not exist" in result.stderr


def test_build_hands_pi_gen_the_lite_stages_and_the_depotline_stage(tmp_path: Path) -> None:
    pi_gen = fake_pi_gen(tmp_path)
    tarball = tmp_path / "pjproject-2.15.1.tar.gz"
    tarball.write_bytes(b"stand-in")
    result = run_build(pi_gen, FIRST_USER_PASS="s3cret", PJPROJECT_TARBALL=str(tarball))
    assert result.returncode == 0, result.stderr
    config = dict(line.split("=", 1) for line in (pi_gen / "given-config").read_text().splitlines())
    stage = PROJECT / "image_build" / "stage-depotline"
    assert config["STAGE_LIST"] == f'"stage0 stage1 stage2 {stage}"'
    assert config["FIRST_USER_PASS"] == "'s3cret'"
    assert config["DISABLE_FIRST_BOOT_USER_RENAME"] == "1"
    assert config["RELEASE"] == "bookworm"
    # only the depotline stage exports an image
    assert (pi_gen / "stage2-listing").read_text().split() == ["SKIP_IMAGES"]
    assert (stage / "EXPORT_IMAGE").is_file()
    files = stage / "01-depotline" / "files"
    assert sorted(p.name for p in files.glob("depotline-*.whl")) == [
        "depotline-0.1.0-py3-none-any.whl"
    ]
    assert (files / "pjproject-2.15.1.tar.gz").read_bytes() == b"stand-in"
    shutil.rmtree(files)  # build output (git-ignored); a real build assembles it afresh

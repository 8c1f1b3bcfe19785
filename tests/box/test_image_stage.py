"""The image's depotline stage, run as far as this machine allows: on a Debian bookworm root
built by debootstrap (pi-gen's stage2 stands in for it on the build host), the stage installs
depotline into /opt/depotline/venv from the wheel and requirements.lock, creates the user and
its directories, and enables the units; then depotline runs inside it with chroot.

Needs root, debootstrap and a Debian mirror (the one apt uses). It does not skip in CI: if the
mirror cannot be reached, it fails and says so. The debootstrap root is cached for the day."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
IMAGE_BUILD = PROJECT / "image_build"
PACKAGES = IMAGE_BUILD / "stage-depotline/01-depotline/00-packages"
UNITS = [
    "depotline.service",
    "depotline-backup.service",
    "depotline-backup.timer",
    "depotline-firstboot.service",
    "depotline-issue.path",
    "depotline-issue.service",
]
# started by their timer or path unit, not enabled themselves
STARTED_BY_OTHER_UNITS = ("depotline-backup.service", "depotline-issue.service")

pytestmark = pytest.mark.timeout(400)


def _mirror() -> str:
    """The Debian mirror apt is configured with (deb822 or one-line sources)."""
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for source in sources:
        with contextlib.suppress(OSError):
            text = source.read_text()
            for stanza in text.split("\n\n"):
                uris = re.search(r"^URIs:\s*(\S+)", stanza, re.M)
                suites = re.search(r"^Suites:\s*(.+)$", stanza, re.M)
                if uris and suites and "bookworm" in suites[1].split():
                    return uris[1]
            for line in text.splitlines():
                fields = line.split()
                if fields[:1] == ["deb"] and "bookworm" in fields:
                    return next(field for field in fields[1:] if "://" in field)
    return "http://deb.debian.org/debian"


def _run(
    argv: list[str], *, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, capture_output=True, text=True, check=False, timeout=timeout, env=env
    )


@pytest.fixture(scope="module")
def debian_root_tar() -> Path:
    """A tarball of `debootstrap --variant=minbase bookworm` with the stage's packages, built
    once a day per package list (a lock keeps parallel runs from building it twice)."""
    if os.geteuid() != 0 or shutil.which("debootstrap") is None:
        message = "the image stage test needs root and debootstrap (.ci/setup-system)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    packages = [
        line.strip()
        for line in PACKAGES.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    digest = hashlib.sha256(" ".join(packages).encode()).hexdigest()[:12]
    key = f"{time.strftime('%Y%m%d')}-{digest}"
    cache = Path(tempfile.gettempdir()) / f"depotline-debootstrap-{key}.tar"
    with open(f"{cache}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if cache.exists():
            return cache
        mirror = _mirror()
        with tempfile.TemporaryDirectory(prefix="depotline-debootstrap-") as work:
            root = Path(work) / "root"
            result = _run(
                [
                    "debootstrap",
                    "--variant=minbase",
                    f"--include={','.join(packages)}",
                    "bookworm",
                    str(root),
                    mirror,
                ],
                timeout=300,
            )
            if result.returncode != 0:
                pytest.fail(
                    f"debootstrap from {mirror} failed (is the Debian mirror reachable?):\n"
                    + (result.stdout + result.stderr)[-3000:]
                )
            partial = cache.with_suffix(".partial")
            subprocess.run(["tar", "-C", str(root), "-cf", str(partial), "."], check=True)
            partial.rename(cache)
    return cache


@pytest.fixture(scope="module")
def staged_root(debian_root_tar: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="depotline-image-") as work:
        root = Path(work) / "root"
        root.mkdir()
        subprocess.run(["tar", "-C", str(root), "-xf", str(debian_root_tar)], check=True)
        files = Path(work) / "files"
        assembled = _run(
            [str(IMAGE_BUILD / "assemble-files.sh"), str(files)],
            env=dict(os.environ, PYTHON=sys.executable),
            timeout=120,
        )
        assert assembled.returncode == 0, assembled.stderr
        staged = _run([str(IMAGE_BUILD / "check-stage.sh"), str(root), str(files)], timeout=300)
        assert staged.returncode == 0, (staged.stdout + staged.stderr)[-4000:]
        yield root


def chroot(root: Path, *argv: str, user: str = "") -> subprocess.CompletedProcess[str]:
    """Runs a command in the image with /proc, /dev and /sys in a private mount namespace."""
    userspec = ["--userspec", f"{user}:{user}"] if user else []
    script = (
        'mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" && '
        'mount --rbind /sys "$0/sys" && exec chroot "$@"'
    )
    return _run(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            str(root),
            *userspec,
            str(root),
            *argv,
        ],
        timeout=120,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8"},
    )


def test_stage_installs_depotline_in_its_venv_with_the_locked_versions(staged_root: Path) -> None:
    version = chroot(staged_root, "depotline", "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.split() == ["depotline", "0.1.0"]
    assert os.path.realpath(staged_root / "usr/local/bin/depotline").endswith(
        "/opt/depotline/venv/bin/depotline"
    )
    frozen = chroot(staged_root, "/opt/depotline/venv/bin/pip", "freeze", "--all")
    installed = set(frozen.stdout.split())
    locked = {
        line.strip()
        for line in (IMAGE_BUILD / "requirements.lock").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert locked <= installed
    # pjsua2 from the pjproject source with config_site.h (this machine's cached wheel on
    # x86_64, pjsua2/build.sh in the chroot on the Pi), never the 4-leg PyPI wheel
    limits = chroot(
        staged_root,
        "/opt/depotline/venv/bin/python",
        "-c",
        "import pjsua2, pjsua2_build; print(pjsua2_build.LIMITS['max_calls'])",
    )
    site = (IMAGE_BUILD / "pjsua2" / "config_site.h").read_text()
    max_calls = re.search(r"^#define PJSUA_MAX_CALLS\s+(\d+)$", site, re.M)
    assert max_calls is not None and limits.stdout.split() == [max_calls[1]], limits.stderr


def test_stage_creates_the_user_in_the_device_groups_and_its_directories(
    staged_root: Path,
) -> None:
    groups = chroot(staged_root, "id", "-nG", "depotline").stdout.split()
    assert sorted(groups) == ["audio", "depotline", "dialout", "gpio"]
    listing = chroot(
        staged_root,
        "stat",
        "-c",
        "%U:%G %a %n",
        "/var/lib/depotline",
        "/var/lib/depotline/backups",
        "/etc/depotline/depotline.toml",
        "/var/lib/depotline/first-boot",
    )
    assert listing.stdout.splitlines() == [
        "depotline:depotline 750 /var/lib/depotline",
        "depotline:depotline 750 /var/lib/depotline/backups",
        "root:depotline 640 /etc/depotline/depotline.toml",
        "depotline:depotline 640 /var/lib/depotline/first-boot",
    ]
    # systemd requires every mount under the daemon's StateDirectory: an fstab line for a data
    # partition the box does not have would keep depotline from starting
    fstab = (staged_root / "etc/fstab").read_text()
    assert not [line for line in fstab.splitlines() if "/var/lib/depotline" in line]


def test_stage_enables_the_units_and_systemd_verifies_them_in_the_image(
    staged_root: Path,
) -> None:
    started_by_systemd = [unit for unit in UNITS if unit not in STARTED_BY_OTHER_UNITS]
    enabled = _run(["systemctl", f"--root={staged_root}", "is-enabled", *started_by_systemd])
    assert enabled.stdout.split() == ["enabled"] * len(started_by_systemd)
    verify = _run(["systemd-analyze", "verify", f"--root={staged_root}", *UNITS], timeout=120)
    # inside the image the programs exist, so verify has nothing at all to report
    assert (verify.returncode, verify.stdout + verify.stderr) == (0, "")


def test_doctor_runs_in_the_image_and_finds_nothing_broken(staged_root: Path) -> None:
    # the module `depotline doctor` runs (and depotline-firstboot uses)
    result = chroot(
        staged_root,
        "/opt/depotline/venv/bin/python",
        "-m",
        "appliance.doctor",
        "--config",
        "/etc/depotline/depotline.toml",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK    config    /etc/depotline/depotline.toml is valid; lines: none" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("0 failed")


def test_image_speaks_a_new_queues_menu_entry_as_the_settings_page_does(
    staged_root: Path,
) -> None:
    # espeak-ng, sox and pypinyin in the image: "generate speech" on the settings page works
    script = (
        "import pathlib, tempfile\n"
        "from appliance.prompts.speech import synthesise\n"
        "work = pathlib.Path(tempfile.mkdtemp())\n"
        "synthesise('救援请按4。', 'zh-CN', work / 'out.wav', work)\n"
        "print((work / 'out.wav').stat().st_size)\n"
    )
    result = chroot(staged_root, "/opt/depotline/venv/bin/python", "-c", script, user="depotline")
    assert result.returncode == 0, result.stdout + result.stderr
    assert int(result.stdout.split()[-1]) > 8000


def test_backup_runs_as_the_depotline_user_as_the_nightly_unit_does(staged_root: Path) -> None:
    create = (
        "import asyncio; from appliance.store import Store\n"
        "async def main():\n"
        "    store = await Store.open('/var/lib/depotline/depotline.db')\n"
        "    await store.close()\n"
        "asyncio.run(main())\n"
    )
    made = chroot(staged_root, "/opt/depotline/venv/bin/python", "-c", create, user="depotline")
    assert made.returncode == 0, made.stderr
    service = (PROJECT / "systemd/depotline-backup.service").read_text()
    exec_start = re.search(r"^ExecStart=(.+)$", service, re.M)
    user = re.search(r"^User=(.+)$", service, re.M)
    assert exec_start and user
    taken = chroot(staged_root, *exec_start[1].split(), user=user[1])
    assert taken.returncode == 0, taken.stdout + taken.stderr
    copies = list((staged_root / "var/lib/depotline/backups").glob("depotline-nightly-*"))
    assert sorted(path.suffix for path in copies) == [".db", ".json", ".toml"]


def test_udev_reads_the_rules_in_the_image_without_complaint(staged_root: Path) -> None:
    rules = staged_root / "etc/udev/rules.d/98-depotline-ports.rules"
    rules.write_text(
        'SUBSYSTEM=="tty", KERNELS=="1-1.2:1.0", ATTRS{idVendor}=="0572", '
        'ATTRS{idProduct}=="1340", GROUP="dialout", MODE="0660", '
        'ENV{ID_MM_DEVICE_IGNORE}="1", SYMLINK+="depotline/fxo0"\n'
    )
    device = next(p.name for p in sorted(Path("/sys/class/tty").iterdir()))
    result = chroot(staged_root, "udevadm", "test", "--action=add", f"/class/tty/{device}")
    output = result.stdout + result.stderr
    assert "Reading rules file: /usr/lib/udev/rules.d/99-depotline.rules" in output
    assert "Reading rules file: /etc/udev/rules.d/98-depotline-ports.rules" in output
    complaints = [
        line for line in output.splitlines() if "depotline" in line and "Reading" not in line
    ]
    assert complaints == []


def test_first_boot_arms_the_setup_page_with_a_code_shown_on_the_console(
    staged_root: Path,
) -> None:
    result = chroot(staged_root, "/opt/depotline/bin/depotline-firstboot")
    assert result.returncode == 0, result.stdout + result.stderr
    flag = staged_root / "var/lib/depotline/first-boot"
    code = re.fullmatch(r"setup_code=(\d{6})\n", flag.read_text())
    assert code, flag.read_text()
    owner = chroot(staged_root, "stat", "-c", "%U %a", "/var/lib/depotline/first-boot")
    assert owner.stdout.split() == ["depotline", "640"]
    issue = staged_root / "etc/issue.d/depotline.issue"
    assert os.readlink(issue) == "/var/lib/depotline/setup.issue"
    shown = (staged_root / "var/lib/depotline/setup.issue").read_text()
    assert f"setup code {code[1]}" in shown and "http://\\4:8080/setup" in shown
    assert f"setup code {code[1]}" in result.stdout  # and in the journal
    ports = (staged_root / "etc/udev/rules.d/98-depotline-ports.rules").read_text()
    assert ports.startswith("# Written by `depotline doctor udev-rules --write`")

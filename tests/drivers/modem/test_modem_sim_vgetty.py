"""The modem simulator checked against an independent V.253 client: vgetty (Debian mgetty-voice,
`forceV253 true`) answers a simulated call on the pty, plays its greeting, beeps and records.
vgetty reads its config only from fixed paths, so it runs inside `unshare -m` with private
directories bind-mounted over them; the machine's own files are untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from drivers.modem.sim import ModemSimulator

VGETTY = "/usr/sbin/vgetty"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None or not os.path.exists(VGETTY)
    or shutil.which("pvftormd") is None,
    reason="needs root, unshare (util-linux), vgetty (mgetty-voice) and pvftormd (mgetty-pvftools)",
)  # fmt: skip

VOICE_CONF = """part generic
voice_log_level 4
forceV253 true
voice_dir /var/spool/voice
message_dir /var/spool/voice/messages
backup_message standard.rmd
receive_dir /var/spool/voice/incoming
rec_min_len 0
rec_max_len 5
rec_compression 8
rec_speed 8000
do_hard_flow true
program vgetty
answer_mode voice
"""

# What vgetty does with a call, from answering to hanging up (our caller hangs up with busy
# tone while it records).
ANSWER_SEQUENCE = [
    "> AT+VLS=1", "< OK",
    "> AT+VSM=1,8000", "< OK", "> AT+VSM=1,8000", "< OK", "> AT+IFC=2,2", "< OK",
    "> AT+VTX", "< CONNECT", "> <audio>", "> <DLE ETX>", "< OK",
    "> AT+VTS=[933,,150]", "< OK",
    "> AT+VSM=1,8000", "< OK", "> AT+VSM=1,8000", "< OK", "> AT+IFC=2,2", "< OK",
    "> AT+VRX", "< CONNECT", "< <audio>", "< <DLE b>", "> <DLE !>", "< <DLE ETX>", "< OK",
    "> AT+VLS=0", "< OK",
]  # fmt: skip


def test_vgetty_answers_simulated_call_and_caller_hears_its_greeting(tmp_path: Path) -> None:
    etc, spool, logs, lock = (tmp_path / d for d in ("etc", "spool", "log", "lock"))
    for directory in (etc, logs, lock, spool / "messages", spool / "incoming"):
        directory.mkdir(parents=True)
    subprocess.run(
        "pvfsine -F 440 -L 1 g.pvf && pvftormd V253modem 8 g.pvf standard.rmd",
        shell=True,
        check=True,
        cwd=spool / "messages",
        capture_output=True,
    )
    greeting = (spool / "messages" / "standard.rmd").read_bytes()[32:]  # after the rmd header

    with ModemSimulator("generic", ring_interval_s=1.0) as sim:
        tty = sim.device.removeprefix("/dev/")
        (etc / "mgetty.config").write_text(
            f"port {tty}\n  speed 38400\n  toggle-dtr no\n  rings 2\n"
        )
        (etc / "voice.conf").write_text(VOICE_CONF)
        script = "\n".join(
            [
                "set -e",
                f"mount --bind {etc} /etc/mgetty",
                f"mount --bind {spool} /var/spool/voice",
                f"mount --bind {logs} /var/log/mgetty",
                f"mount --bind {lock} /run/lock",
                f"exec {VGETTY} -x 4 {tty}",
            ]
        )
        vgetty = subprocess.Popen(["unshare", "-m", "sh", "-c", script])
        try:
            assert sim.wait_for_line("> AT+VDR=1,15", timeout_s=10), sim.transcript
            # vgetty flushes the line for ~0.8 s after its init and may miss the first ring;
            # it then simply answers a ring later (the caller-ID block counts as a ring too).
            sim.incoming_call("0151234567", "VGETTY TEST")
            assert sim.wait_for_line("< <audio>", timeout_s=20), sim.transcript
            sim.hang_up("busy_tone")
            assert vgetty.wait(timeout=20) is not None
        finally:
            if vgetty.poll() is None:
                vgetty.kill()
                vgetty.wait()

        transcript = sim.transcript

    start = transcript.index("> AT+VLS=1")
    assert transcript[start : start + len(ANSWER_SEQUENCE)] == ANSWER_SEQUENCE
    init = transcript[:start]
    for command in ("> AT+FCLASS=8", "> AT+VSM=?", "> AT+VCID=1", "> AT+VIT=0", "> AT+VDR=1,15"):
        assert command in init
    assert "< NMBR=0151234567" in init
    assert sim.heard == greeting  # the caller heard vgetty's whole greeting, byte for byte
    assert not sim.offhook
    assert list((spool / "incoming").iterdir()), "vgetty kept no recording of the caller"

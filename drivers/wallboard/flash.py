"""`depotline firmware flash PORT`: installs firmware/wallboard on the board with mpremote.

A board already running the firmware is first asked (over the link) to hand back its REPL,
since the firmware ignores Ctrl-C so that frame bytes cannot stop it.
"""

from __future__ import annotations

import logging
import subprocess
import time
from pathlib import Path

from drivers.roles import DriverError
from firmware.wallboard import protocol as p

log = logging.getLogger(__name__)

# From a module file: with an editable install `firmware` itself can be a namespace package.
FIRMWARE_DIR = Path(p.__file__).resolve().parents[1]
# What runs on the board; fake_hal.py and the generator stay behind.
BOARD_FILES = (
    "__init__.py",
    "protocol.py",
    "labels.py",
    "glyphs.py",
    "render.py",
    "display.py",
    "hal.py",
    "app.py",
    "config.py",
)
_MKDIR = "import os\ntry:\n    os.mkdir('wallboard')\nexcept OSError:\n    pass"


class FlashError(DriverError):
    """mpremote is missing or could not install the firmware."""


def mpremote_command(port: str, mpremote: str = "mpremote") -> list[str]:
    sources = [str(FIRMWARE_DIR / "wallboard" / name) for name in BOARD_FILES]
    return [
        mpremote, "connect", port,
        "exec", _MKDIR, "+",
        "cp", *sources, ":wallboard/", "+",
        "cp", str(FIRMWARE_DIR / "main.py"), ":main.py", "+",
        "reset",
    ]  # fmt: skip


def request_repl(port: str, timeout_s: float = 1.0) -> bool:
    """Asks running depotline firmware to stop; False when nothing answered (no firmware)."""
    import serial

    try:
        link = serial.Serial(port, 115200, timeout=0.05, exclusive=True)
    except (serial.SerialException, OSError) as error:
        raise FlashError(f"cannot open {port}: {error}") from error
    reader = p.FrameReader()
    seq = 0
    deadline_s = time.monotonic() + timeout_s
    try:
        link.reset_input_buffer()
        link.write(p.encode_frame(seq, bytes([p.MSG_REPL])))
        while time.monotonic() < deadline_s:
            for ack_seq, payload in reader.feed(link.read(256)):
                if payload:
                    continue
                if ack_seq == (seq + 1) & p.SEQ_MASK:
                    return True
                seq = ack_seq  # it expects another sequence number: ask again with that
                link.write(p.encode_frame(seq, bytes([p.MSG_REPL])))
    finally:
        link.close()
    return False


def flash(port: str, *, mpremote: str = "mpremote") -> None:
    if request_repl(port):
        log.info("the wallboard firmware on %s stopped for flashing", port)
    command = mpremote_command(port, mpremote)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except FileNotFoundError as error:
        raise FlashError(f"{mpremote} not found: `pip install mpremote`") from error
    except subprocess.TimeoutExpired as error:
        raise FlashError(f"mpremote did not finish within 120 s on {port}") from error
    if result.returncode != 0:
        raise FlashError(
            f"mpremote could not install the firmware on {port} "
            f"(exit {result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
        )
    log.info("wallboard firmware installed on %s", port)

"""Runs depotline's pjsua2 set-up (drivers.sip.library.Library: SIP transport, null sound
device clocking the conference bridge, G.711) with a tone generator recorded through the bridge,
in a process that may never map memory writable and executable — the rule systemd's
MemoryDenyWriteExecute=yes enforces, applied here with the kernel's PR_SET_MDWE. Prints
"recorded N bytes" on success. Run: python pjsua2_under_mdwe.py WAV_PATH."""

from __future__ import annotations

import ctypes
import mmap
import os
import sys
import time

PR_SET_MDWE = 65
PR_MDWE_REFUSE_EXEC_GAIN = 1


def forbid_write_execute() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        sys.exit(f"PR_SET_MDWE not supported here (errno {ctypes.get_errno()})")
    try:
        mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    except PermissionError:
        return
    sys.exit("PR_SET_MDWE set but a writable executable mapping was still allowed")


def main(wav_path: str) -> None:
    forbid_write_execute()
    import pjsua2 as pj

    from drivers.sip.library import Library

    library = Library()
    library.start("127.0.0.1", 0, 0, "", False, max_calls=4, on_refused=lambda *_: None)
    tone = pj.ToneGenerator()
    tone.createToneGenerator(8000, 1)
    recorder = pj.AudioMediaRecorder()
    recorder.createRecorder(wav_path)
    tone.startTransmit(recorder)
    digits = pj.ToneDigitVector()
    for digit in "123456789":
        tone_digit = pj.ToneDigit()
        tone_digit.digit = digit
        tone_digit.on_msec = 100
        tone_digit.off_msec = 50
        digits.append(tone_digit)
    tone.playDigits(digits, True)
    deadline = time.monotonic() + 20
    # 8 kHz 16-bit: a second of audio is 16 000 bytes after the 44-byte header
    while os.path.getsize(wav_path) < 16_044 and time.monotonic() < deadline:
        library.poll(20)
    tone.stopTransmit(recorder)
    size = os.path.getsize(wav_path)
    del recorder, tone
    library.destroy()
    print(f"recorded {size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])

"""The caller prompt set: generated WAV files per language (`<lang>/<name>.wav`, µ-law 8 kHz
mono) and hold music (`music/hold.wav`), any of which a recorded file of the same name in the
override directory replaces; speech generated on the box sits in its `generated/` folder."""

from __future__ import annotations

import os
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent
MUSIC_LANGUAGE = "music"  # hold music lives in `music/`, looked up like a language
HOLD_MUSIC = "hold"
# Speech generated on the box (a new queue's menu entry) lives beside the recordings, in a
# folder of its own, so a recording of the same prompt always wins over it.
GENERATED_FOLDER = "generated"


def generated_dir(override_dir: str | os.PathLike[str]) -> Path:
    """Where speech generated on the box is kept (`<override_dir>/generated/<lang>/…`)."""
    return Path(override_dir) / GENERATED_FOLDER


def prompt_dirs(override_dir: str | os.PathLike[str] = "") -> tuple[str, ...]:
    """Directories to search for a prompt, first match wins: recorded overrides, speech
    generated on the box, then the shipped set. The drivers receive this tuple as plain paths."""
    dirs = [os.fspath(override_dir), os.fspath(generated_dir(override_dir))] if override_dir else []
    return (*dirs, str(PROMPTS_DIR))


def find_prompt(name: str, language: str, override_dir: str | os.PathLike[str] = "") -> Path:
    """The WAV file to play for prompt `name` in `language` (recorded override preferred)."""
    for directory in prompt_dirs(override_dir):
        candidate = Path(directory) / language / f"{name}.wav"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no prompt {name!r} for language {language!r} in the prompt set")

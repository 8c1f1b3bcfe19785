"""The caller prompt set: generated WAV files per language (`<lang>/<name>.wav`, µ-law 8 kHz
mono) and hold music (`music/hold.wav`), any of which a recorded file of the same name in the
override directory replaces."""

from __future__ import annotations

import os
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent
MUSIC_LANGUAGE = "music"  # hold music lives in `music/`, looked up like a language
HOLD_MUSIC = "hold"


def prompt_dirs(override_dir: str | os.PathLike[str] = "") -> tuple[str, ...]:
    """Directories to search for a prompt, first match wins: recorded overrides, then the
    generated set. The drivers receive this tuple as plain paths."""
    dirs = [os.fspath(override_dir)] if override_dir else []
    return (*dirs, str(PROMPTS_DIR))


def find_prompt(name: str, language: str, override_dir: str | os.PathLike[str] = "") -> Path:
    """The WAV file to play for prompt `name` in `language` (recorded override preferred)."""
    for directory in prompt_dirs(override_dir):
        candidate = Path(directory) / language / f"{name}.wav"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no prompt {name!r} for language {language!r} in the prompt set")

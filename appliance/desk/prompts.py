"""Recorded prompts uploaded from the web: only an 8 kHz mono WAV (µ-law, A-law or 16-bit PCM)
of a known prompt name, at most PROMPT_MAX_BYTES, written to the override folder atomically."""

from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path

from appliance.desk.forms import FormError
from appliance.engine.prompts import PROMPT_TEXTS
from appliance.prompts import PROMPTS_DIR

PROMPT_MAX_BYTES = 2 * 1024 * 1024
PROMPT_LANGUAGES = ("zh-CN", "en")
_FORMATS = {1: 16, 6: 8, 7: 8}  # WAVE format tag → bits per sample: PCM, A-law, µ-law


# A queue added on the settings page has no prompt in the generated set: its menu key is
# announced by this prompt, which plays once a recording of it is uploaded.
QUEUE_PROMPT_PREFIX = "menu_q_"


def queue_prompt(queue_id: str) -> str:
    """The name of the prompt that announces a queue's menu key."""
    return f"{QUEUE_PROMPT_PREFIX}{queue_id}"


def known_prompts() -> tuple[str, ...]:
    """The names of the prompt set (as generated for the first language)."""
    return tuple(sorted(path.stem for path in (PROMPTS_DIR / PROMPT_LANGUAGES[0]).glob("*.wav")))


def prompt_text(name: str, language: str) -> str:
    """What the prompt says in `language` (zh-CN or en), for pages that name prompts; the name
    itself when the prompt set has no text for it."""
    texts = PROMPT_TEXTS.get(name)
    if texts is None:
        return name
    return texts[0] if language == "zh-CN" else texts[1]


def recorded_prompts(
    override_dir: str, queue_ids: tuple[str, ...] = (), place_prompts: tuple[str, ...] = ()
) -> dict[str, tuple[str, ...]]:
    """The prompts with an uploaded recording (of the prompt set, announcing one of
    `queue_ids`, or a waybill place's piece), each with the languages it was recorded in."""
    if not override_dir:
        return {}
    known = {*known_prompts(), *map(queue_prompt, queue_ids), *place_prompts}
    recorded: dict[str, tuple[str, ...]] = {}
    for language in PROMPT_LANGUAGES:
        for path in sorted((Path(override_dir) / language).glob("*.wav")):
            if path.stem in known:
                recorded[path.stem] = (*recorded.get(path.stem, ()), language)
    return recorded


def check_prompt_wav(data: bytes) -> None:
    """FormError naming the file field unless `data` is a WAV the lines can play."""
    if len(data) > PROMPT_MAX_BYTES:
        raise FormError("file", "too_large")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise FormError("file", "wav_format")
    offset = 12
    while offset + 8 <= len(data):
        chunk_id = data[offset : offset + 4]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        if chunk_id == b"fmt " and size >= 16 and offset + 8 + 16 <= len(data):
            tag, channels, rate, _byte_rate, _align, bits = struct.unpack_from(
                "<HHIIHH", data, offset + 8
            )
            if _FORMATS.get(tag) != bits or channels != 1 or rate != 8000:
                raise FormError("file", "wav_format")
            return
        offset += 8 + size + (size & 1)
    raise FormError("file", "wav_format")


def save_prompt(
    override_dir: str,
    language: str,
    name: str,
    data: bytes,
    queue_ids: tuple[str, ...] = (),
    place_prompts: tuple[str, ...] = (),
) -> Path:
    """Check and keep an uploaded prompt as `<override_dir>/<language>/<name>.wav`: one of the
    prompt set, the menu prompt of one of `queue_ids`, or one of `place_prompts`."""
    if not override_dir:
        raise FormError("file", "no_prompts_dir")
    if language not in PROMPT_LANGUAGES:
        raise FormError("language", "choice")
    allowed = (*map(queue_prompt, queue_ids), *place_prompts)
    if name not in known_prompts() and name not in allowed:
        raise FormError("name", "choice")
    check_prompt_wav(data)
    folder = Path(override_dir) / language
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.wav"
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target

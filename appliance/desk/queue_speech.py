"""Generated speech for the menu entry of a queue the depot adds ("救援请按4。", "For rescue,
press 4."), made with espeak-ng and sox beside the recordings, and where each menu key's own
prompt comes from in each language: a recording (which always wins), generated speech or none."""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from appliance.desk.forms import FormError
from appliance.desk.prompts import PROMPT_LANGUAGES, queue_prompt
from appliance.engine.setup import DepotSetup, Queue
from appliance.prompts import generated_dir
from appliance.prompts.speech import missing_tools, synthesise

log = logging.getLogger(__name__)

RECORDED, GENERATED, OUTDATED, MISSING = "recorded", "generated", "outdated", "missing"
# The keys that are not digits, in the words of the prompt set's key_star and key_hash.
_KEY_WORDS = {"*": ("星号键", "star"), "#": ("井号键", "hash")}


@dataclass(frozen=True, slots=True)
class MenuKeyPrompt:
    """A menu key announced by its queue's own prompt, and that prompt's source per language
    (RECORDED, GENERATED, OUTDATED: generated for an earlier name or key, or MISSING)."""

    key: str
    queue: str
    sources: tuple[tuple[str, str], ...]

    def languages(self, *wanted: str) -> tuple[str, ...]:
        return tuple(language for language, source in self.sources if source in wanted)


def menu_entry_texts(queue: Queue, key: str) -> tuple[str, str]:
    """What the menu entry says in Mandarin and English, worded as the shipped menu prompts."""
    key_zh, key_en = _KEY_WORDS.get(key, (key, key))
    name_en = queue.name_en
    if not name_en.split()[0].isupper():  # "Rescue" reads "For rescue", "VIP" stays
        name_en = name_en[0].lower() + name_en[1:]
    return f"{queue.name_zh}请按{key_zh}。", f"For {name_en}, press {key_en}."


def own_menu_key(setup: DepotSetup, queue_id: str) -> str:
    """The first menu key announced by the queue's own prompt; "" when none is."""
    name = queue_prompt(queue_id)
    return next(
        (o.digit for o in setup.menu.options if o.queue == queue_id and o.prompt == name), ""
    )


def _spoken_text(path: Path) -> Path:
    return path.with_suffix(".txt")  # what the generated file says, to tell when it is outdated


def _source(override_dir: str, language: str, name: str, expected: str) -> str:
    if (Path(override_dir) / language / f"{name}.wav").is_file():
        return RECORDED
    generated = generated_dir(override_dir) / language / f"{name}.wav"
    if not generated.is_file():
        return MISSING
    try:
        said = _spoken_text(generated).read_text(encoding="utf-8")
    except OSError:
        said = ""
    return GENERATED if said == expected else OUTDATED


def menu_key_prompts(override_dir: str, setup: DepotSetup) -> tuple[MenuKeyPrompt, ...]:
    """Every menu key announced by its queue's own prompt, with where that prompt comes from."""
    found = []
    for option in setup.menu.options:
        if option.prompt != queue_prompt(option.queue):
            continue
        texts = menu_entry_texts(setup.queue(option.queue), option.digit)
        sources = tuple(
            (language, _source(override_dir, language, option.prompt, text) if override_dir
             else MISSING)
            for language, text in zip(PROMPT_LANGUAGES, texts, strict=True)
        )  # fmt: skip
        found.append(MenuKeyPrompt(option.digit, option.queue, sources))
    return tuple(found)


def _temporary_beside(target: Path) -> Path:
    # a hidden name with the target's suffix: sox picks the output format by the suffix
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=target.suffix)
    os.close(handle)
    return Path(name)


def _keep(temporary: Path, target: Path) -> None:
    with open(temporary, "rb") as file:
        os.fsync(file.fileno())
    os.replace(temporary, target)


def generate_menu_entry(override_dir: str, setup: DepotSetup, queue_id: str) -> tuple[str, str]:
    """Speak the queue's menu entry in both languages into `<override_dir>/generated/`, each
    file replaced whole; returns the texts. Blocking (it runs espeak-ng and sox): call it in a
    thread. FormError names what stops it: no prompts folder, no key, a tool, the name."""
    if not override_dir:
        raise FormError("generate_speech", "no_prompts_dir", queue=queue_id)
    queue = next((q for q in setup.queues if q.id == queue_id), None)
    if queue is None:
        raise FormError("queue_id", "not_found")
    key = own_menu_key(setup, queue_id)
    if not key:
        raise FormError("generate_speech", "no_own_menu_key", queue=queue_id)
    missing = missing_tools()
    if missing:
        raise FormError("generate_speech", f"missing_{missing[0]}", queue=queue_id)
    texts = menu_entry_texts(queue, key)
    name = queue_prompt(queue_id)
    with tempfile.TemporaryDirectory() as work:
        for language, text in zip(PROMPT_LANGUAGES, texts, strict=True):
            folder = generated_dir(override_dir) / language
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{name}.wav"
            wav, said = _temporary_beside(target), _temporary_beside(_spoken_text(target))
            try:
                synthesise(text, language, wav, Path(work))
                said.write_text(text, encoding="utf-8")
                _keep(wav, target)
                _keep(said, _spoken_text(target))
            except KeyError:
                field = "name_zh" if language == "zh-CN" else "name_en"
                raise FormError(field, "unspeakable", queue=queue_id) from None
            except subprocess.CalledProcessError as error:
                log.error("speech for %s/%s failed: %s %s", language, name, error, error.stderr)
                raise FormError("generate_speech", "speech_failed", queue=queue_id) from None
            finally:
                wav.unlink(missing_ok=True)
                said.unlink(missing_ok=True)
    return texts

"""Codes the depot keeps in English (audit details, prompt names, end reasons) as a page in
the reader's language shows them."""

from __future__ import annotations

from appliance.desk.prompts import known_prompts, prompt_text
from web_ui.site.catalog import MESSAGES
from web_ui.site.i18n import translate

_WORD_PREFIXES = ("word.", "strategy.", "role.", "level.", "problem.", "end.")
_PROMPTS = frozenset(known_prompts())


def code_word(language: str, word: str, prefixes: tuple[str, ...] = _WORD_PREFIXES) -> str:
    """A code in `language`: the first catalog entry among `prefixes` that has it, what a
    prompt of that name says, or the word itself (a name, a number, an id)."""
    for prefix in prefixes:
        if f"{prefix}{word}" in MESSAGES:
            return translate(language, f"{prefix}{word}")
    if word in _PROMPTS:
        return prompt_text(word, language)
    return word


def detail_text(language: str, detail: str) -> str:
    """An audit entry's detail (`longest_idle tier_escalation_s=30`) word by word; in
    `key=value` the key is read as a field's label."""
    words = []
    for word in detail.split(" "):
        key, equals, value = word.partition("=")
        if equals:
            words.append(f"{code_word(language, key, ('field.',))}={code_word(language, value)}")
        else:
            words.append(code_word(language, word))
    return " ".join(words)


def action_text(language: str, action: str) -> str:
    return code_word(language, action, ("act.",))


def target_text(language: str, target: str) -> str:
    """What an audit entry changed: a settings section (`hours`), a prompt upload's
    `zh-CN/menu_q_rescue`, or an id or a name, which stays as it is."""
    return "/".join(code_word(language, part, ("target.", "word.")) for part in target.split("/"))


def prompt_label(language: str, name: str) -> str:
    """A prompt as a menu lists it: what it says (its file name is the option's value)."""
    text = prompt_text(name, language)
    return text

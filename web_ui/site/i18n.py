"""Every string a page shows, in zh-CN and English, looked up by key (`_("key")` in templates).
The language comes from the language cookie, else the browser's Accept-Language."""

from __future__ import annotations

import logging

from aiohttp import web

from web_ui.site.catalog import MESSAGES

log = logging.getLogger(__name__)

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
LANGUAGE_COOKIE = "depotline_lang"
MISSING_MARK = "⟦{}⟧"  # what a missing key shows as, so a test (and a person) can spot it


def translate(language: str, key: str) -> str:
    """The text of `key`; a missing key is shown marked and logged, never silently English."""
    texts = MESSAGES.get(key)
    if texts is None:
        log.warning("no translation for %r", key)
        return MISSING_MARK.format(key)
    return texts[1] if language == "zh-CN" else texts[0]


def negotiate(accept_language: str) -> str:
    """The best of our languages for an Accept-Language header (q-values honoured)."""
    choices: list[tuple[float, int, str]] = []
    for n, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.startswith("zh"):
            choices.append((quality, -n, "zh-CN"))
        elif tag.startswith("en"):
            choices.append((quality, -n, "en"))
    choices = [choice for choice in choices if choice[0] > 0]
    return max(choices)[2] if choices else DEFAULT_LANGUAGE


def request_language(request: web.Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return negotiate(request.headers.get("Accept-Language", ""))

"""Caller ID kept as the line sent it, or dropped: the one rule for the numbers, names and
withheld kinds that modems (NMBR/NAME lines) and SIP gateways (From, P-Asserted-Identity) hand
over. A number the box cannot trust is no number: a callback to a made-up number is worse than
none."""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

MAX_NUMBER_DIGITS = 15  # E.164
MAX_NAME_CHARS = 40

# Visual separators a person or a gateway may put in a number (RFC 3966 visual-separator and
# spaces): they carry no digit, so dropping them keeps the number as sent.
_SEPARATORS = re.compile(r"[\s\-.()]")
_NUMBER = re.compile(rf"\+?[0-9]{{1,{MAX_NUMBER_DIGITS}}}")

# What lines send instead of a number: V.253 `P` / `O`, and the words gateways and exchanges use.
_PRIVATE = {"P", "PRIVATE", "ANONYMOUS", "RESTRICTED", "WITHHELD"}
_UNAVAILABLE = {"O", "OUT OF AREA", "UNAVAILABLE", "UNKNOWN"}


def withheld_kind(value: str) -> str:
    """ "private" or "unavailable" when the line sent that instead of a number, else ""."""
    word = value.strip().upper()
    if word in _PRIVATE:
        return "private"
    if word in _UNAVAILABLE:
        return "unavailable"
    return ""


def number_as_sent(raw: str, line: str) -> str:
    """The number the line sent: digits with an optional leading +, at most 15 digits, visual
    separators dropped. Anything else (letters, `*`, a 40-digit run) gives no number and a log
    line naming the line and the raw value, so a depot owner can see what the exchange sends."""
    text = _SEPARATORS.sub("", raw)
    if not text:
        return ""
    if _NUMBER.fullmatch(text):
        return text
    log.warning("line %s: caller number %r is not a phone number; dropped", line, raw)
    return ""


def name_from_bytes(raw: bytes, line: str) -> str:
    """A caller name as bytes from the line: UTF-8, else GB 18030 (Chinese exchanges and
    gateways), else dropped with a log line — never guessed as Latin-1."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return name_as_sent(raw.decode(encoding), line)
        except UnicodeDecodeError:
            continue
    log.warning("line %s: caller name %r is neither UTF-8 nor GB 18030; dropped", line, raw)
    return ""


def name_as_sent(text: str, line: str) -> str:
    """A decoded caller name, trimmed; a name with control characters or a replacement
    character (bytes that were not text) is dropped whole rather than shown half."""
    name = text.strip()
    if not all(ch.isprintable() and ch != "\ufffd" for ch in name):
        log.warning("line %s: caller name %r has characters that are not text; dropped", line, text)
        return ""
    return name[:MAX_NAME_CHARS]

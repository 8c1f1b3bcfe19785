"""Pure parsing of what the driver reads from SIP requests: caller ID from From and
P-Asserted-Identity, and the host and port of URIs and source addresses."""

from __future__ import annotations

import re
import urllib.parse

from drivers.callerid import name_as_sent, number_as_sent, withheld_kind
from drivers.roles import CallerId

# Compact header forms (RFC 3261 §7.3.3): "f" is From.
_HEADER_NAMES = {"from": "from", "f": "from", "p-asserted-identity": "pai", "privacy": "privacy"}
_NAME_ADDR = re.compile(r'^\s*(?:"((?:[^"\\]|\\.)*)"|([^<"]*?))\s*<([^>]*)>')
_ANONYMOUS_USERS = {"anonymous", "restricted", "private"}


def _headers(message: str) -> dict[str, list[str]]:
    """The values of the headers this module reads, with folded lines joined."""
    head = message.replace("\r\n", "\n").split("\n\n", 1)[0]
    lines: list[str] = []
    for raw in head.split("\n")[1:]:
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += " " + raw.strip()
        else:
            lines.append(raw)
    found: dict[str, list[str]] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        key = _HEADER_NAMES.get(name.strip().lower())
        if sep and key:
            found.setdefault(key, []).append(value.strip())
    return found


def split_uri(uri: str) -> tuple[str, str, int | None]:
    """`sip:user@host:port;params` → (user, host, port or None). Tolerates a missing scheme."""
    body = uri.strip().strip("<>")
    body = re.sub(r"^(sips?|tel):", "", body, flags=re.IGNORECASE)
    body = body.split(";", 1)[0].split("?", 1)[0]
    user, _, hostport = body.rpartition("@")
    host, port = split_host_port(hostport)
    return user, host, port


def split_host_port(address: str) -> tuple[str, int | None]:
    """`1.2.3.4:5060`, `[::1]:5060`, `host` → (host, port or None)."""
    address = address.strip()
    if address.startswith("["):
        host, _, rest = address[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif address.count(":") == 1:
        host, _, port_text = address.partition(":")
    else:
        host, port_text = address, ""
    return host.lower(), int(port_text) if port_text.isdigit() else None


def _identity(value: str) -> tuple[str, str]:
    """(display name, user part) of a From / P-Asserted-Identity value."""
    match = _NAME_ADDR.match(value)
    if match:
        quoted, bare, uri = match.groups()
        name = (quoted or "").replace('\\"', '"') if quoted is not None else (bare or "").strip()
    else:
        name, uri = "", value.split(";", 1)[0]
    if uri.strip().lower().startswith("tel:"):  # tel:+86-10-1234-5678: the number is the URI
        return name.strip(), uri.strip()[4:].split(";", 1)[0]
    user, _, _ = split_uri(uri)
    return name.strip(), user


def caller_id_from_request(message: str) -> CallerId:
    """Caller ID of an INVITE: P-Asserted-Identity when the gateway or trunk sent one (it is the
    network-asserted number), else From. "anonymous" users and `Privacy: id` mean withheld."""
    headers = _headers(message)
    values = headers.get("pai", []) + headers.get("from", [])
    if not values:
        return CallerId()
    name, number = _identity(values[0])
    if not number and len(values) > 1:
        number = _identity(values[-1])[1]
    privacy = " ".join(headers.get("privacy", [])).lower()
    if number.lower() in _ANONYMOUS_USERS or "id" in re.split(r"[;,\s]+", privacy):
        return CallerId(
            number="", name="" if name.lower() in _ANONYMOUS_USERS else name, withheld="private"
        )
    if name.lower() in _ANONYMOUS_USERS or name == number:
        name = ""
    return CallerId(number=number, name=name)


def line_caller_id(message: str, line: str) -> CallerId:
    """Caller ID of a call arriving on a gateway or trunk `line`, by the rule every line follows
    (drivers.callerid): a number kept as sent or dropped, a name that is text, and the withheld
    kind ("unavailable" users apart from the anonymous ones)."""
    caller = caller_id_from_request(message)
    user = urllib.parse.unquote(caller.number)  # %2B86… is +86…
    withheld = caller.withheld or withheld_kind(user)
    number = "" if withheld else number_as_sent(user, line)
    name = name_as_sent(caller.name, line)
    if withheld_kind(name):
        name = ""
    return CallerId(number=number, name=name, withheld=withheld)


def quote_display_name(text: str) -> str:
    """Text for a quoted display name in a From header."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def uri_user(number: str) -> str:
    """A dialled number as the user part of a SIP URI ('#' must be escaped there)."""
    allowed = set("0123456789+*#abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.")
    kept = "".join(c for c in number if c in allowed).replace("#", "%23")
    return kept or "depotline"

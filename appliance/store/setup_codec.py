"""DepotSetup to JSON and back, driven by the dataclasses' type hints, so enums, tuples,
nested dataclasses and dates round-trip exactly. Fields added later with defaults load from
older JSON; a field the code no longer knows is an error (a newer depotline wrote it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import types
import typing
from typing import Any

from appliance.engine.setup import DepotSetup

# Raise when a change to DepotSetup needs old JSON converted (and convert it in decode).
SETUP_SCHEMA_VERSION = 1


class SetupCodecError(ValueError):
    """The stored setup JSON does not fit DepotSetup; the message says where."""


def encode_setup(setup: DepotSetup) -> str:
    return json.dumps(_encode(setup), ensure_ascii=False, sort_keys=True)


def decode_setup(text: str) -> DepotSetup:
    decoded = _decode(DepotSetup, json.loads(text), "setup")
    assert isinstance(decoded, DepotSetup)
    return decoded


def _encode(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in the setup")


def _decode(kind: Any, raw: Any, where: str) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if raw is None and type(None) in options:
            return None
        for option in options:
            if option is not type(None):
                return _decode(option, raw, where)
    if origin is tuple:
        args = typing.get_args(kind)
        if not isinstance(raw, list):
            raise SetupCodecError(f"{where}: expected a list, found {raw!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item, f"{where}[{i}]") for i, item in enumerate(raw))
        if len(args) != len(raw):
            raise SetupCodecError(f"{where}: expected {len(args)} items, found {len(raw)}")
        return tuple(
            _decode(a, item, f"{where}[{i}]")
            for i, (a, item) in enumerate(zip(args, raw, strict=True))
        )
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _decode_dataclass(kind, raw, where)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(raw)
        except ValueError:
            raise SetupCodecError(f"{where}: {raw!r} is not a {kind.__name__}") from None
    if kind is dt.date:
        try:
            return dt.date.fromisoformat(raw)
        except (TypeError, ValueError):
            raise SetupCodecError(f"{where}: {raw!r} is not a date") from None
    if kind is float and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    if kind is bool and isinstance(raw, bool):
        return raw
    if kind is int and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind is str and isinstance(raw, str):
        return raw
    raise SetupCodecError(f"{where}: {raw!r} is not a {getattr(kind, '__name__', kind)}")


def _decode_dataclass(kind: type, raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise SetupCodecError(f"{where}: expected an object, found {raw!r}")
    hints = typing.get_type_hints(kind)
    names = {f.name for f in dataclasses.fields(kind)}
    unknown = sorted(set(raw) - names)
    if unknown:
        raise SetupCodecError(f"{where}: unknown field(s) {', '.join(unknown)}")
    values = {name: _decode(hints[name], value, f"{where}.{name}") for name, value in raw.items()}
    try:
        return kind(**values)
    except TypeError as error:  # a required field is missing
        raise SetupCodecError(f"{where}: {error}") from None

"""The install-time wiring of a box — lines, positions, wallboard, GPIO pins, web address,
database — read from /etc/depotline/depotline.toml into frozen dataclasses. A wrong key or
value stops the daemon with a message naming the file, the key, the value and what was expected."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_PATH = "/etc/depotline/depotline.toml"
EX_CONFIG = 78  # sysexits.h: the unit has RestartPreventExitStatus=78

_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$")
_ID_EXPECTED = "1 to 32 letters, digits, '_', '.' or '-'"
_GPIO_PIN_EXPECTED = "a BCM GPIO number from 2 to 27"


class ConfigError(Exception):
    """The configuration cannot be used; the message says which file, key and value, and why."""


# ---------------------------------------------------------------------------------------------
# The configuration


@dataclass(frozen=True, slots=True)
class DepotConfig:
    name: str = "depotline"
    timezone: str = "Asia/Shanghai"
    database: str = "/var/lib/depotline/depotline.db"
    prompts_dir: str = ""  # empty: the prompt set shipped with depotline
    recordings_dir: str = "/var/lib/depotline/recordings"


# The web pages that show callers' numbers; [web] mask_numbers names those where a number is
# shown masked (150****5555): "page" for every role, "role:page" for one role.
NUMBER_PAGES = ("monitor", "recordings", "records", "customers", "tickets", "tasks")
NUMBER_ROLES = ("agent", "supervisor", "admin")


@dataclass(frozen=True, slots=True)
class WebConfig:
    listen: str = "127.0.0.1"
    port: int = 8080
    enabled: bool = True
    # the supervisor watches states and checks quality without needing who called
    mask_numbers: tuple[str, ...] = ("monitor", "recordings")


@dataclass(frozen=True, slots=True)
class ModemLineConfig:
    id: str
    device: str
    dialect: str = "auto"
    rings_before_answer: int = 2
    country_code: str = "B5"
    init_commands: tuple[str, ...] = ()
    power_cycle_command: str = ""
    max_call_s: float = 3600.0

    @property
    def line_ids(self) -> tuple[str, ...]:
        return (self.id,)


@dataclass(frozen=True, slots=True)
class SipLineConfig:
    id: str
    gateway: str
    port: int = 5060
    channels: int = 1
    username: str = ""
    password: str = ""
    registrar: str = ""  # empty: the gateway talks to the box by IP
    keepalive_s: float = 30.0  # OPTIONS every so often; 0 = not checked (a trunk's default)

    @property
    def line_ids(self) -> tuple[str, ...]:
        return _channel_ids(self.id, self.channels)


@dataclass(frozen=True, slots=True)
class SimLineConfig:
    """Simulated lines (demo mode): `channels` lines named like a SIP gateway's."""

    id: str
    channels: int = 1

    @property
    def line_ids(self) -> tuple[str, ...]:
        return _channel_ids(self.id, self.channels)


LineConfig = ModemLineConfig | SipLineConfig | SimLineConfig


@dataclass(frozen=True, slots=True)
class SipConfig:
    listen: str = "0.0.0.0"
    port: int = 5060
    rtp_port: int = 10000


@dataclass(frozen=True, slots=True)
class SipPositionConfig:
    id: str
    uri: str
    mode: str = "ring"  # "ring" or "persistent"


@dataclass(frozen=True, slots=True)
class SoundDevicePositionConfig:
    id: str
    device: str = "default"


@dataclass(frozen=True, slots=True)
class SimPositionConfig:
    id: str


PositionConfig = SipPositionConfig | SoundDevicePositionConfig | SimPositionConfig


@dataclass(frozen=True, slots=True)
class WallboardConfig:
    type: str = "none"  # "board", "alpha", "console" or "none"
    device: str = "/dev/depotline/board0"
    baud: int = 115200
    serial_format: str = "8N1"
    no_data_after_s: float = 10.0


@dataclass(frozen=True, slots=True)
class StackLightPins:
    green: int | None = None
    amber: int | None = None
    red: int | None = None


@dataclass(frozen=True, slots=True)
class PanelConfig:
    position: str
    button: int
    led: int


@dataclass(frozen=True, slots=True)
class GpioConfig:
    enabled: bool = False
    stack_light: StackLightPins = field(default_factory=StackLightPins)
    buzzer: int | None = None
    panels: tuple[PanelConfig, ...] = ()


@dataclass(frozen=True, slots=True)
class Threshold:
    """An alert: WARNING from `warning`, ALARM from `alarm`. For rates (service level, answer
    rate) lower is worse, so the alert starts when the figure falls below the value."""

    warning: float
    alarm: float


@dataclass(frozen=True, slots=True)
class ThresholdsConfig:
    calls_waiting: Threshold = Threshold(3, 6)
    longest_wait_s: Threshold = Threshold(60, 120)
    service_level: Threshold = Threshold(0.8, 0.6)
    answer_rate: Threshold = Threshold(0.9, 0.8)
    abandoned_today: Threshold = Threshold(10, 25)


@dataclass(frozen=True, slots=True)
class Config:
    path: str = ""
    depot: DepotConfig = field(default_factory=DepotConfig)
    web: WebConfig = field(default_factory=WebConfig)
    lines: tuple[LineConfig, ...] = ()
    sip: SipConfig = field(default_factory=SipConfig)
    positions: tuple[PositionConfig, ...] = ()
    wallboard: WallboardConfig = field(default_factory=WallboardConfig)
    gpio: GpioConfig = field(default_factory=GpioConfig)
    thresholds: ThresholdsConfig = field(default_factory=ThresholdsConfig)

    @property
    def line_ids(self) -> tuple[str, ...]:
        return tuple(line_id for line in self.lines for line_id in line.line_ids)


def _channel_ids(base: str, channels: int) -> tuple[str, ...]:
    if channels == 1:
        return (base,)
    return tuple(f"{base}-{n}" for n in range(1, channels + 1))


# ---------------------------------------------------------------------------------------------
# Reading


def load(path: str | Path = DEFAULT_PATH) -> Config:
    """Read and check a configuration file; ConfigError says what is wrong."""
    file = str(path)
    try:
        raw = Path(file).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the configuration: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 text (byte {exc.start})") from exc
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        # a copy cut off by a power cut or a full disk: taken as all defaults, the box would
        # start with no lines
        raise ConfigError(
            f"{file}: the configuration is empty; expected at least [depot] (a cut-off copy?"
            " restore the file, or see docs/configuration.md)"
        )
    return parse(text, file)


def parse(text: str, file: str = "<config>") -> Config:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
    root = _Table(file, "", document)
    config = Config(
        path=file,
        depot=_depot(root.table("depot")),
        web=_web(root.table("web")),
        lines=tuple(_line(t) for t in root.tables("lines")),
        sip=_sip(root.table("sip")),
        positions=tuple(_position(t) for t in root.tables("positions")),
        wallboard=_wallboard(root.table("wallboard")),
        gpio=_gpio(root.table("gpio")),
        thresholds=_thresholds(root.table("thresholds")),
    )
    root.finish()
    _check_references(config, file)
    return config


def _render(value: object) -> str:
    """A value as it would be written in TOML, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    return str(value)


class _Table:
    """One TOML table being read; remembers which keys were used so the rest are reported."""

    def __init__(self, file: str, path: str, data: dict[str, Any]) -> None:
        self.file = file
        self.path = path
        self.data = data
        self.used: set[str] = set()

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, value: object, expected: str) -> ConfigError:
        return ConfigError(
            f"{self.file}: {self.key_path(key)} = {_render(value)}: expected {expected}"
        )

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            key = unknown[0]
            known = ", ".join(sorted(self.used)) or "no keys"
            raise ConfigError(
                f"{self.file}: unknown key {self.key_path(key)} = {_render(self.data[key])}:"
                f" expected one of {known}"
            )

    def _get(self, key: str) -> object:
        self.used.add(key)
        return self.data.get(key, _MISSING)

    def table(self, key: str) -> _Table:
        value = self._get(key)
        if value is _MISSING:
            return _Table(self.file, self.key_path(key), {})
        if not isinstance(value, dict):
            raise self.fail(key, value, "a table")
        return _Table(self.file, self.key_path(key), value)

    def tables(self, key: str) -> list[_Table]:
        value = self._get(key)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, value, "an array of tables")
        return [
            _Table(self.file, f"{self.key_path(key)}[{n}]", item) for n, item in enumerate(value)
        ]

    def need(self, key: str) -> _Table:
        """Stop with a clear message if `key` is not in the table; returns self to chain."""
        if key not in self.data:
            raise ConfigError(f"{self.file}: {self.key_path(key)} is missing")
        return self

    def string(
        self, key: str, default: str, *, choices: tuple[str, ...] = (), nonempty: bool = False
    ) -> str:
        value = self._get(key)
        if value is _MISSING:
            return default
        if choices:
            if value not in choices:
                raise self.fail(key, value, "one of " + ", ".join(f'"{c}"' for c in choices))
            return str(value)
        if not isinstance(value, str):
            raise self.fail(key, value, "a string")
        if nonempty and not value.strip():
            raise self.fail(key, value, "a non-empty string")
        return value

    def ident(self, key: str, default: str) -> str:
        value = self._get(key)
        if value is _MISSING:
            return default
        if not isinstance(value, str) or not _ID.match(value):
            raise self.fail(key, value, f"an id of {_ID_EXPECTED}")
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self._get(key)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, value, f"an integer from {low} to {high}")
        if not low <= value <= high:
            raise self.fail(key, value, f"an integer from {low} to {high}")
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        value = self._get(key)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, value, f"a number from {_num(low)} to {_num(high)}")
        if not low <= value <= high:
            raise self.fail(key, value, f"a number from {_num(low)} to {_num(high)}")
        return float(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            raise self.fail(key, value, "true or false")
        return value

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self._get(key)
        if value is _MISSING:
            return default
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, value, "an array of strings")
        return tuple(value)

    def pin(self, key: str) -> int | None:
        value = self._get(key)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 27:
            raise self.fail(key, value, _GPIO_PIN_EXPECTED)
        return value


_MISSING = object()


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _depot(t: _Table) -> DepotConfig:
    d = DepotConfig()
    timezone = t.string("timezone", d.timezone, nonempty=True)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise t.fail("timezone", timezone, 'an IANA time zone such as "Asia/Shanghai"') from exc
    config = DepotConfig(
        name=t.string("name", d.name, nonempty=True),
        timezone=timezone,
        database=t.string("database", d.database, nonempty=True),
        prompts_dir=t.string("prompts_dir", d.prompts_dir),
        recordings_dir=t.string("recordings_dir", d.recordings_dir, nonempty=True),
    )
    t.finish()
    return config


def _web(t: _Table) -> WebConfig:
    d = WebConfig()
    config = WebConfig(
        listen=t.string("listen", d.listen, nonempty=True),
        port=t.integer("port", d.port, 1, 65535),
        enabled=t.boolean("enabled", d.enabled),
        mask_numbers=t.strings("mask_numbers", d.mask_numbers),
    )
    for rule in config.mask_numbers:
        role, _, page = rule.rpartition(":")
        if page not in NUMBER_PAGES or role not in ("", *NUMBER_ROLES):
            raise t.fail(
                "mask_numbers",
                rule,
                f"a page ({', '.join(NUMBER_PAGES)}), or role:page with a role of"
                f" {', '.join(NUMBER_ROLES)}",
            )
    t.finish()
    return config


_LINE_TYPES = ("modem", "sip", "sim")
_POSITION_TYPES = ("sip", "sound_device", "sim")


def _line(t: _Table) -> LineConfig:
    kind = t.need("type").string("type", "", choices=_LINE_TYPES)
    line_id = t.need("id").ident("id", "")
    config: LineConfig
    if kind == "modem":
        d = ModemLineConfig(id=line_id, device="")
        config = ModemLineConfig(
            id=line_id,
            device=t.need("device").string("device", "", nonempty=True),
            dialect=t.string("dialect", d.dialect, choices=("auto", "usr", "conexant", "generic")),
            rings_before_answer=t.integer("rings_before_answer", d.rings_before_answer, 1, 10),
            country_code=t.string("country_code", d.country_code, nonempty=True),
            init_commands=t.strings("init_commands", d.init_commands),
            power_cycle_command=t.string("power_cycle_command", d.power_cycle_command),
            max_call_s=t.number("max_call_s", d.max_call_s, 60, 86400),
        )
    elif kind == "sip":
        s = SipLineConfig(id=line_id, gateway="")
        registrar = t.string("registrar", s.registrar)
        config = SipLineConfig(
            id=line_id,
            gateway=t.need("gateway").string("gateway", "", nonempty=True),
            port=t.integer("port", s.port, 1, 65535),
            channels=t.integer("channels", s.channels, 1, 32),
            username=t.string("username", s.username),
            password=t.string("password", s.password),
            registrar=registrar,
            # some registrars ignore OPTIONS from another port than the registered one: a
            # trunk is watched only when asked
            keepalive_s=t.number("keepalive_s", 0.0 if registrar else s.keepalive_s, 0, 3600),
        )
    else:
        config = SimLineConfig(id=line_id, channels=t.integer("channels", 1, 1, 32))
    t.finish()
    return config


def _sip(t: _Table) -> SipConfig:
    d = SipConfig()
    config = SipConfig(
        listen=t.string("listen", d.listen, nonempty=True),
        port=t.integer("port", d.port, 1, 65535),
        rtp_port=t.integer("rtp_port", d.rtp_port, 1024, 65000),
    )
    t.finish()
    return config


def _position(t: _Table) -> PositionConfig:
    kind = t.need("type").string("type", "", choices=_POSITION_TYPES)
    position_id = t.need("id").ident("id", "")
    config: PositionConfig
    if kind == "sip":
        uri = t.need("uri").string("uri", "", nonempty=True)
        if not uri.startswith(("sip:", "sips:")):
            raise t.fail("uri", uri, 'a SIP URI such as "sip:pos1@192.168.1.61"')
        config = SipPositionConfig(
            id=position_id,
            uri=uri,
            mode=t.string("mode", "ring", choices=("ring", "persistent")),
        )
    elif kind == "sound_device":
        config = SoundDevicePositionConfig(
            id=position_id, device=t.string("device", "default", nonempty=True)
        )
    else:
        config = SimPositionConfig(id=position_id)
    t.finish()
    return config


def _wallboard(t: _Table) -> WallboardConfig:
    d = WallboardConfig()
    kind = t.string("type", d.type, choices=("board", "alpha", "console", "none"))
    # Alpha signs speak 9600 baud 7E1 out of the box; the LED board 115200 8N1
    baud, serial_format = (9600, "7E1") if kind == "alpha" else (d.baud, d.serial_format)
    config = WallboardConfig(
        type=kind,
        device=t.string("device", d.device, nonempty=True),
        baud=t.integer("baud", baud, 1200, 1_000_000),
        serial_format=t.string(
            "serial_format", serial_format, choices=("8N1", "7E1", "7O1", "8E1", "8O1")
        ),
        no_data_after_s=t.number("no_data_after_s", d.no_data_after_s, 1, 3600),
    )
    t.finish()
    return config


def _gpio(t: _Table) -> GpioConfig:
    light = t.table("stack_light")
    stack_light = StackLightPins(
        green=light.pin("green"), amber=light.pin("amber"), red=light.pin("red")
    )
    light.finish()
    panels = []
    for panel in t.tables("panels"):
        panels.append(
            PanelConfig(
                position=panel.need("position").ident("position", ""),
                button=panel.need("button").pin("button") or 0,
                led=panel.need("led").pin("led") or 0,
            )
        )
        panel.finish()
    config = GpioConfig(
        enabled=t.boolean("enabled", False),
        stack_light=stack_light,
        buzzer=t.pin("buzzer"),
        panels=tuple(panels),
    )
    t.finish()
    return config


def _thresholds(t: _Table) -> ThresholdsConfig:
    d = ThresholdsConfig()

    def pair(key: str, default: Threshold, high: float, *, lower_is_worse: bool) -> Threshold:
        table = t.table(key)
        threshold = Threshold(
            warning=table.number("warning", default.warning, 0, high),
            alarm=table.number("alarm", default.alarm, 0, high),
        )
        table.finish()
        wrong_order = (
            threshold.alarm > threshold.warning
            if lower_is_worse
            else threshold.alarm < threshold.warning
        )
        if wrong_order:
            relation = "at or below" if lower_is_worse else "at or above"
            raise table.fail("alarm", threshold.alarm, f"a value {relation} warning")
        return threshold

    config = ThresholdsConfig(
        calls_waiting=pair("calls_waiting", d.calls_waiting, 1000, lower_is_worse=False),
        longest_wait_s=pair("longest_wait_s", d.longest_wait_s, 86400, lower_is_worse=False),
        service_level=pair("service_level", d.service_level, 1, lower_is_worse=True),
        answer_rate=pair("answer_rate", d.answer_rate, 1, lower_is_worse=True),
        abandoned_today=pair("abandoned_today", d.abandoned_today, 100000, lower_is_worse=False),
    )
    t.finish()
    return config


def _check_references(config: Config, file: str) -> None:
    seen: dict[str, str] = {}
    for n, line in enumerate(config.lines):
        for line_id in line.line_ids:
            if line_id in seen:
                raise ConfigError(
                    f"{file}: lines[{n}].id = {_render(line.id)}: line id {line_id!r} is"
                    f" already used by {seen[line_id]}; expected a unique id"
                )
            seen[line_id] = f"lines[{n}]"
    positions: dict[str, int] = {}
    headsets = [
        n for n, p in enumerate(config.positions) if isinstance(p, SoundDevicePositionConfig)
    ]
    if len(headsets) > 1:
        n = headsets[1]
        raise ConfigError(
            f'{file}: positions[{n}].type = "sound_device": the box has one headset position,'
            f" positions[{headsets[0]}] already; expected one sound_device position at most"
        )
    for n, position in enumerate(config.positions):
        if position.id in positions:
            raise ConfigError(
                f"{file}: positions[{n}].id = {_render(position.id)}: already used by"
                f" positions[{positions[position.id]}]; expected a unique id"
            )
        positions[position.id] = n
    pins: dict[int, str] = {}
    gpio = config.gpio
    named_pins = [
        ("gpio.stack_light.green", gpio.stack_light.green),
        ("gpio.stack_light.amber", gpio.stack_light.amber),
        ("gpio.stack_light.red", gpio.stack_light.red),
        ("gpio.buzzer", gpio.buzzer),
    ]
    for n, panel in enumerate(gpio.panels):
        if panel.position not in positions:
            known = ", ".join(f'"{p}"' for p in positions) or "none configured"
            raise ConfigError(
                f"{file}: gpio.panels[{n}].position = {_render(panel.position)}: expected the"
                f" id of a configured position ({known})"
            )
        named_pins += [(f"gpio.panels[{n}].button", panel.button)]
        named_pins += [(f"gpio.panels[{n}].led", panel.led)]
    for key, pin in named_pins:
        if pin is None:
            continue
        if pin in pins:
            raise ConfigError(
                f"{file}: {key} = {pin}: GPIO {pin} is already used by {pins[pin]};"
                " expected a pin of its own"
            )
        pins[pin] = key

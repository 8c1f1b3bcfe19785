"""Builds the drivers a configuration asks for — the only module that imports device backends,
each lazily, so a box without pjsua2 or RPi.GPIO still runs its modems — and the table of
benchmark modules for `depotline bench`."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import logging
import os
import random
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from appliance.clock import ShellClock
from appliance.config import (
    Config,
    ConfigError,
    ModemLineConfig,
    SimLineConfig,
    SimPositionConfig,
    SipLineConfig,
    SipPositionConfig,
    SoundDevicePositionConfig,
)
from appliance.doctor.checks import log_sip_shortfalls
from appliance.prompts import prompt_dirs
from appliance.runtime import DeviceSet
from drivers.roles import ButtonPanel, Display, Lamp, LineDriver, MediaBridge, PositionDriver

log = logging.getLogger(__name__)

BENCHMARKS = {
    "engine": "appliance.bench_engine",
    "modem": "drivers.modem.bench",
    "sip": "drivers.sip.bench",
    "wallboard": "drivers.wallboard.bench",
    "web": "web_ui.bench",
}


def benchmark(name: str) -> Callable[[], dict[str, Any]]:
    """The `run_benchmark` function of a benchmark module, by its short name."""
    if name not in BENCHMARKS:
        known = ", ".join(sorted(BENCHMARKS))
        raise LookupError(f"no benchmark called {name!r}; there are: {known}")
    module = importlib.import_module(BENCHMARKS[name])
    run: Callable[[], dict[str, Any]] = module.run_benchmark
    return run


def flash_wallboard_firmware(port: str) -> None:
    """Installs the wallboard firmware on the board at `port` (raises DriverError)."""
    from drivers.wallboard.flash import flash

    flash(port)


def _backend(module: str, what: str, key: str, config: Config) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(
            f"{config.path}: {key}: {what} is not supported yet on this box ({module}: {exc})"
        ) from exc


def build_devices(config: Config, clock: ShellClock) -> DeviceSet:
    """Drivers for every line, position and display in the configuration."""
    lines: list[LineDriver] = []
    positions: list[PositionDriver] = []
    displays: list[Display] = []
    bridge: MediaBridge | None = None

    sip_gateways: list[Any] = []
    sip_positions: list[Any] = []
    sim_line_ids: list[str] = []
    sim_position_ids: list[str] = []
    modem_lines: list[Any] = []
    headset: SoundDevicePositionConfig | None = None
    for n, line in enumerate(config.lines):
        key = f"lines[{n}]"
        if isinstance(line, ModemLineConfig):
            modem = _backend("drivers.modem.driver", "a voice modem line", key, config)
            modem_lines.append(
                modem.ModemLine(
                    line.id,
                    line.device,
                    dialect=line.dialect,
                    rings_before_answer=line.rings_before_answer,
                    country_code=line.country_code,
                    init_commands=line.init_commands,
                    power_cycle_command=line.power_cycle_command,
                    max_call_s=line.max_call_s,
                    prompts_dir=_prompt_dirs(config),
                    clock=clock.now,
                )
            )
        elif isinstance(line, SipLineConfig):
            settings = _backend("drivers.sip.settings", "a SIP line", key, config)
            sip_gateways.append(
                settings.SipGateway(
                    id=line.id,
                    host=line.gateway,
                    port=line.port,
                    channels=line.channels,
                    username=line.username,
                    password=line.password,
                    registrar=line.registrar,
                    options_interval_s=line.keepalive_s,
                )
            )
        elif isinstance(line, SimLineConfig):
            sim_line_ids.extend(line.line_ids)
    for n, position in enumerate(config.positions):
        key = f"positions[{n}]"
        if isinstance(position, SipPositionConfig):
            settings = _backend("drivers.sip.settings", "a SIP position", key, config)
            sip_positions.append(
                settings.SipPosition(
                    id=position.id, uri=position.uri, mode=settings.PositionMode(position.mode)
                )
            )
        elif isinstance(position, SoundDevicePositionConfig):
            # the box's own USB headset is a position on the SIP stack's sound device
            headset = position
        elif isinstance(position, SimPositionConfig):
            sim_position_ids.append(position.id)

    lines.extend(modem_lines)
    if sip_gateways or sip_positions or headset is not None:
        stack_module = _backend("drivers.sip.stack", "SIP", "sip", config)
        sip_lines = _backend("drivers.sip.lines", "SIP", "sip", config)
        sip_pos = _backend("drivers.sip.positions", "SIP", "sip", config)
        sip_bridge = _backend("drivers.sip.bridge", "SIP", "sip", config)
        stack = stack_module.SipStack(
            listen=config.sip.listen,
            port=config.sip.port,
            rtp_port=config.sip.rtp_port,
            gateways=sip_gateways,
            positions=sip_positions,
            prompt_dirs=_prompt_dirs(config),
            prompt_cache_dir=prompt_cache_dir(),
            sound_device=headset.device if headset is not None else "",
            headset_position=headset.id if headset is not None else "",
            # full-duplex modem lines join the conference bridge through their audio frames
            line_audio={
                line.line_ids[0]: line.line_audio(line.line_ids[0]) for line in modem_lines
            },
            clock=clock.now,
        )
        if stack.places_agent_legs:
            # each modem caller needs an agent leg: answered only while the box can place it
            for line in modem_lines:
                line.admit_callers_through(stack.caller_admission(line.line_ids[0]))
        # check-config refuses such a file; a box started on it anyway says so in the journal
        log_sip_shortfalls(config)
        if sip_gateways:
            lines.append(sip_lines.SipLines(stack))
        if sip_positions or headset is not None:
            positions.append(sip_pos.SipPositions(stack))
        bridge = sip_bridge.SipMediaBridge(stack)

    if sim_line_ids or sim_position_ids:
        sim = importlib.import_module("drivers.sim")
        if sim_line_ids:
            lines.append(
                sim.SimulatedLines(tuple(sim_line_ids), clock=clock.now, speed=clock.speed)
            )
        if sim_position_ids:
            positions.append(sim.SimulatedPositions(tuple(sim_position_ids), clock=clock.now))
        if bridge is None:
            bridge = sim.SimulatedBridge(
                clock=clock.now, recordings_dir=config.depot.recordings_dir
            )

    wallboard = config.wallboard
    if wallboard.type == "console":
        console = importlib.import_module("drivers.wallboard.console")
        displays.append(console.ConsoleWallboard())
    elif wallboard.type == "board":
        board = _backend("drivers.wallboard.board", "the LED wallboard", "wallboard", config)
        displays.append(
            board.LedBoard(
                wallboard.device,
                baud=wallboard.baud,
                no_data_after_s=int(wallboard.no_data_after_s),
                clock=clock.now,
            )
        )
    elif wallboard.type == "alpha":
        alpha = _backend("drivers.wallboard.alpha", "an Alpha sign", "wallboard", config)
        displays.append(
            alpha.AlphaSign(
                wallboard.device,
                baud=wallboard.baud,
                serial_format=wallboard.serial_format,
                clock=clock.now,
            )
        )

    lamps: list[Lamp] = []
    buttons: list[ButtonPanel] = []
    gpio = config.gpio
    if gpio.enabled:
        panel = _backend("drivers.gpio.panel", "GPIO lamps and desk panels", "gpio", config)
        light = gpio.stack_light
        pins = {"green": light.green, "amber": light.amber, "red": light.red}
        lamp, desk_buttons = panel.build_gpio_devices(
            stack_light={colour: pin for colour, pin in pins.items() if pin is not None},
            buzzer=gpio.buzzer,
            panels=[(p.position, p.button, p.led) for p in gpio.panels],
            clock=clock.now,
        )
        lamps.append(lamp)
        if gpio.panels:
            buttons.append(desk_buttons)

    return DeviceSet(
        lines=tuple(lines),
        positions=tuple(positions),
        bridge=bridge,
        displays=tuple(displays),
        lamps=tuple(lamps),
        buttons=tuple(buttons),
    )


def prompt_cache_dir() -> str:
    """Where the SIP bridge keeps prompts converted to 8 kHz: under systemd's CacheDirectory=
    (kept across restarts, so a Pi converts the hold music once), else the driver's default
    in the temporary directory."""
    cache = os.environ.get("CACHE_DIRECTORY", "")
    return os.path.join(cache.split(":")[0], "sip-prompts") if cache else ""


def _prompt_dirs(config: Config) -> tuple[str, ...]:
    return prompt_dirs(config.depot.prompts_dir)


@dataclass
class DemoDevices:
    """Everything simulated in demo mode: the drivers and the people who use them."""

    devices: DeviceSet
    lines: Any  # drivers.sim.SimulatedLines
    positions: Any  # drivers.sim.SimulatedPositions
    callers: Any  # drivers.sim.SimulatedCallers
    agents_for: Callable[[Any], Any]  # desk -> drivers.sim.SimulatedAgents
    # callers on the simulated voice modems (`--modems`), and what stops the simulators
    modem_callers: Callable[[], Coroutine[Any, Any, None]] | None = None
    close: Callable[[], None] = field(default=lambda: None)


def _nothing() -> None:
    return None


def build_demo(
    clock: ShellClock,
    *,
    lines: int,
    agents: Sequence[tuple[str, str, str, object]],
    callers: Sequence[tuple[str, str]],
    console: bool,
    timezone: str,
    seed: int,
    waybills: Sequence[str] = (),
    calls_per_hour: float = 0.0,
    modems: int = 0,
    scratch_dir: str = "",
    recordings_dir: str = "",
    prompts_dir: str = "",
) -> DemoDevices:
    """Simulated lines and positions (pos1…), scripted callers (who key `waybills` in the
        keypad self-service), and agents; a console wallboard
        if asked; the bridge writes a stand-in WAV for each recording in `recordings_dir`; the
    modem lines play the prompts recorded or generated in `prompts_dir` first. With
        `modems`, that many of the lines are the real modem driver talking to
        simulated voice modems over pseudo-terminals (real time only: the modems keep real time)."""
    sim = importlib.import_module("drivers.sim")
    transcript = sim.Transcript(clock.now)
    if not 0 <= modems < lines:
        raise ValueError(f"the demo has {lines} lines: 0 to {lines - 1} of them can be modems")
    if modems and clock.speed != 1.0:
        raise ValueError("simulated modems run in real time: use --modems without --speed")
    line_ids = tuple(f"sim-{n}" for n in range(1, lines - modems + 1))
    position_ids = tuple(f"pos{n}" for n in range(1, len(agents) + 1))
    sim_lines = sim.SimulatedLines(
        line_ids, clock=clock.now, speed=clock.speed, transcript=transcript
    )
    phones = sim.SimulatedPositions(position_ids, clock=clock.now, transcript=transcript)
    bridge = sim.SimulatedBridge(
        clock=clock.now, transcript=transcript, recordings_dir=recordings_dir
    )
    profile = DEMO_CALLS_PER_HOUR if calls_per_hour <= 0 else (calls_per_hour,) * 24
    sim_share = len(line_ids) / lines
    traffic = sim.CallerTraffic(
        calls_per_hour=tuple(rate * sim_share for rate in profile),
        numbers=tuple(callers),
        waybills=tuple(waybills),
    )
    sim_callers = sim.SimulatedCallers(
        sim_lines,
        bridge,
        traffic,
        clock=clock.now,
        speed=clock.speed,
        timezone=timezone,
        seed=seed,
        transcript=transcript,
    )
    profiles = tuple(
        # the last agent works 3-hour shifts with an hour off, to show logins and logouts
        sim.AgentProfile(
            agent_id,
            position,
            shift_on_s=3 * 3600.0 if n == len(agents) - 1 else 0.0,
            shift_off_s=3600.0 if n == len(agents) - 1 else 0.0,
        )
        for n, ((agent_id, *_rest), position) in enumerate(zip(agents, position_ids, strict=True))
    )

    def agents_for(desk: Any) -> Any:
        return sim.SimulatedAgents(
            phones, desk, profiles, clock=clock.now, speed=clock.speed, seed=seed + 1
        )

    displays: tuple[Display, ...] = ()
    if console:
        displays = (importlib.import_module("drivers.wallboard.console").ConsoleWallboard(),)
    line_drivers: list[LineDriver] = [sim_lines] if line_ids else []
    modem_callers: Callable[[], Coroutine[Any, Any, None]] | None = None
    close = _nothing
    if modems:
        # the modems get their share of the demo's calls
        modem_profile = tuple(rate * modems / lines for rate in profile)
        modem_lines, modem_callers, close = _demo_modems(
            clock, modems, scratch_dir, traffic, modem_profile, timezone, seed, prompts_dir
        )
        line_drivers.extend(modem_lines)
    return DemoDevices(
        devices=DeviceSet(
            lines=tuple(line_drivers), positions=(phones,), bridge=bridge, displays=displays
        ),
        lines=sim_lines,
        positions=phones,
        callers=sim_callers,
        agents_for=agents_for,
        modem_callers=modem_callers,
        close=close,
    )


def _demo_modems(
    clock: ShellClock,
    count: int,
    scratch_dir: str,
    traffic: Any,
    calls_per_hour: tuple[float, ...],
    timezone: str,
    seed: int,
    prompts_dir: str,
) -> tuple[list[LineDriver], Callable[[], Coroutine[Any, Any, None]], Callable[[], None]]:
    """Simulated voice modems (USR and Conexant dialects in turn) on pseudo-terminals, the real
    modem driver on each, and callers who ring them at the demo's hourly rate."""
    modem_sim = importlib.import_module("drivers.modem.sim")
    modem_driver = importlib.import_module("drivers.modem.driver")
    simulators = [
        modem_sim.ModemSimulator(
            ("usr", "conexant")[n % 2],
            link=os.path.join(scratch_dir, f"fxo{n}"),
            full_duplex=True,
            ring_interval_s=2.0,
        ).start()
        for n in range(count)
    ]
    drivers: list[LineDriver] = [
        modem_driver.ModemLine(
            f"fxo{n}", simulator.device, prompts_dir=prompt_dirs(prompts_dir), clock=clock.now
        )
        for n, simulator in enumerate(simulators)
    ]
    chance = random.Random(seed + 2)
    zone = ZoneInfo(timezone)

    async def callers() -> None:
        calls: set[asyncio.Task[bool]] = set()
        try:
            while True:
                hour = dt.datetime.fromtimestamp(clock.now(), zone).hour
                rate = max(calls_per_hour[hour], 1.0)
                await asyncio.sleep(chance.expovariate(rate / 3600.0))
                idle = [s for s in simulators if not s.offhook and not s.ringing]
                if not idle:
                    continue
                number, name = chance.choice(traffic.numbers)
                digits, weights = zip(*traffic.menu_weights, strict=True)
                call = asyncio.create_task(
                    modem_sim.scripted_call(
                        chance.choice(idle),
                        number,
                        name,
                        keys=chance.choices(digits, weights)[0],
                        listen_s=3.0,
                        stay_s=chance.expovariate(1.0 / traffic.mean_patience_s) + 60.0,
                    )
                )
                calls.add(call)
                call.add_done_callback(calls.discard)
        finally:
            for call in calls:
                call.cancel()

    def close() -> None:
        for simulator in simulators:
            simulator.stop()

    return drivers, callers, close


# Calls per hour of the local day in the demo: busy mornings and afternoons, and enough calls
# at night that a demo started at any hour shows the depot at work (the demo is always open).
DEMO_CALLS_PER_HOUR = (
    (30.0,) * 7
    + (35.0, 50.0, 60.0, 55.0, 45.0, 35.0, 45.0, 55.0, 50.0, 40.0, 35.0, 25.0)
    + (30.0,) * 5
)

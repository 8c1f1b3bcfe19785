"""appliance.wiring builds the configured drivers (without touching any device) and finds the
benchmark modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance import config, wiring
from appliance.clock import ShellClock
from appliance.config import ConfigError

REPO = Path(__file__).resolve().parents[3]


def test_example_config_builds_modems_sip_board_and_gpio() -> None:
    loaded = config.load(REPO / "docs" / "depotline.example.toml")
    devices = wiring.build_devices(loaded, ShellClock())
    assert [type(d).__name__ for d in devices.lines] == ["ModemLine", "ModemLine", "SipLines"]
    assert [line for d in devices.lines for line in d.line_ids] == list(loaded.line_ids)
    assert [p for d in devices.positions for p in d.position_ids] == ["pos1", "pos2", "usb"]
    assert type(devices.bridge).__name__ == "SipMediaBridge"
    assert [type(d).__name__ for d in devices.displays] == ["LedBoard"]
    assert [type(d).__name__ for d in devices.lamps] == ["GpioLamp"]
    assert [type(d).__name__ for d in devices.buttons] == ["GpioButtons"]


@pytest.mark.parametrize(("mode", "asks"), [("ring", True), ("persistent", False)])
def test_modem_line_asks_the_box_before_answering_only_when_agent_legs_are_placed_per_call(
    mode: str, asks: bool
) -> None:
    loaded = config.parse(
        '[[lines]]\nid = "fxo0"\ntype = "modem"\ndevice = "/dev/depotline/fxo0"\n'
        f'[[positions]]\nid = "pos1"\ntype = "sip"\nuri = "sip:a@192.168.1.101"\nmode = "{mode}"\n'
    )
    devices = wiring.build_devices(loaded, ShellClock())
    modem = devices.lines[0]
    assert type(modem).__name__ == "ModemLine"
    assert modem._admission.asks is asks  # type: ignore[attr-defined]


def test_sim_config_builds_simulated_lines_positions_and_bridge() -> None:
    loaded = config.parse(
        '[[lines]]\nid = "sim"\ntype = "sim"\nchannels = 3\n'
        '[[positions]]\nid = "pos1"\ntype = "sim"\n'
        '[wallboard]\ntype = "console"\n'
    )
    devices = wiring.build_devices(loaded, ShellClock(10.0))
    assert devices.lines[0].line_ids == ("sim-1", "sim-2", "sim-3")
    assert devices.positions[0].position_ids == ("pos1",)
    assert type(devices.bridge).__name__ == "SimulatedBridge"
    assert [type(d).__name__ for d in devices.displays] == ["ConsoleWallboard"]
    assert devices.lamps == () and devices.buttons == ()


def test_alpha_sign_gets_its_own_serial_defaults() -> None:
    loaded = config.parse('[wallboard]\ntype = "alpha"\ndevice = "/dev/ttyUSB3"\n')
    assert (loaded.wallboard.baud, loaded.wallboard.serial_format) == (9600, "7E1")
    devices = wiring.build_devices(loaded, ShellClock())
    assert [type(d).__name__ for d in devices.displays] == ["AlphaSign"]


def test_second_headset_position_is_refused() -> None:
    text = (
        '[[positions]]\nid = "usb"\ntype = "sound_device"\n'
        '[[positions]]\nid = "usb2"\ntype = "sound_device"\n'
    )
    with pytest.raises(ConfigError) as caught:
        config.parse(text, "depotline.toml")
    assert str(caught.value) == (
        'depotline.toml: positions[1].type = "sound_device": the box has one headset position,'
        " positions[0] already; expected one sound_device position at most"
    )


def test_benchmark_table_names_every_module_and_refuses_others() -> None:
    assert set(wiring.BENCHMARKS) == {"engine", "modem", "sip", "wallboard", "web"}
    assert callable(wiring.benchmark("engine"))
    with pytest.raises(LookupError) as caught:
        wiring.benchmark("disk")
    assert str(caught.value) == (
        "no benchmark called 'disk'; there are: engine, modem, sip, wallboard, web"
    )


def test_sip_prompts_are_converted_into_systemds_cache_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CACHE_DIRECTORY", "/var/cache/depotline")
    assert wiring.prompt_cache_dir() == "/var/cache/depotline/sip-prompts"
    monkeypatch.delenv("CACHE_DIRECTORY")
    assert wiring.prompt_cache_dir() == ""  # outside systemd: the driver's default in /tmp


def test_sip_config_beyond_the_pjsua2_build_is_logged_when_the_box_starts_on_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from drivers.sip import capacity

    eight_legs = capacity.BuildLimits(8, 64, 64, 256, 1024)
    monkeypatch.setattr(capacity, "installed_limits", lambda: eight_legs)
    text = '[[lines]]\nid = "gw1"\ntype = "sip"\ngateway = "192.168.1.20"\nchannels = 8\n'
    for n in range(1, 13):
        text += f'[[positions]]\nid = "pos{n}"\ntype = "sip"\nuri = "sip:a{n}@192.168.1.{n}"\n'
    with caplog.at_level("WARNING", logger="appliance.doctor.checks"):
        wiring.build_devices(config.parse(text, "depotline.toml"), ShellClock())
    assert caplog.messages == [
        "FAIL: the configuration can need 21 call legs at once but the pjsua2 build allows 8"
        " (PJSUA_MAX_CALLS in image_build/pjsua2/config_site.h): 8 SIP line channels + 12 SIP"
        " phones + 1 kept free to turn callers away (depotline check-config refuses this file)"
    ]

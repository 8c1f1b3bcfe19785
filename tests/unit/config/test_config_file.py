"""The configuration file: what loads, and the exact messages a depot owner sees if wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance import config
from appliance.config import ConfigError, ModemLineConfig, SipLineConfig

REPO = Path(__file__).resolve().parents[3]
FILE = "/etc/depotline/depotline.toml"

TWO_MODEMS = """
[[lines]]
id = "fxo0"
type = "modem"
device = "/dev/depotline/fxo0"

[[lines]]
id = "fxo1"
type = "modem"
device = "/dev/depotline/fxo1"
"""


def message(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        config.parse(text, FILE)
    return str(caught.value)


def test_example_file_loads_clean_with_every_section() -> None:
    loaded = config.load(REPO / "docs" / "depotline.example.toml")
    assert loaded.line_ids == ("fxo0", "fxo1", "gw1-1", "gw1-2")
    assert [p.id for p in loaded.positions] == ["pos1", "pos2", "usb"]
    assert loaded.wallboard.type == "board"
    assert loaded.gpio.stack_light.red == 22
    assert loaded.gpio.panels[1].position == "pos2"
    assert loaded.thresholds.longest_wait_s.alarm == 120


def test_empty_file_gives_the_documented_defaults() -> None:
    loaded = config.parse("", FILE)
    assert loaded.depot.database == "/var/lib/depotline/depotline.db"
    assert loaded.depot.timezone == "Asia/Shanghai"
    assert (loaded.web.listen, loaded.web.port) == ("127.0.0.1", 8080)
    assert loaded.lines == () and loaded.positions == ()
    assert loaded.wallboard.type == "none"
    assert loaded.gpio.enabled is False


def test_modem_line_defaults_match_the_interface() -> None:
    line = config.parse(TWO_MODEMS, FILE).lines[0]
    assert line == ModemLineConfig(id="fxo0", device="/dev/depotline/fxo0")
    assert (line.dialect, line.rings_before_answer, line.country_code) == ("auto", 2, "B5")


def test_sip_gateway_with_channels_becomes_numbered_lines() -> None:
    loaded = config.parse('[[lines]]\nid = "gw"\ntype = "sip"\ngateway = "10.0.0.5"\nchannels = 3')
    assert loaded.line_ids == ("gw-1", "gw-2", "gw-3")
    assert isinstance(loaded.lines[0], SipLineConfig)


def test_wrong_key_names_file_key_value_and_the_keys_expected() -> None:
    assert message('[depot]\nname = "East"\ntimezon = "Asia/Shanghai"') == (
        f'{FILE}: unknown key depot.timezon = "Asia/Shanghai": expected one of database, name,'
        " prompts_dir, recordings_dir, timezone"
    )


def test_wrong_key_in_second_line_names_its_index() -> None:
    assert message(TWO_MODEMS + "rings = 3\n") == (
        f"{FILE}: unknown key lines[1].rings = 3: expected one of country_code, device, dialect,"
        " id, init_commands, max_call_s, power_cycle_command, rings_before_answer, type"
    )


def test_wrong_type_names_the_dotted_key_and_what_was_expected() -> None:
    assert message(TWO_MODEMS + 'rings_before_answer = "two"\n') == (
        f'{FILE}: lines[1].rings_before_answer = "two": expected an integer from 1 to 10'
    )


def test_out_of_range_value_names_the_range() -> None:
    assert message(TWO_MODEMS + "rings_before_answer = 12\n") == (
        f"{FILE}: lines[1].rings_before_answer = 12: expected an integer from 1 to 10"
    )


def test_boolean_is_not_taken_for_a_number() -> None:
    assert message("[web]\nport = true") == (
        f"{FILE}: web.port = true: expected an integer from 1 to 65535"
    )


def test_unknown_line_type_lists_the_types() -> None:
    assert message('[[lines]]\nid = "a"\ntype = "isdn"') == (
        f'{FILE}: lines[0].type = "isdn": expected one of "modem", "sip", "sim"'
    )


def test_missing_required_key_is_named() -> None:
    assert message('[[lines]]\nid = "fxo0"\ntype = "modem"') == (
        f"{FILE}: lines[0].device is missing"
    )


def test_duplicate_line_id_names_both_entries() -> None:
    text = TWO_MODEMS.replace('id = "fxo1"', 'id = "fxo0"')
    assert message(text) == (
        f"{FILE}: lines[1].id = \"fxo0\": line id 'fxo0' is already used by lines[0];"
        " expected a unique id"
    )


def test_sip_channels_colliding_with_another_line_is_a_duplicate() -> None:
    text = (
        '[[lines]]\nid = "gw"\ntype = "sip"\ngateway = "10.0.0.5"\nchannels = 2\n'
        '[[lines]]\nid = "gw-2"\ntype = "sim"\n'
    )
    assert message(text) == (
        f"{FILE}: lines[1].id = \"gw-2\": line id 'gw-2' is already used by lines[0];"
        " expected a unique id"
    )


def test_duplicate_position_id() -> None:
    text = '[[positions]]\nid = "pos1"\ntype = "sim"\n[[positions]]\nid = "pos1"\ntype = "sim"\n'
    assert message(text) == (
        f'{FILE}: positions[1].id = "pos1": already used by positions[0]; expected a unique id'
    )


def test_gpio_panel_for_a_position_that_does_not_exist() -> None:
    text = (
        '[[positions]]\nid = "pos1"\ntype = "sim"\n'
        '[gpio]\nenabled = true\npanels = [{position = "pos9", button = 5, led = 6}]\n'
    )
    assert message(text) == (
        f'{FILE}: gpio.panels[0].position = "pos9": expected the id of a configured position'
        ' ("pos1")'
    )


def test_gpio_pin_used_twice() -> None:
    text = "[gpio]\nbuzzer = 17\nstack_light = {green = 17}\n"
    assert message(text) == (
        f"{FILE}: gpio.buzzer = 17: GPIO 17 is already used by gpio.stack_light.green;"
        " expected a pin of its own"
    )


def test_gpio_pin_outside_the_header() -> None:
    assert message("[gpio]\nbuzzer = 40") == (
        f"{FILE}: gpio.buzzer = 40: expected a BCM GPIO number from 2 to 27"
    )


def test_unknown_time_zone() -> None:
    assert message('[depot]\ntimezone = "Asia/Peking"') == (
        f'{FILE}: depot.timezone = "Asia/Peking": expected an IANA time zone such as'
        ' "Asia/Shanghai"'
    )


def test_sip_position_uri_must_be_a_sip_uri() -> None:
    assert message('[[positions]]\nid = "p"\ntype = "sip"\nuri = "192.168.1.61"') == (
        f'{FILE}: positions[0].uri = "192.168.1.61": expected a SIP URI such as'
        ' "sip:pos1@192.168.1.61"'
    )


def test_thresholds_for_rates_alarm_must_be_below_warning() -> None:
    assert message("[thresholds]\nservice_level = {warning = 0.6, alarm = 0.8}") == (
        f"{FILE}: thresholds.service_level.alarm = 0.8: expected a value at or below warning"
    )


def test_not_toml_says_where() -> None:
    assert message("[depot\nname = 1").startswith(f"{FILE}: not valid TOML: ")


def test_missing_file_says_it_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "nothing.toml"
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert str(caught.value) == (
        f"{path}: cannot read the configuration: No such file or directory"
    )


@pytest.mark.parametrize("text", ["", "\n  \n", "# depotline\n# (cut off here)\n"])
def test_empty_file_is_refused_not_taken_as_a_box_without_lines(tmp_path: Path, text: str) -> None:
    path = tmp_path / "depotline.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert str(caught.value).startswith(f"{path}: the configuration is empty")


def test_sip_keepalive_checks_a_gateway_by_default_and_a_trunk_only_when_asked() -> None:
    gateway = '[[lines]]\nid = "gw"\ntype = "sip"\ngateway = "10.0.0.5"\n'
    trunk = (
        '[[lines]]\nid = "trunk"\ntype = "sip"\ngateway = "sip.example.net"\n'
        'registrar = "sip.example.net"\nusername = "u"\npassword = "p"\n'
    )
    kept = [config.parse(text).lines[0] for text in (gateway, trunk, trunk + "keepalive_s = 60")]
    assert [line.keepalive_s for line in kept if isinstance(line, SipLineConfig)] == [30, 0, 60]
    assert message(trunk + "keepalive_s = -1") == (
        f"{FILE}: lines[0].keepalive_s = -1: expected a number from 0 to 3600"
    )

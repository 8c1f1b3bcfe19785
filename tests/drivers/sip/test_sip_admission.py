"""The admission rule and check-config's leg count, without pjsua2: every caller the rule takes
can still be put through to an agent, and a configuration beyond the build is refused with
the numbers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from appliance import cli
from drivers.sip import capacity
from drivers.sip.capacity import BoxUse, BuildLimits, admits_caller

SMALL_BUILD = BuildLimits(
    max_calls=8, max_players=64, max_recorders=64, max_conf_ports=256, ioqueue_handles=1024
)


def test_admission_any_arrivals_and_hangups_every_taken_caller_can_still_get_an_agent_leg() -> None:
    chance = random.Random(13)
    for max_calls in range(3, 17):
        limits = BuildLimits(max_calls, 64, 64, 256, 1024)
        waiting = talking = 0  # callers without / with their agent leg
        turned_away = 0
        for _ in range(2000):
            step = chance.random()
            if step < 0.5:  # a caller arrives: pjsua gives it a leg, then asks the box
                legs_with_new = waiting + 2 * talking + 1
                if legs_with_new > max_calls:
                    turned_away += 1  # pjsua's own 486: the spare slot must prevent this
                    continue
                use = BoxUse(legs_with_new, waiting, waiting + talking, 2 * (waiting + talking))
                if admits_caller(use, limits, agent_leg_needed=True):
                    waiting += 1
            elif step < 0.8 and waiting:  # the engine rings an agent for a waiting caller
                waiting, talking = waiting - 1, talking + 1
            elif talking:
                talking -= 1
            # every waiting caller's agent leg still fits, with the spare slot free
            assert waiting * 2 + talking * 2 <= max_calls - capacity.TURN_AWAY_SLOTS
        assert turned_away == 0, max_calls


def test_admission_full_box_refuses_next_caller_but_not_the_one_before() -> None:
    # two callers taken and put through on an 8-leg build: 4 legs; a third fits (6 + spare)
    assert admits_caller(BoxUse(5, 0, 2, 4), SMALL_BUILD, agent_leg_needed=True)
    # three put through (6 legs) and a fourth arriving (7): its agent leg would take the spare
    assert not admits_caller(BoxUse(7, 0, 3, 6), SMALL_BUILD, agent_leg_needed=True)
    # dial-in agents need no new leg per caller
    assert admits_caller(BoxUse(7, 0, 3, 6), SMALL_BUILD, agent_leg_needed=False)


def test_depot_needs_eight_lines_twelve_phones_counts_legs_ports_sockets() -> None:
    needs = capacity.depot_needs(
        sip_lines=8, sip_positions=12, bridged_modem_lines=0, other_positions=0
    )
    assert needs.calls == 21  # 8 callers, 12 agent phones, 1 spare slot
    assert needs.sockets == 2 + 2 * 21
    upstream = needs.shortfalls(capacity.UPSTREAM_LIMITS)
    assert [(s.what, s.need, s.limit, s.blocking) for s in upstream] == [("call legs", 21, 4, True)]


def write_depot(path: Path, channels: int, phones: int) -> Path:
    text = f'[[lines]]\nid = "gw1"\ntype = "sip"\ngateway = "192.168.1.20"\nchannels = {channels}\n'
    for n in range(1, phones + 1):
        text += f'[[positions]]\nid = "pos{n}"\ntype = "sip"\n'
        text += f'uri = "sip:agent{n}@192.168.1.{100 + n}"\n'
    path.write_text(text)
    return path


@pytest.fixture
def small_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """check-config sees an installed build of 8 call legs."""
    monkeypatch.setattr(capacity, "installed_limits", lambda: SMALL_BUILD)


@pytest.mark.usefixtures("small_build")
def test_check_config_beyond_the_build_exits_78_with_the_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_depot(tmp_path / "depotline.toml", channels=8, phones=12)
    assert cli.main(["check-config", str(path)]) == 78
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"depotline: {path}: FAIL: the configuration can need 21 call legs at once but the pjsua2"
        " build allows 8 (PJSUA_MAX_CALLS in image_build/pjsua2/config_site.h):"
        " 8 SIP line channels + 12 SIP phones + 1 kept free to turn callers away"
    ]


@pytest.mark.usefixtures("small_build")
def test_check_config_within_the_build_says_ok(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_depot(tmp_path / "depotline.toml", channels=2, phones=3)
    assert cli.main(["check-config", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith(f"{path}: OK")


def check_depot_of_8_channels_12_phones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limits: BuildLimits
) -> tuple[Path, int]:
    """check-config on 8 channels and 12 ring-mode phones against a build of `limits`: per
    the count, 21 legs (8 + 12 + the spare), 20 players (a line's and a phone's each), 8
    recorders, 50 conference ports (legs, players, recorders and the sound device)."""
    monkeypatch.setattr(capacity, "installed_limits", lambda: limits)
    path = write_depot(tmp_path / "depotline.toml", channels=8, phones=12)
    return path, cli.main(["check-config", str(path)])


def test_check_config_short_of_players_and_recorders_warns_with_the_numbers_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    few_players = BuildLimits(
        128, max_players=16, max_recorders=4, max_conf_ports=256, ioqueue_handles=1024
    )
    path, exit_status = check_depot_of_8_channels_12_phones(tmp_path, monkeypatch, few_players)
    assert exit_status == 0  # prompts or recordings would fail, not calls
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"depotline: {path}: WARN: the configuration can need 20 players at once but the pjsua2"
        " build allows 16 (PJSUA_MAX_PLAYERS in image_build/pjsua2/config_site.h)",
        f"depotline: {path}: WARN: the configuration can need 8 recorders at once but the pjsua2"
        " build allows 4 (PJSUA_MAX_RECORDERS in image_build/pjsua2/config_site.h)",
    ]
    assert captured.out.startswith(f"{path}: OK")


def test_check_config_short_of_conference_ports_is_refused_with_the_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    few_ports = BuildLimits(
        128, max_players=64, max_recorders=64, max_conf_ports=49, ioqueue_handles=1024
    )
    path, exit_status = check_depot_of_8_channels_12_phones(tmp_path, monkeypatch, few_ports)
    assert exit_status == 78
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"depotline: {path}: FAIL: the configuration can need 50 conference ports at once but"
        " the pjsua2 build allows 49 (PJSUA_MAX_CONF_PORTS in image_build/pjsua2/config_site.h)"
    ]
    assert captured.out == ""

"""Caller ID kept as the line sent it or dropped, for SIP gateways as for modems: the number a
CDR and a callback task get from a From / P-Asserted-Identity header."""

from __future__ import annotations

import logging
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.roles import CallerId
from drivers.sip.headers import line_caller_id


def invite(*headers: str) -> str:
    return "\r\n".join(["INVITE sip:depot@10.0.0.2 SIP/2.0", *headers, "", "v=0"])


@pytest.mark.parametrize(
    ("from_header", "expected"),
    [
        ('"Li Wei" <sip:13800138000@10.0.0.5>;tag=1', CallerId("13800138000", "Li Wei")),
        ("<sip:%2B8613800138000@10.0.0.5>;tag=1", CallerId("+8613800138000")),
        ("<tel:+86-10-1234-5678>;tag=1", CallerId("+861012345678")),
        ('"ACME" <sip:555ABC123@10.0.0.5>;tag=1', CallerId("", "ACME")),
        ("<sip:" + "4" * 40 + "@10.0.0.5>;tag=1", CallerId()),
        ("<sip:fxo1@10.0.0.5>;tag=1", CallerId()),
        ('"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1', CallerId(withheld="private")),
        ('"Unavailable" <sip:unavailable@10.0.0.5>;tag=1', CallerId(withheld="unavailable")),
        ('"\x01bad" <sip:021555@10.0.0.5>;tag=1', CallerId("021555")),
    ],
    ids=[
        "plain",
        "escaped-plus",
        "tel-separators",
        "letters",
        "40-digits",
        "gateway-user",
        "anonymous",
        "unavailable",
        "control-in-name",
    ],
)
def test_sip_line_caller_id_is_kept_as_sent_or_dropped(
    from_header: str, expected: CallerId
) -> None:
    assert line_caller_id(invite(f"From: {from_header}"), "gw1") == expected


def test_sip_line_caller_id_dropped_number_is_logged_with_line_and_raw_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="drivers.callerid"):
        caller = line_caller_id(invite("From: <sip:555ABC123@10.0.0.5>;tag=1"), "gxw")
    assert caller == CallerId()
    assert "line gxw: caller number '555ABC123'" in caplog.text


def test_sip_line_caller_id_privacy_id_withholds_an_asserted_number() -> None:
    msg = invite(
        "From: <sip:anonymous@anonymous.invalid>;tag=1",
        "P-Asserted-Identity: <sip:+8613900139000@carrier.example>",
        "Privacy: id",
    )
    assert line_caller_id(msg, "trunk") == CallerId(withheld="private")


@settings(deadline=None)
@given(st.text(max_size=40), st.text(max_size=20))
def test_sip_line_caller_id_any_user_and_name_kept_as_sent_or_dropped(user: str, name: str) -> None:
    quoted = name.replace("\\", "").replace('"', "")
    caller = line_caller_id(invite(f'From: "{quoted}" <sip:{user}@10.0.0.5>;tag=1'), "gw1")
    assert caller.withheld in ("", "private", "unavailable")
    if caller.number:
        assert re.fullmatch(r"\+?[0-9]{1,15}", caller.number)
        assert not caller.withheld
    assert caller.name == "" or caller.name.isprintable()

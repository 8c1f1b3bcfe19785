"""Pure parts of the SIP driver: caller ID from SIP headers, URIs, the keep-alive's answers,
gateway line ids."""

from __future__ import annotations

from drivers.roles import CallerId
from drivers.sip.headers import caller_id_from_request, split_host_port, split_uri
from drivers.sip.keepalive import answered_call_id, options_request
from drivers.sip.settings import SipGateway


def invite(*headers: str) -> str:
    return "\r\n".join(["INVITE sip:depot@10.0.0.2 SIP/2.0", *headers, "", "v=0"])


def test_caller_id_from_header_with_quoted_name() -> None:
    msg = invite('From: "Li Wei" <sip:13800138000@10.0.0.5>;tag=1', "To: <sip:depot@10.0.0.2>")
    assert caller_id_from_request(msg) == CallerId(number="13800138000", name="Li Wei")


def test_caller_id_p_asserted_identity_wins_over_from() -> None:
    msg = invite(
        "From: <sip:fxo1@10.0.0.5>;tag=1",
        "P-Asserted-Identity: <sip:+8613900139000@carrier.example>",
    )
    assert caller_id_from_request(msg).number == "+8613900139000"


def test_caller_id_compact_from_and_unquoted_name() -> None:
    msg = invite("f: Depot Gate <sip:021555@10.0.0.5>;tag=9")
    assert caller_id_from_request(msg) == CallerId(number="021555", name="Depot Gate")


def test_caller_id_anonymous_or_privacy_id_is_withheld() -> None:
    anonymous = invite('From: "Anonymous" <sip:anonymous@anonymous.invalid>;tag=1')
    assert caller_id_from_request(anonymous) == CallerId(withheld="private")
    private = invite("From: <sip:13800138000@10.0.0.5>;tag=1", "Privacy: id")
    assert caller_id_from_request(private).withheld == "private"
    assert caller_id_from_request(private).number == ""


def test_caller_id_name_equal_to_number_is_dropped() -> None:
    msg = invite('From: "021555" <sip:021555@10.0.0.5>;tag=1')
    assert caller_id_from_request(msg) == CallerId(number="021555")


def test_caller_id_of_garbage_is_empty_not_an_error() -> None:
    assert caller_id_from_request("\x00\xff not sip") == CallerId()
    assert caller_id_from_request(invite("From: <<<;;")).number == ""


def test_split_uri_and_address() -> None:
    assert split_uri("sip:pos1@192.168.1.61:5070;transport=udp") == ("pos1", "192.168.1.61", 5070)
    assert split_uri("<sip:192.168.1.50>") == ("", "192.168.1.50", None)
    assert split_host_port("[::1]:5060") == ("::1", 5060)
    assert split_host_port("10.0.0.5:5062") == ("10.0.0.5", 5062)


def test_keepalive_matches_answer_by_call_id_and_ignores_requests() -> None:
    request = options_request("10.0.0.5", 5060, "10.0.0.2", 40000, "abc@depotline").decode()
    assert request.startswith("OPTIONS sip:10.0.0.5:5060 SIP/2.0\r\n")
    assert "Call-ID: abc@depotline\r\n" in request
    answer = b"SIP/2.0 200 OK\r\nVia: x\r\ni: abc@depotline\r\nContent-Length: 0\r\n\r\n"
    assert answered_call_id(answer) == "abc@depotline"
    assert answered_call_id(request.encode()) is None
    assert answered_call_id(b"\xff\xfe") is None


def test_gateway_channels_become_line_ids() -> None:
    assert SipGateway(id="gw1", host="10.0.0.5").line_ids == ("gw1",)
    assert SipGateway(id="gxw", host="10.0.0.6", channels=4).line_ids == (
        "gxw-1",
        "gxw-2",
        "gxw-3",
        "gxw-4",
    )

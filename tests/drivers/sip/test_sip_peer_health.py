"""Keep-alive judgement of gateways and phones."""

from __future__ import annotations

from drivers.sip.peer_health import PeerHealth


def test_peer_comes_into_service_on_first_answer_once() -> None:
    health = PeerHealth(2)
    health.asked()
    assert health.answered() is True
    health.asked()
    assert health.answered() is False
    assert health.in_service is True


def test_peer_is_lost_after_the_set_number_of_misses_in_a_row_only() -> None:
    health = PeerHealth(2)
    health.asked()
    health.answered()
    health.asked()
    assert health.deadline() is False  # one miss
    health.asked()
    assert health.answered() is False  # an answer resets the count
    health.asked()
    assert health.deadline() is False
    health.asked()
    assert health.deadline() is True  # two in a row
    health.asked()
    assert health.deadline() is False  # reported once
    assert health.in_service is False
    health.asked()
    assert health.answered() is True  # back


def test_deadline_after_a_timely_answer_is_no_miss() -> None:
    health = PeerHealth(1)
    health.asked()
    health.answered()
    assert health.deadline() is False
    assert health.in_service is True


def test_peer_never_heard_from_is_reported_lost_after_the_misses() -> None:
    health = PeerHealth(2)
    for expected in (False, True, False):
        health.asked()
        assert health.deadline() is expected
    assert health.in_service is False


def test_failed_registration_is_reported_once() -> None:
    health = PeerHealth()
    assert health.lost() is True
    assert health.lost() is False
    assert health.answered() is True

"""The Pi's end of the link without I/O: hello, only changed fields, coalescing, retransmits,
resynchronising sequence numbers, heartbeats, giving up."""

from drivers.roles import AlertLevel, WallboardFigures
from drivers.wallboard.link import HostLink, wire_fields
from firmware.wallboard import protocol as p


def board_hello() -> bytes:
    return p.encode_frame(0, p.hello_reply(128, 32))


def ack(seq: int) -> bytes:
    return p.encode_frame(seq, b"")


def sent(frame: bytes) -> tuple[int, bytes]:
    frames = p.FrameReader().feed(frame)
    assert len(frames) == 1
    return frames[0]


def connected_link() -> HostLink:
    link = HostLink(no_data_after_s=10, retransmit_s=0.1, fault_after_s=1.0)
    link.start(0.0)
    seq, payload = sent(link.poll(0.0))
    assert payload == p.hello_request(10)
    link.received(ack(seq + 1) + board_hello(), 0.01)
    assert link.ready
    return link


def test_wire_fields_turn_missing_rates_into_minus_one_and_keep_levels() -> None:
    figures = WallboardFigures(
        calls_waiting=4,
        service_level=None,
        answer_rate=0.9234,
        levels=(("calls_waiting", AlertLevel.ALARM),),
    )
    fields = wire_fields(figures)
    assert fields[p.F_WAITING] == (p.LEVEL_ALARM, 4)
    assert fields[p.F_SERVICE_LEVEL] == (p.LEVEL_NORMAL, -1)
    assert fields[p.F_ANSWER_RATE] == (p.LEVEL_NORMAL, 923)


def test_long_chinese_ticker_is_cut_on_a_character_boundary() -> None:
    ticker = wire_fields(WallboardFigures(ticker="暴雨预警" * 20))[p.F_TICKER][1]
    assert isinstance(ticker, bytes)
    assert len(ticker) <= p.MAX_TICKER_BYTES
    ticker.decode()  # whole characters only


def test_nothing_but_hello_is_sent_before_the_board_answers() -> None:
    link = HostLink(no_data_after_s=10, retransmit_s=0.1)
    link.set_fields(wire_fields(WallboardFigures(calls_waiting=1)))
    link.start(0.0)
    assert sent(link.poll(0.0))[1][0] == p.MSG_HELLO
    assert link.poll(0.05) == b""
    assert sent(link.poll(0.1))[1][0] == p.MSG_HELLO  # retransmitted, not figures


def test_first_update_carries_every_field_then_only_changed_ones() -> None:
    link = connected_link()
    link.set_fields(wire_fields(WallboardFigures(calls_waiting=1, agents_ready=3)))
    seq, payload = sent(link.poll(0.02))
    assert {field for field, _, _ in p.decode_figures(payload)} == set(
        wire_fields(WallboardFigures())
    )
    link.received(ack(seq + 1), 0.03)
    link.set_fields(wire_fields(WallboardFigures(calls_waiting=2, agents_ready=3)))
    seq, payload = sent(link.poll(0.04))
    assert p.decode_figures(payload) == [(p.F_WAITING, p.LEVEL_NORMAL, 2)]


def test_changes_while_a_frame_is_in_flight_are_coalesced_into_one_frame() -> None:
    link = connected_link()
    link.set_fields(wire_fields(WallboardFigures()))
    seq, _ = sent(link.poll(0.02))
    link.received(ack(seq + 1), 0.02)
    link.set_fields(wire_fields(WallboardFigures(calls_waiting=1)))
    seq, _ = sent(link.poll(0.03))
    for waiting in range(2, 10):
        link.set_fields(wire_fields(WallboardFigures(calls_waiting=waiting, agents_paused=1)))
        assert link.poll(0.04) == b""  # one frame in flight at a time
    link.received(ack(seq + 1), 0.05)
    _, payload = sent(link.poll(0.05))
    assert sorted(p.decode_figures(payload)) == [(p.F_WAITING, 0, 9), (p.F_PAUSED, 0, 1)]


def test_unacknowledged_frame_is_sent_again_unchanged_after_the_timeout() -> None:
    link = connected_link()
    link.set_fields(wire_fields(WallboardFigures(calls_waiting=5)))
    first = link.poll(0.02)
    assert link.poll(0.1) == b""
    assert link.poll(0.121) == first
    assert link.retransmits == 1


def test_ack_with_another_sequence_number_renumbers_the_frame_and_resends_at_once() -> None:
    link = connected_link()
    link.set_fields(wire_fields(WallboardFigures(calls_waiting=5)))
    _, payload = sent(link.poll(0.02))
    link.received(ack(7), 0.03)  # the board restarted or lost a frame: it expects 7
    again_seq, again_payload = sent(link.poll(0.03))
    assert (again_seq, again_payload) == (7, payload)
    link.received(ack(8), 0.04)
    assert link.idle


def test_board_hello_after_a_restart_makes_the_pi_send_every_field_again() -> None:
    link = connected_link()
    link.set_fields(wire_fields(WallboardFigures(calls_waiting=5)))
    seq, _ = sent(link.poll(0.02))
    link.received(ack(seq + 1), 0.03)
    assert link.idle
    link.received(board_hello(), 0.5)  # unasked: it restarted
    seq, payload = sent(link.poll(0.5))
    assert payload == p.hello_request(10)  # it needs the silence time again
    link.received(ack((seq + 1) & p.SEQ_MASK) + board_hello(), 0.51)
    _, payload = sent(link.poll(0.52))
    assert len(p.decode_figures(payload)) == len(wire_fields(WallboardFigures()))


def test_heartbeat_when_nothing_changes() -> None:
    link = connected_link()
    assert link.heartbeat_s == 2.0
    assert link.poll(1.0) == b""
    assert sent(link.poll(2.02))[1] == bytes([p.MSG_HEARTBEAT])


def test_link_gives_up_when_the_board_does_not_answer() -> None:
    link = connected_link()
    link.set_fields(wire_fields(WallboardFigures(calls_waiting=5)))
    link.poll(0.02)
    assert link.problem(0.5) is None
    problem = link.problem(1.03)
    assert problem is not None and "not answered" in problem


def test_board_with_other_protocol_version_is_a_fault_that_says_to_flash() -> None:
    link = HostLink()
    link.start(0.0)
    link.poll(0.0)
    link.received(p.encode_frame(0, bytes([p.MSG_HELLO, 99, 128, 32])), 0.01)
    problem = link.problem(0.01)
    assert problem is not None and "depotline firmware flash" in problem


def test_fields_that_do_not_fit_one_frame_follow_in_the_next() -> None:
    link = connected_link()
    link.set_fields(wire_fields(WallboardFigures(ticker="x" * 90, calls_waiting=3)))
    seq, payload = sent(link.poll(0.02))
    assert len(payload) <= p.MAX_PAYLOAD
    first = {field for field, _, _ in p.decode_figures(payload)}
    link.received(ack(seq + 1), 0.03)
    _, payload = sent(link.poll(0.03))
    second = {field for field, _, _ in p.decode_figures(payload)}
    assert first | second == set(wire_fields(WallboardFigures()))
    assert not first & second

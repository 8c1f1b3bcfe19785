"""The modem driver with real pyserial against the simulated voice modem on a pty: start-up per
dialect, caller ID, prompts and barge-in, hang-up signals, call waiting, faults and recovery,
dialling out and voicemail."""

from __future__ import annotations

import logging
import math
import threading
import wave
from pathlib import Path

import pytest
from modem_harness import LineUnderTest, run_line

from appliance.prompts import PROMPTS_DIR
from drivers.modem import audio
from drivers.roles import (
    LINE_AUDIO_FRAME_BYTES,
    AnswerLine,
    CallArrived,
    CallerHungUp,
    CallerId,
    CallTurnedAway,
    DialFailed,
    DialOut,
    DigitPressed,
    HangUpCause,
    HangUpLine,
    LineAnswered,
    LineAudio,
    LineFaulted,
    LineInService,
    MediaCapability,
    PlayMusic,
    PlayPrompt,
    PlayTone,
    PromptFinished,
    RecordingFinished,
    RecordMessage,
    RefuseCall,
    SendDigits,
    StopMedia,
    Tone,
)

INIT = {
    "usr": [
        "> ATZ", "< OK", "> ATE0", "< OK", "> ATV1", "< OK", "> AT+GCI=B5", "< OK",
        "> AT+FCLASS=8", "< OK",
        "> ATI", "< 5601", "< OK", "> ATI3", "< U.S. Robotics 56K FAX USB V1.2.23", "< OK",
        "> AT+VSM=?",
        '< 0,"SIGNED PCM",8,0,(8000),(0),(0)',
        '< 1,"UNSIGNED PCM",8,0,(8000),(0),(0)',
        '< 128,"8-BIT LINEAR",8,0,(7200,8000,11025),(0),(0)',
        '< 132,"4-BIT IMA ADPCM",4,0,(7200,8000,11025),(0),(0)',
        "< OK",
        "> AT+VCID=1", "< OK", "> AT+VIT=0", "< OK", "> AT+VRA=50", "< OK", "> AT+VRN=10", "< OK",
        "> AT+VSD=128,80", "< OK",
        "> AT+VLS=0", "< OK", "> AT+VSM=128,8000", "< OK", "> AT+VTR=?", "< ERROR",
    ],
    "conexant": [
        "> ATZ", "< OK", "> ATE0", "< OK", "> ATV1", "< OK", "> AT+GCI=B5", "< OK",
        "> AT+FCLASS=8", "< OK",
        "> ATI", "< 56000", "< OK", "> ATI3", "< CX93001-EIS_V0.2002-V92", "< OK",
        "> AT+VSM=?",
        '< 0,"SIGNED PCM",8,0,(7200,8000,11025),(0),(0)',
        '< 1,"UNSIGNED PCM",8,0,(7200,8000,11025),(0),(0)',
        '< 4,"G711U",8,0,(8000),(0),(0)',
        '< 5,"G711A",8,0,(8000),(0),(0)',
        '< 140,"ADPCM",4,0,(8000),(0),(0)',
        "< OK",
        "> AT-SCID=1", "< OK", "> AT+VCID=1", "< OK", "> AT-STE=3", "< OK",
        "> AT+VIT=0", "< OK", "> AT+VRA=50", "< OK", "> AT+VRN=10", "< OK",
        "> AT+VSD=128,80", "< OK",
        "> AT+VLS=0", "< OK", "> AT+VSM=1,8000,0,0", "< OK", "> AT+VTR=?", "< ERROR",
    ],
    "generic": [
        "> ATZ", "< OK", "> ATE0", "< OK", "> ATV1", "< OK", "> AT+GCI=B5", "< OK",
        "> AT+FCLASS=8", "< OK",
        "> ATI", "< V253", "< OK", "> ATI3", "< depotline simulated V.253 voice modem", "< OK",
        "> AT+VSM=?",
        '< 1,"UNSIGNED PCM",8,0,(8000),(0),(0)',
        '< 4,"G.711U",8,0,(8000),(0),(0)',
        '< 5,"G.711A",8,0,(8000),(0),(0)',
        "< OK",
        "> AT+VCID=1", "< OK", "> AT+VIT=0", "< OK", "> AT+VRA=50", "< OK", "> AT+VRN=10", "< OK",
        "> AT+VSD=128,80", "< OK",
        "> AT+VLS=0", "< OK", "> AT+VSM=1,8000,0,0", "< OK", "> AT+VTR=?", "< ERROR",
    ],
}  # fmt: skip


def _prompt_bytes(name: str, language: str = "en") -> bytes:
    samples = audio.read_wav(PROMPTS_DIR / language / f"{name}.wav")
    return audio.encode(samples, audio.SampleFormat.UNSIGNED_LINEAR)


def test_modem_line_starts_each_dialect_with_its_whole_init(tmp_path: Path, dialect: str) -> None:
    async def scenario(line: LineUnderTest) -> None:
        assert line.driver.dialect.value == dialect
        assert line.events[0] == LineInService(line.events[0].time_s, "fxo0",
                                               MediaCapability.HALF_DUPLEX)  # fmt: skip

    line = run_line(tmp_path, scenario, dialect)
    assert line.transcript[: len(INIT[dialect])] == INIT[dialect]


def test_modem_line_config_init_commands_follow_the_dialect_init(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        pass

    line = run_line(tmp_path, scenario, "conexant", init_commands=["AT!4886=03"],
                    country_code="B4", dialect="conexant")  # fmt: skip
    transcript = line.sim.transcript
    assert "> AT+GCI=B4" in transcript
    assert transcript.index("> AT!4886=03") > transcript.index("> AT-STE=3")


# ---------------------------------------------------------------------------------------------
# caller ID


@pytest.mark.parametrize(
    ("dialect_name", "uk", "number", "name", "withheld", "expected"),
    [
        ("usr", False, "0151234567", "JOHN SMITH", "", CallerId("0151234567", "JOHN SMITH")),
        ("conexant", False, "8005551212", "ACME LTD", "", CallerId("8005551212", "ACME LTD")),
        ("generic", True, "02079460000", "UK CALLER", "", CallerId("02079460000", "UK CALLER")),
        ("usr", False, "", "", "private", CallerId("", "", "private")),
        ("conexant", False, "", "", "unavailable", CallerId("", "", "unavailable")),
        ("usr", False, "5551234", "", "", CallerId("5551234", "")),
    ],
    ids=["usr-no-spaces", "conexant-spaces", "uk-before-ring", "private", "unavailable", "no-name"],
)
def test_modem_line_caller_id_reaches_call_arrived(
    tmp_path: Path,
    dialect_name: str,
    uk: bool,
    number: str,
    name: str,
    withheld: str,
    expected: CallerId,
) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.incoming_call(number, name, withheld=withheld)
        arrived = await line.next(CallArrived)
        assert arrived.caller == expected
        assert line.kinds().count("CallArrived") == 1

    line = run_line(tmp_path, scenario, dialect_name, {"caller_id_before_ring": uk})
    transcript = line.sim.transcript
    if uk:
        assert transcript.index("< RING") > transcript.index("< TIME=0930")
    else:
        assert transcript.index("< RING") < next(i for i, e in enumerate(transcript) if "TIME" in e)


def test_modem_line_one_ring_waits_for_caller_id_after_the_first_ring(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.incoming_call("0161496000", "WAITED FOR")
        arrived = await line.next(CallArrived)
        assert arrived.caller == CallerId("0161496000", "WAITED FOR")

    run_line(tmp_path, scenario, "usr", rings_before_answer=1)


def test_modem_line_without_caller_id_service_offers_after_the_rings(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.incoming_call()
        arrived = await line.next(CallArrived)
        assert arrived.caller == CallerId()

    line = run_line(tmp_path, scenario, "generic", rings_before_answer=3)
    assert line.sim.transcript.count("< RING") >= 3


def test_modem_line_garbage_caller_id_still_gives_the_number(tmp_path: Path) -> None:
    garbage = [
        b"DATE=11\x0123",  # control byte: the line is dropped
        b"TIME=0930",
        b"NMBR=0151-234 567",
        b"NAME=ACME\x00LTD",
        b"=====",
        b"\xfe\xfe\xfe",
        b"XYZ=what",
    ]

    async def scenario(line: LineUnderTest) -> None:
        line.sim.incoming_call(caller_id_lines=garbage)
        arrived = await line.next(CallArrived)
        assert arrived.caller == CallerId("0151234567", "")
        await line.driver.perform(AnswerLine("fxo0"))
        await line.next(LineAnswered)

    run_line(tmp_path, scenario, "usr")


@pytest.mark.parametrize(
    ("caller_id_lines", "expected"),
    [
        ([b"NMBR=555ABC123", b"NAME=ACME"], CallerId("", "ACME")),
        ([b"NMBR=" + b"4" * 40], CallerId()),
        ([b"NMBR=0151234\xff"], CallerId()),
        (
            [b"NMBR=02154321234", b"NAME=" + "上海物流".encode("gb18030")],
            CallerId("02154321234", "上海物流"),
        ),
        (
            [b"NMBR=02154321234", b"NAME=" + "上海物流".encode()],
            CallerId("02154321234", "上海物流"),
        ),
        ([b"NMBR=02154321234", b"NAME=\xff\xfe\xc3(BAD"], CallerId("02154321234", "")),
        ([b"NMBR=P", b"NAME=P"], CallerId(withheld="private")),
        ([b"NMBR=O", b"NAME=O"], CallerId(withheld="unavailable")),
    ],
    ids=["letters", "40-digits", "garbage-byte", "gb18030", "utf-8", "latin-1-junk", "P", "O"],
)
def test_modem_line_caller_id_is_kept_as_sent_or_dropped(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    caller_id_lines: list[bytes],
    expected: CallerId,
) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.incoming_call(caller_id_lines=[b"DATE=1203", b"TIME=0930", *caller_id_lines])
        arrived = await line.next(CallArrived)
        assert arrived.caller == expected

    with caplog.at_level(logging.WARNING, logger="drivers.callerid"):
        run_line(tmp_path, scenario, "usr")
    dropped = expected.number == "" and not expected.withheld
    assert ("line fxo0: caller number" in caplog.text) == dropped


def test_modem_line_caller_who_gives_up_ringing_hangs_up(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.incoming_call("5550000", "IMPATIENT", rings=3)
        await line.next(CallArrived)
        gone = await line.next(CallerHungUp)
        assert gone.cause is HangUpCause.NORMAL
        assert not line.sim.offhook

    run_line(tmp_path, scenario, "usr")


# ---------------------------------------------------------------------------------------------
# prompts, keys, music, tones


def test_modem_line_prompt_is_heard_whole_by_the_caller(tmp_path: Path, dialect: str) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(PlayPrompt("fxo0", ("num_3", "in_line"), "en", play_id=7))
        finished = await line.next(PromptFinished)
        assert (finished.play_id, finished.interrupted) == (7, False)

    line = run_line(tmp_path, scenario, dialect)
    expected = b"".join(_prompt_bytes(n) for n in ("num_3", "in_line"))
    assert line.sim.heard == expected
    assert line.transcript[-4:] == ["> AT+VTX", "< CONNECT", "> <audio>", "> <DLE ETX>"] or (
        line.transcript[-5:] == ["> AT+VTX", "< CONNECT", "> <audio>", "> <DLE ETX>", "< OK"]
    )


def test_modem_line_menu_key_barges_in_and_stops_the_prompt(tmp_path: Path, dialect: str) -> None:
    greeting = _prompt_bytes("greeting", "zh-CN")

    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(
            PlayPrompt("fxo0", ("greeting", "menu_cargo", "menu_orders"), "zh-CN", 3, True)
        )
        await line.sim_until(lambda: len(line.sim.heard) > 4000)
        line.sim.press("2")
        digit = await line.next(DigitPressed)
        finished = await line.next(PromptFinished)
        assert digit.digit == "2"
        assert (finished.play_id, finished.interrupted) == (3, True)
        await line.sim_until(lambda: line.sim.transcript[-1] == "< OK")

    line = run_line(tmp_path, scenario, dialect)
    heard = line.sim.heard
    assert heard == greeting[: len(heard)]
    assert len(heard) < len(greeting)  # stopped in the greeting: a 4 s prompt
    assert line.transcript[-5:] == ["> <audio>", "< <DTMF 2>", "> <DLE CAN>", "> <DLE ETX>", "< OK"]
    assert line.kinds().count("DigitPressed") == 1  # Conexant repeats the key inside its frame


def test_modem_line_keys_without_barge_in_do_not_stop_the_prompt(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(PlayPrompt("fxo0", ("login_ok",), "en", 1, False))
        await line.sim_until(lambda: len(line.sim.heard) > 2000)
        line.sim.press("1#")
        finished = await line.next(PromptFinished)
        assert not finished.interrupted
        assert [e.digit for e in line.events if isinstance(e, DigitPressed)] == ["1", "#"]

    line = run_line(tmp_path, scenario, "conexant")
    assert line.sim.heard == _prompt_bytes("login_ok")


def test_modem_line_music_loops_until_stopped(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(PlayMusic("fxo0"))
        await line.sim_until(lambda: len(line.sim.heard) > 2400)
        await line.driver.perform(StopMedia("fxo0"))
        await line.sim_until(lambda: line.sim.transcript[-1] == "< OK")
        await line.driver.perform(HangUpLine("fxo0"))
        await line.sim_until(lambda: not line.sim.offhook)

    line = run_line(tmp_path, scenario, "usr")
    assert "PromptFinished" not in line.kinds()
    assert line.transcript[-6:] == ["> <audio>", "> <DLE CAN>", "> <DLE ETX>", "< OK",
                                    "> AT+VLS=0", "< OK"]  # fmt: skip


def test_modem_line_tones_and_digits_go_out_with_vts(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(PlayTone("fxo0", Tone.BEEP, 0.3))
        await line.driver.perform(SendDigits("fxo0", "12#"))
        await line.driver.perform(HangUpLine("fxo0"))
        await line.sim_until(lambda: not line.sim.offhook)

    line = run_line(tmp_path, scenario, "generic")
    assert line.sim.tones == ["[1000,0,30]", "1,2,#"]


def test_modem_line_refused_call_hears_busy_and_line_goes_on_hook(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.incoming_call("5551234", "BLOCKED")
        await line.next(CallArrived)
        await line.driver.perform(RefuseCall("fxo0"))
        await line.sim_until(lambda: "> AT+VLS=0" in line.sim.transcript[-3:])

    line = run_line(tmp_path, scenario, "usr", refuse_tone_s=1.0)
    assert line.sim.tones == ["[480,620,50],[0,0,50]"]
    assert not line.sim.offhook
    assert "LineAnswered" not in line.kinds()


# ---------------------------------------------------------------------------------------------
# hang-up detection


@pytest.mark.parametrize(
    ("signal", "cause"),
    [
        ("busy_tone", HangUpCause.BUSY_TONE),
        ("dial_tone", HangUpCause.DIAL_TONE),
        ("loop_break", HangUpCause.LOOP_BREAK),
        ("polarity_reversal", HangUpCause.POLARITY_REVERSAL),
        ("silence", HangUpCause.SILENCE),
    ],
)
def test_modem_line_hang_up_signal_ends_call_on_hook(
    tmp_path: Path, signal: str, cause: HangUpCause, dialect: str
) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(PlayMusic("fxo0"))
        await line.sim_until(lambda: len(line.sim.heard) > 800)
        line.sim.hang_up(signal)
        gone = await line.next(CallerHungUp)
        assert gone.cause is cause
        assert not line.sim.offhook

    line = run_line(tmp_path, scenario, dialect)
    assert line.transcript[-2:] == ["> AT+VLS=0", "< OK"]


def test_modem_line_silent_line_is_cut_at_max_call_s(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        line.sim.hang_up("none")  # the exchange signals nothing at all
        gone = await line.next(CallerHungUp, timeout_s=5)
        assert gone.cause is HangUpCause.HARD_CAP
        assert not line.sim.offhook

    run_line(tmp_path, scenario, "usr", max_call_s=1.0)


def test_modem_line_call_waiting_caller_id_is_not_a_new_call(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call("0151111111", "FIRST")
        line.sim.call_waiting("0152222222", "SECOND")
        await line.sim_until(lambda: "< NMBR=0152222222" in line.sim.transcript)
        line.sim.press("5")
        assert (await line.next(DigitPressed)).digit == "5"
        line.sim.hang_up("loop_break")
        await line.next(CallerHungUp)
        # a later caller who rings once: the only missed call the line reports is theirs
        line.sim.incoming_call("0153333333", "THIRD", rings=1)
        missed = await line.next(CallTurnedAway)
        assert missed.caller.number == "0153333333"

    line = run_line(tmp_path, scenario, "usr")
    assert line.kinds().count("CallArrived") == 1
    assert line.kinds().count("CallTurnedAway") == 1


# ---------------------------------------------------------------------------------------------
# faults and recovery


def test_modem_line_unplugged_mid_call_faults_then_returns(tmp_path: Path, dialect: str) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(PlayPrompt("fxo0", ("greeting",), "en", 1))
        await line.sim_until(lambda: len(line.sim.heard) > 800)
        line.sim.unplug()
        gone = await line.next(CallerHungUp)
        fault = await line.next(LineFaulted)
        assert gone.cause is HangUpCause.DEVICE_LOST
        assert "unplugged" in fault.reason and "fxo0" in fault.reason
        line.sim.replug()
        await line.next(LineInService)
        await line.answered_call("0159999999", "AFTER REPLUG")

    line = run_line(tmp_path, scenario, dialect)
    assert line.kinds().count("LineFaulted") == 1
    assert "= plugged in" in line.sim.transcript


def test_modem_line_absent_at_start_faults_once_then_comes_up(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        fault = await line.next(LineFaulted)
        assert "cannot open" in fault.reason and "modem0" in fault.reason
        line.sim.replug()
        await line.next(LineInService)
        await line.answered_call()

    line = run_line(tmp_path, scenario, "usr", plugged_in=False)
    assert line.kinds()[:2] == ["LineFaulted", "LineInService"]


def test_modem_line_hung_modem_is_reset_then_faulted_then_power_cycled(tmp_path: Path) -> None:
    marker = tmp_path / "power-cycled"

    async def scenario(line: LineUnderTest) -> None:
        line.sim.stop_answering()
        fault = await line.next(LineFaulted)
        assert "stopped answering" in fault.reason
        await line.sim_until(marker.exists)
        line.sim.resume_answering()
        await line.next(LineInService)
        await line.answered_call()

    line = run_line(
        tmp_path,
        scenario,
        "conexant",
        ping_interval_s=0.2,
        command_timeout_s=0.3,
        power_cycle_command=f"touch {marker}",
    )
    transcript = line.sim.transcript
    hung = transcript.index("> AT", len(INIT["conexant"]))
    assert transcript[hung + 1] == "> ATZ"  # reset first, only then a fault


def test_modem_line_garbage_between_commands_is_dropped(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.inject_garbage()
        await line.sim_until(lambda: "< <garbage>" in line.sim.transcript)
        await line.answered_call("0150000001", "AFTER GARBAGE")
        line.sim.inject_garbage(b"\x10Z\x10\xff\r\nRINGRING\r\n\x00\x00")
        line.sim.press("4")
        assert (await line.next(DigitPressed)).digit == "4"

    line = run_line(tmp_path, scenario, "usr", ping_interval_s=0.2)
    assert "LineFaulted" not in line.kinds()


# ---------------------------------------------------------------------------------------------
# dialling out


@pytest.mark.parametrize(
    ("result", "reason"),
    [("busy", "busy"), ("no_answer", "no answer"), ("no_dialtone", "no dial tone")],
)
def test_modem_line_dial_out_failure_reports_reason(
    tmp_path: Path, result: str, reason: str, dialect: str
) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.set_dial_result(result)
        await line.driver.perform(DialOut("fxo0", "0151 234-5678"))
        failed = await line.next(DialFailed)
        assert failed.reason.startswith(reason)
        assert not line.sim.offhook

    line = run_line(tmp_path, scenario, dialect)
    assert line.sim.dialled == ["01512345678"]


def test_modem_line_dial_out_answered_carries_a_call(tmp_path: Path, dialect: str) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.driver.perform(DialOut("fxo0", "5550199"))
        await line.next(LineAnswered)
        await line.driver.perform(PlayPrompt("fxo0", ("num_5",), "en", 9))
        await line.next(PromptFinished)
        line.sim.press("1")
        assert (await line.next(DigitPressed)).digit == "1"
        await line.driver.perform(HangUpLine("fxo0"))
        await line.sim_until(lambda: not line.sim.offhook)

    line = run_line(tmp_path, scenario, dialect)
    assert line.transcript[len(INIT[dialect])] == "> ATDT5550199"
    assert line.sim.heard == _prompt_bytes("num_5")


# ---------------------------------------------------------------------------------------------
# recording


def _wav_rms(path: Path) -> tuple[float, float]:
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        samples = audio.read_wav(path)
    rms = math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))
    return len(samples) / 8000, rms


def test_modem_line_voicemail_ends_on_hash(tmp_path: Path, dialect: str) -> None:
    path = tmp_path / "voicemail" / "msg1.wav"

    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        line.sim.speak(1.0)
        await line.driver.perform(RecordMessage("fxo0", str(path), max_s=10))
        await line.sim_until(lambda: "< <audio>" in line.sim.transcript)
        await asyncio_sleep_until_heard(line, 1.2)
        line.sim.press("#")
        done = await line.next(RecordingFinished)
        assert done.path == str(path)
        assert 1.0 <= done.duration_s < 5

    line = run_line(tmp_path, scenario, dialect)
    seconds, rms = _wav_rms(path)
    assert seconds >= 1.0 and rms > 1000  # the caller's voice is in the file
    assert "DigitPressed" not in line.kinds()  # the # that ends a message is not a menu key
    assert line.transcript[-3:] == ["> <DLE !>", "< <DLE ETX>", "< OK"]


async def asyncio_sleep_until_heard(line: LineUnderTest, seconds: float) -> None:
    """Wait until the simulator has sent `seconds` of caller audio."""
    await line.sim_until(lambda: line.sim.caller_audio_sent_s >= seconds, timeout_s=seconds + 3)


def test_modem_line_voicemail_ends_on_silence_after_speech(tmp_path: Path) -> None:
    path = tmp_path / "msg.wav"

    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        line.sim.speak(5.0)
        await line.driver.perform(RecordMessage("fxo0", str(path), max_s=10))
        await asyncio_sleep_until_heard(line, 0.5)
        line.sim.stay_silent()
        done = await line.next(RecordingFinished)
        assert 0.4 < done.duration_s < 1.2  # the caller's ~0.5 s, not the 0.5 s silence after
        await line.driver.perform(PlayPrompt("fxo0", ("num_1",), "en", 2))
        await line.next(PromptFinished)

    line = run_line(tmp_path, scenario, "conexant", silence_s=0.5)
    assert "< <DLE q>" in line.sim.transcript
    assert _wav_rms(path)[1] > 7500  # voice all through (8485 for the caller's tone alone)


def test_modem_line_voicemail_stops_at_max_s(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        line.sim.speak(5.0)
        await line.driver.perform(RecordMessage("fxo0", str(tmp_path / "m.wav"), max_s=1.0))
        done = await line.next(RecordingFinished)
        assert 0.9 < done.duration_s < 1.6

    run_line(tmp_path, scenario, "generic")


def test_modem_line_caller_hanging_up_while_recording_keeps_message(tmp_path: Path) -> None:
    path = tmp_path / "m.wav"

    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        line.sim.speak(3.0)
        await line.driver.perform(RecordMessage("fxo0", str(path), max_s=30))
        await asyncio_sleep_until_heard(line, 0.6)
        line.sim.hang_up("loop_break")
        done = await line.next(RecordingFinished)
        gone = await line.next(CallerHungUp)
        assert done.duration_s >= 0.5 and gone.cause is HangUpCause.LOOP_BREAK
        assert line.kinds()[-2:] == ["RecordingFinished", "CallerHungUp"]
        assert not line.sim.offhook

    run_line(tmp_path, scenario, "usr")
    assert path.exists()


# ---------------------------------------------------------------------------------------------
# full duplex


def test_modem_line_full_duplex_streams_frames_both_ways(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        assert line.events[0].media is MediaCapability.FULL_DUPLEX  # type: ignore[attr-defined]
        await line.answered_call()
        line.sim.speak(0.5)
        assert await line.driver.start_duplex("fxo0")
        frames = []
        async for frame in line.driver.audio_frames("fxo0"):
            frames.append(frame)
            await line.driver.send_audio("fxo0", b"\x00\x10" * 160)
            if len(frames) == 30:
                break
        assert {len(f) for f in frames} == {320}
        await line.driver.stop_duplex("fxo0")
        await line.sim_until(lambda: line.sim.transcript[-1] == "< OK")
        await line.driver.perform(HangUpLine("fxo0"))
        await line.sim_until(lambda: not line.sim.offhook)

    line = run_line(tmp_path, scenario, "generic", {"full_duplex": True})
    assert "> AT+VTR" in line.sim.transcript
    assert len(line.sim.heard) > 1000


def test_modem_line_half_duplex_modem_refuses_duplex(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        assert not await line.driver.start_duplex("fxo0")

    line = run_line(tmp_path, scenario, "usr")
    assert "> AT+VTR" not in line.sim.transcript


def test_modem_line_plays_recorded_override_even_one_added_while_running(tmp_path: Path) -> None:
    override = tmp_path / "recorded"
    (override / "en").mkdir(parents=True)
    tone = [int(9000 * math.sin(2 * math.pi * 500 * i / 8000)) for i in range(2400)]

    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(PlayPrompt("fxo0", ("num_2",), "en", 1))
        await line.next(PromptFinished)
        assert line.sim.heard == _prompt_bytes("num_2")
        audio.write_wav(override / "en" / "num_2.wav", tone)  # the owner records a better one
        line.sim.clear_heard()
        await line.driver.perform(PlayPrompt("fxo0", ("num_2",), "en", 2))
        await line.next(PromptFinished)

    line = run_line(tmp_path, scenario, "usr", prompts_dir=(str(override), str(PROMPTS_DIR)))
    assert line.sim.heard == audio.encode(tone, audio.SampleFormat.UNSIGNED_LINEAR)


def test_modem_line_dial_out_during_a_call_fails_as_busy(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(DialOut("fxo0", "5550123"))
        assert (await line.next(DialFailed)).reason == "line busy"
        await line.driver.perform(DialOut("fxo0", "call me"))
        assert "not a phone number" in (await line.next(DialFailed)).reason

    line = run_line(tmp_path, scenario, "usr")
    assert line.sim.dialled == []


def test_modem_line_call_declined_while_ringing_is_not_offered_again(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        line.sim.incoming_call("5550999", "DECLINED", rings=5)
        await line.next(CallArrived)
        await line.driver.perform(HangUpLine("fxo0"))
        await line.sim_until(lambda: "= caller gave up ringing" in line.sim.transcript)
        line.sim.incoming_call("5550111", "NEXT")
        assert (await line.next(CallArrived)).caller.number == "5550111"

    line = run_line(tmp_path, scenario, "usr")
    assert line.kinds().count("CallArrived") == 2
    assert "> AT+VLS=1" not in line.transcript


class _BridgeThread:
    """Stands in for the media bridge's clock thread: both LineAudio calls every 20 ms."""

    def __init__(self, line_audio: LineAudio) -> None:
        self.audio = line_audio
        self.received: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self.stop.wait(0.02):
            frame = self.audio.take_received()
            if frame is not None:
                self.received.append(frame)
            self.audio.put_to_send(b"\x00\x20" * (LINE_AUDIO_FRAME_BYTES // 2))


def test_modem_line_bridge_carries_the_call_while_it_asks_for_audio(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(PlayMusic("fxo0"))
        await line.sim_until(lambda: line.sim.heard_s > 0.2)
        line.sim.speak(3.0)
        bridge = _BridgeThread(line.driver.line_audio("fxo0"))
        bridge.thread.start()
        try:
            # the agent answers: the engine stops the music, the bridge takes over
            await line.driver.perform(StopMedia("fxo0"))
            await line.sim_until(lambda: "> AT+VTR" in line.sim.transcript)
            await line.sim_until(lambda: len(bridge.received) >= 20)
            heard_before = line.sim.heard_s
            await line.sim_until(lambda: line.sim.heard_s > heard_before + 0.3)
        finally:
            bridge.stop.set()
            bridge.thread.join()
        # the bridge went quiet: the modem leaves duplex by itself
        await line.sim_until(lambda: "> <DLE ^>" in line.sim.transcript)
        assert {len(frame) for frame in bridge.received} == {LINE_AUDIO_FRAME_BYTES}
        assert max(abs(int.from_bytes(f[i : i + 2], "little", signed=True))
                   for f in bridge.received[-5:] for i in range(0, 320, 2)) > 5000  # fmt: skip
        await line.driver.perform(HangUpLine("fxo0"))
        await line.sim_until(lambda: not line.sim.offhook)

    line = run_line(tmp_path, scenario, "conexant", {"full_duplex": True})
    duplex = line.transcript[line.transcript.index("> AT+VTR") :]
    assert duplex[:3] == ["> AT+VTR", "< CONNECT", "< <audio>"]
    assert "> <DLE ^>" in duplex and duplex[-2:] == ["> AT+VLS=0", "< OK"]


def test_modem_line_stopping_mid_call_puts_the_line_on_hook(tmp_path: Path) -> None:
    async def scenario(line: LineUnderTest) -> None:
        await line.answered_call()
        await line.driver.perform(PlayMusic("fxo0"))
        await line.sim_until(lambda: line.sim.heard_s > 0.2)

    line = run_line(tmp_path, scenario, "usr")  # the harness cancels run() when done
    assert line.sim.wait_for(lambda: not line.sim.offhook, 5.0)
    assert line.sim.transcript[-6:] == [
        "> <DLE CAN>", "> <DLE ETX>", "< OK", "> AT+VLS=0", "< OK", "= host closed the port"
    ]  # fmt: skip

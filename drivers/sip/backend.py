"""The pjsua2 classes of the SIP driver: the Account, Call, player and audio-port subclasses whose
callbacks hand over to the stack (the endpoint is in library.py). Imported only on the pjsua
thread, so the package imports on any PC without pjsua2."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

import pjsua2 as pj

log = logging.getLogger(__name__)

Error = pj.Error
CONFIRMED = pj.PJSIP_INV_STATE_CONFIRMED
DISCONNECTED = pj.PJSIP_INV_STATE_DISCONNECTED
FRAME_BYTES = 320  # 20 ms of 16-bit mono PCM at 8 kHz


class CallHandler(Protocol):
    def on_call_state(self, leg: Leg) -> None: ...
    def on_call_media(self, leg: Leg) -> None: ...
    def on_digit(self, leg: Leg, digit: str) -> None: ...


class AccountHandler(Protocol):
    def on_incoming_call(
        self, account: BoxAccount, call_id: int, source: str, msg: str
    ) -> None: ...
    def on_registration(
        self, account: BoxAccount, code: int, reason: str, active: bool
    ) -> None: ...


def guard(what: str, callback: Callable[[], None]) -> None:
    """An exception must never unwind into pjsua2 (it would abort the process)."""
    try:
        callback()
    except Exception:
        log.exception("SIP callback %s failed", what)


def describe(error: Exception) -> str:
    if isinstance(error, pj.Error):
        return f"{error.info()}"
    return str(error)


class BoxAccount(pj.Account):
    """One SIP identity of the box: the local one (positions, by-IP gateways) or a trunk's."""

    def __init__(self, handler: AccountHandler, name: str) -> None:
        super().__init__()
        self.handler = handler
        self.name = name

    def onIncomingCall(self, prm: Any) -> None:
        guard(
            "incoming call",
            lambda: self.handler.on_incoming_call(
                self, prm.callId, prm.rdata.srcAddress, prm.rdata.wholeMsg
            ),
        )

    def onRegState(self, prm: Any) -> None:
        def report() -> None:
            active = bool(self.getInfo().regIsActive)
            self.handler.on_registration(self, int(prm.code), str(prm.reason), active)

        guard("registration", report)


class Leg(pj.Call):
    """One SIP call: a caller on a line, an agent's phone, or a refused request."""

    def __init__(self, handler: CallHandler, account: BoxAccount, call_id: int = -1) -> None:
        if call_id < 0:
            super().__init__(account)
        else:
            super().__init__(account, call_id)
        self.handler = handler
        self.kind = ""  # "line", "position" or "refused"
        self.owner = ""  # line or position id
        self.media: Any = None  # AudioMedia while audio flows
        self.local_hangup = False
        self.confirmed = False
        # the call ended on pjsip's own time-out or a transport error, with no answer from the
        # far end: the network or the box failed, not the person it was calling
        self.unreached = False
        self.heard = False  # the far end has sent something on this call (100 Trying at least)

    def onCallState(self, prm: Any) -> None:
        def report() -> None:
            event = prm.e
            self.unreached = event.type == pj.PJSIP_EVENT_TSX_STATE and (
                event.body.tsxState.type in (pj.PJSIP_EVENT_TIMER, pj.PJSIP_EVENT_TRANSPORT_ERROR)
            )
            self.handler.on_call_state(self)

        guard("call state", report)

    def onCallTsxState(self, prm: Any) -> None:
        def note() -> None:
            if prm.e.body.tsxState.type == pj.PJSIP_EVENT_RX_MSG:
                self.heard = True

        guard("transaction state", note)

    def onCallMediaState(self, prm: Any) -> None:
        guard("call media", lambda: self.handler.on_call_media(self))

    def onDtmfDigit(self, prm: Any) -> None:
        digit = str(prm.digit)
        guard("key", lambda: self.handler.on_digit(self, digit))

    def audio_media(self) -> Any:
        info = self.getInfo()  # keep it: its media vector dies with it (SWIG)
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status in (
                pj.PJSUA_CALL_MEDIA_ACTIVE,
                pj.PJSUA_CALL_MEDIA_REMOTE_HOLD,
            ):
                return self.getAudioMedia(media.index)
        return None

    def packet_counts(self) -> tuple[int, int]:
        """(RTP packets received, sent) on the call's audio stream."""
        info = self.getInfo()  # keep it: its media vector dies with it (SWIG)
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO:
                stat = self.getStreamStat(media.index)
                rtcp = stat.rtcp
                return int(rtcp.rxStat.pkt), int(rtcp.txStat.pkt)
        return 0, 0

    def respond(self, code: int) -> None:
        prm = pj.CallOpParam(True)
        prm.statusCode = code
        if code < 300:
            self.answer(prm)
        else:
            self.local_hangup = True
            self.hangup(prm)

    def end(self) -> None:
        self.local_hangup = True
        prm = pj.CallOpParam(True)
        prm.statusCode = 200 if self.confirmed else 487
        self.hangup(prm)

    def dial(self, uri: str, from_uri: str = "") -> None:
        prm = pj.CallOpParam(True)
        if from_uri:
            prm.txOption.localUri = from_uri
        self.makeCall(uri, prm)

    def send_digits(self, digits: str) -> None:
        self.dialDtmf(digits)


class Player(pj.AudioMediaPlayer):
    """A prompt list or music; `on_end` runs (via the worker) when a non-looping list ends."""

    def __init__(self, on_end: Callable[[], None]) -> None:
        super().__init__()
        self.on_end = on_end

    def onEof2(self) -> None:
        guard("end of prompt", self.on_end)


def open_player(paths: list[str], loop: bool, on_end: Callable[[], None]) -> Player:
    player = Player(on_end)
    options = 0 if loop else pj.PJMEDIA_FILE_NO_LOOP
    if len(paths) == 1:
        player.createPlayer(paths[0], options)
    else:
        files = pj.StringVector()
        for path in paths:
            files.append(path)
        player.createPlaylist(files, "prompts", options)
    return player


def open_tone(parts: list[tuple[int, int, int, int]], loop: bool) -> Any:
    """A tone generator playing (freq1 Hz, freq2 Hz, on ms, off ms) parts."""
    generator = pj.ToneGenerator()
    generator.createToneGenerator(8000, 1)
    tones = pj.ToneDescVector()
    for freq1, freq2, on_ms, off_ms in parts:
        tone = pj.ToneDesc()
        tone.freq1, tone.freq2, tone.on_msec, tone.off_msec = freq1, freq2, on_ms, off_ms
        tone.volume = 0
        tone.flags = 0
        tones.append(tone)
    generator.play(tones, loop)
    return generator


def open_recorder(path: str) -> Any:
    recorder = pj.AudioMediaRecorder()
    recorder.createRecorder(path)
    return recorder


class FramePort(pj.AudioMediaPort):
    """Joins a line that is not a SIP call (a full-duplex modem) to the bridge, 20 ms at a time.
    Called on pjsua's media clock thread: the callables must not block."""

    def __init__(
        self, take_received: Callable[[], bytes | None], put_to_send: Callable[[bytes], None]
    ) -> None:
        super().__init__()
        self.take_received = take_received
        self.put_to_send = put_to_send
        self.silence = bytes(FRAME_BYTES)

    def open(self, name: str) -> None:
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, 8000, 1, 20000, 16)
        self.createPort(name, fmt)

    def onFrameRequested(self, frame: Any) -> None:
        try:
            data = self.take_received() or self.silence
            data = data[:FRAME_BYTES].ljust(FRAME_BYTES, b"\0")
            frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
            frame.buf = pj.ByteVector(data)
            frame.size = FRAME_BYTES
        except Exception:
            log.exception("line audio source failed")

    def onFrameReceived(self, frame: Any) -> None:
        try:
            if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
                self.put_to_send(bytes(frame.buf))
        except Exception:
            log.exception("line audio sink failed")

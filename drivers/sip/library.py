"""The pjsua2 endpoint of the SIP driver: set-up and tear-down, pjsua's log, and the INVITEs
pjsua refused itself. Imported only on the pjsua thread, like backend.py."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pjsua2 as pj

from drivers.sip.backend import AccountHandler, BoxAccount, describe, guard
from drivers.sip.errors import SipError

log = logging.getLogger(__name__)
wire = logging.getLogger("drivers.sip.wire")


class _LogWriter(pj.LogWriter):
    def write(self, entry: Any) -> None:
        try:
            text = entry.msg.rstrip()
            if entry.level <= 1:
                log.error("pjsua: %s", text)
            elif entry.level == 2:
                log.warning("pjsua: %s", text)
            else:
                wire.debug("%s", text)
        except Exception:  # never raise into the library's logger
            pass


# Called with (source address, whole INVITE, SIP status) for an INVITE pjsua refused itself.
RefusedByLibrary = Callable[[str, str, int], None]


class BoxEndpoint(pj.Endpoint):
    """The endpoint, telling the stack about every INVITE pjsua refused before any Account
    callback (no call slot left: 486; no media transport: 5xx), so that caller is on record."""

    def __init__(self, on_refused: RefusedByLibrary) -> None:
        super().__init__()
        self.on_refused = on_refused

    def onRejectedIncomingCall(self, prm: Any) -> None:
        rdata = prm.rdata
        guard(
            "refused incoming call",
            lambda: self.on_refused(
                str(rdata.srcAddress), str(rdata.wholeMsg), int(prm.statusCode)
            ),
        )


class Library:
    """The Endpoint: one per process, created and destroyed on the pjsua thread."""

    def __init__(self) -> None:
        self.endpoint: Any = None
        self._writer: Any = None

    def start(
        self,
        listen: str,
        port: int,
        rtp_port: int,
        sound_device: str,
        wire_logging: bool,
        max_calls: int,
        on_refused: RefusedByLibrary,
    ) -> None:
        endpoint = BoxEndpoint(on_refused)
        endpoint.libCreate()
        self.endpoint = endpoint
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = True
        # at most the build's PJSUA_MAX_CALLS (drivers/sip/capacity.py); beyond it pjsua answers
        # 486 itself before any Account callback (BoxEndpoint still hears of it)
        config.uaConfig.maxCalls = max_calls
        config.uaConfig.userAgent = "depotline"
        config.medConfig.clockRate = 8000
        config.medConfig.sndClockRate = 8000
        config.medConfig.noVad = True
        config.medConfig.ecTailLen = 0  # gateways cancel echo on the analog side
        # The (null) sound device clocks the conference bridge: never let it close when idle.
        config.medConfig.sndAutoCloseTime = -1
        self._writer = _LogWriter()
        config.logConfig.writer = self._writer
        # The writer receives what passes consoleLevel (pjsua2 treats it as the console).
        config.logConfig.level = 5 if wire_logging else 2
        config.logConfig.consoleLevel = config.logConfig.level
        config.logConfig.msgLogging = wire_logging
        endpoint.libInit(config)
        transport = pj.TransportConfig()
        transport.port = port
        if listen not in ("", "0.0.0.0"):
            transport.boundAddress = listen
        endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        endpoint.libStart()
        self._prefer_g711()
        manager = endpoint.audDevManager()
        if sound_device:
            try:
                index = manager.lookupDev("ALSA", sound_device)
                manager.setCaptureDev(index)
                manager.setPlaybackDev(index)
            except pj.Error as error:
                raise SipError(
                    f"the headset sound device {sound_device!r} cannot be opened:"
                    f" {describe(error)} — is the USB headset plugged in? `aplay -L` lists"
                    " device names"
                ) from error
        else:
            manager.setNullDev()
        self.rtp_port = rtp_port
        self.listen = listen

    def _prefer_g711(self) -> None:
        for codec in self.endpoint.codecEnum2():
            name = codec.codecId
            if name.startswith("PCMU/"):
                priority = 255
            elif name.startswith("PCMA/"):
                priority = 254
            else:
                priority = 0  # gateways speak G.711; other codecs cost CPU and resampling
            self.endpoint.codecSetPriority(name, priority)

    def create_account(
        self,
        handler: AccountHandler,
        name: str,
        id_uri: str,
        registrar: str = "",
        username: str = "",
        password: str = "",
        default: bool = False,
        retry_s: float = 30.0,
    ) -> BoxAccount:
        config = pj.AccountConfig()
        config.idUri = id_uri
        if registrar:
            config.regConfig.registrarUri = registrar
            config.regConfig.retryIntervalSec = max(1, int(retry_s))
            config.regConfig.firstRetryIntervalSec = max(1, min(5, int(retry_s)))
            config.regConfig.randomRetryIntervalSec = 0
        if username:
            config.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", username, 0, password))
        config.mediaConfig.transportConfig.port = self.rtp_port
        config.mediaConfig.transportConfig.portRange = 2000
        if self.listen not in ("", "0.0.0.0"):
            config.mediaConfig.transportConfig.boundAddress = self.listen
        account = BoxAccount(handler, name)
        account.create(config, default)
        return account

    def headset_media(self) -> tuple[Any, Any]:
        """(microphone, earpiece) of the sound device on the bridge (both port 0)."""
        manager = self.endpoint.audDevManager()
        return manager.getCaptureDevMedia(), manager.getPlaybackDevMedia()

    def poll(self, wait_ms: int) -> None:
        self.endpoint.libHandleEvents(wait_ms)

    def hang_up_all(self) -> None:
        self.endpoint.hangupAllCalls()

    def destroy(self) -> None:
        if self.endpoint is None:
            return
        try:
            self.endpoint.libDestroy()
        except pj.Error as error:
            raise SipError(f"the SIP stack did not shut down cleanly: {describe(error)}") from error
        finally:
            self.endpoint = None

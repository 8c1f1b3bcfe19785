"""What the SIP driver is told about the depot's gateways, trunks and agent phones: plain values
that appliance/wiring.py builds from the [[lines]], [sip] and [[positions]] config sections."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from drivers.sip.headers import split_uri


@dataclass(frozen=True, slots=True)
class SipGateway:
    """An FXO gateway (HT813, GXW410x) or a SIP trunk. `channels` calls at once become that many
    line ids. Empty `registrar` = the gateway sends to the box by IP; otherwise the box
    registers with digest authentication. Either is checked with OPTIONS every
    `keepalive_s` (see there)."""

    id: str
    host: str
    port: int = 5060
    channels: int = 1
    username: str = ""
    password: str = ""
    registrar: str = ""
    options_interval_s: float | None = None  # None: the default of `keepalive_s`
    options_timeout_s: float = 5.0
    options_misses_before_fault: int = 2
    registration_retry_s: float = 30.0  # after a failed registration

    @property
    def line_ids(self) -> tuple[str, ...]:
        if self.channels == 1:
            return (self.id,)
        return tuple(f"{self.id}-{n}" for n in range(1, self.channels + 1))

    @property
    def registers(self) -> bool:
        return bool(self.registrar)

    @property
    def keepalive_s(self) -> float:
        """Seconds between OPTIONS (0 = not checked, for peers that ignore OPTIONS): 30 for a
        gateway by IP; a trunk's registrar only when asked, since some registrars ignore
        OPTIONS that do not come from the registered address."""
        if self.options_interval_s is not None:
            return self.options_interval_s
        return 0.0 if self.registers else 30.0

    @property
    def keepalive_address(self) -> tuple[str, int]:
        """Where the OPTIONS go: the gateway, or the trunk's registrar."""
        if not self.registers:
            return self.host, self.port
        _, host, port = split_uri(self.registrar)
        return host, port or 5060


class PositionMode(enum.Enum):
    RING = "ring"  # the box calls the phone for each offered call
    PERSISTENT = "persistent"  # the agent dials in once and stays connected


@dataclass(frozen=True, slots=True)
class SipPosition:
    """An agent's SIP phone or softphone, e.g. `sip:pos1@192.168.1.61`."""

    id: str
    uri: str
    mode: PositionMode = PositionMode.RING
    # A ring-mode phone is asked with OPTIONS every interval (0 = not checked) and offered
    # calls only while it answers; a dial-in phone is in service while its call lasts.
    options_interval_s: float = 30.0
    options_timeout_s: float = 5.0
    options_misses_before_fault: int = 2

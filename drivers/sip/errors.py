"""The SIP driver's one exception type: pjsua2 failures said in words a depot owner can act on."""

from __future__ import annotations

from drivers.roles import DriverError


class SipError(DriverError):
    """The SIP stack, a gateway, a trunk or a SIP phone failed; the message says what to check."""

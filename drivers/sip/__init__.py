"""SIP for depotline through pjsua2: gateway and trunk lines, agents' SIP phones and the
conference bridge that joins them. pjsua2 is imported only when the stack starts."""

from drivers.sip.bridge import SipMediaBridge
from drivers.sip.errors import SipError
from drivers.sip.lines import SipLines
from drivers.sip.positions import SipPositions
from drivers.sip.settings import PositionMode, SipGateway, SipPosition
from drivers.sip.stack import SipStack

__all__ = [
    "PositionMode",
    "SipError",
    "SipGateway",
    "SipLines",
    "SipMediaBridge",
    "SipPosition",
    "SipPositions",
    "SipStack",
]

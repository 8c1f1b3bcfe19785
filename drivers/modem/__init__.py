"""USB voice modems (ITU-T V.253: USR5637, Conexant CX93010, generic) as phone lines, and a
simulator of them on a pseudo-terminal. pyserial is imported only when a port opens."""

from drivers.modem.driver import ModemLine
from drivers.modem.port import ModemError, ModemNotAnswering

__all__ = ["ModemError", "ModemLine", "ModemNotAnswering"]

"""Loads RPi.GPIO (or rpi-lgpio's module of the same name on a Pi 5) when a GPIO device starts."""

from __future__ import annotations

from typing import Any

from drivers.roles import DriverError


class GpioError(DriverError):
    """The GPIO library is missing or cannot reach the pins."""


def load_gpio() -> Any:
    try:
        import RPi.GPIO as gpio  # rpi-lgpio installs the same module on a Pi 5
    except ImportError as error:
        raise GpioError(
            "RPi.GPIO is not installed: `pip install RPi.GPIO` (Pi 1–4) or "
            "`pip install rpi-lgpio` (Pi 5), or set [gpio] enabled = false"
        ) from error
    except RuntimeError as error:
        # RPi.GPIO on a Pi 5: "Cannot determine SOC peripheral base address".
        raise GpioError(
            f"RPi.GPIO cannot drive this board's pins ({error}); on a Pi 5 replace it with "
            "rpi-lgpio: `pip uninstall RPi.GPIO && pip install rpi-lgpio`"
        ) from error
    return gpio

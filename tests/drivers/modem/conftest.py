"""Fixtures of the modem driver tests."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["usr", "conexant", "generic"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)

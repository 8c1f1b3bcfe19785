"""Fixtures for the engine tests; the test driver itself is engine_harness.py."""

from __future__ import annotations

import pytest
from engine_harness import Harness, make_setup


@pytest.fixture
def depot() -> Harness:
    """Three cargo agents (a1, a2, a3) logged in at pos_a1…, two lines, always open."""
    harness = Harness(make_setup())
    harness.lines("l1", "l2")
    for agent_id in ("a1", "a2", "a3"):
        harness.login(agent_id)
    harness.clear()
    return harness

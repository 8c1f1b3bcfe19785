"""What the parsers' property checks share: the failure they raise when an invariant breaks
(the Hypothesis tests and the `depotline fuzz` targets report the same failure with its input),
and a byte stream cut into the pieces a serial port might read."""

from __future__ import annotations

import itertools
from collections.abc import Sequence


class InvariantBroken(AssertionError):
    """A parser broke one of its promises on the input named in the message."""


def require(holds: bool, promise: str, given: object) -> None:
    """Raise InvariantBroken naming the promise and the input unless it holds (an explicit
    check, not `assert`, so it also runs under `python -O`)."""
    if not holds:
        raise InvariantBroken(f"{promise}; input: {given!r}")


def read_pieces(data: bytes, cuts: Sequence[int]) -> list[bytes]:
    """`data` cut at the offsets in `cuts` (any order, repeats and out-of-range ones ignored)."""
    bounds = [0, *sorted({cut for cut in cuts if 0 < cut < len(data)}), len(data)]
    return [data[start:end] for start, end in itertools.pairwise(bounds)]

"""The store's one exception: what is wrong with which database file, for the depot owner."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used: not writable, corrupt, or from a newer depotline."""

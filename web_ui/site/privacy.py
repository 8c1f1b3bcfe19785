"""Callers' numbers shown masked (150****5555) on the pages and for the roles that do not need
them, as `[web] mask_numbers` in the configuration says (docs/configuration.md)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from appliance.config import WebConfig
from appliance.desk import Role


@dataclass(frozen=True, slots=True)
class NumberMasking:
    rules: tuple[str, ...] = WebConfig().mask_numbers  # "page" or "role:page"

    def masks(self, role: Role | None, page: str) -> bool:
        return page in self.rules or (role is not None and f"{role.value}:{page}" in self.rules)


NUMBER_MASKING_KEY = web.AppKey("number_masking", NumberMasking)


def masked(number: str) -> str:
    """Enough left to tell two callers apart, not enough to call them back."""
    if len(number) >= 8:
        return number[:3] + "*" * (len(number) - 7) + number[-4:]
    return "*" * max(0, len(number) - 2) + number[-2:]


def number_for(request: web.Request, role: Role | None, page: str, number: str) -> str:
    masking = request.app.get(NUMBER_MASKING_KEY, NumberMasking())
    return masked(number) if number and masking.masks(role, page) else number

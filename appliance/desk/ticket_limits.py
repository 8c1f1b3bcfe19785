"""How long each holder has a complaint ticket, per category (限时办结): the department until the
first limit, then the shift lead (值班长) until the second, then the manager. Kept in the desk's
options; a category never set uses the default 24 h and 48 h."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.desk.forms import COMPLAINT_CATEGORIES, FormError

HOUR_S = 3600.0
ESCALATION_LEVELS = ("department", "shift_lead", "manager")
# who holds a level, as a role of the site: the shift lead is a supervisor, the manager an admin
LEVEL_ROLES = ("", "supervisor", "admin")
DEFAULT_LIMITS_H = (24, 48)
ESCALATE_AFTER_S = DEFAULT_LIMITS_H[0] * HOUR_S
LIMIT_RANGE_H = (1, 24 * 30)
LIMITS_OPTION = "ticket_limits_h"


@dataclass(frozen=True, slots=True)
class TicketLimits:
    hours: tuple[tuple[str, int, int], ...]  # category, first limit, second limit

    @classmethod
    def from_saved(cls, saved: object) -> TicketLimits:
        chosen = saved if isinstance(saved, dict) else {}
        rows = []
        for category in COMPLAINT_CATEGORIES:
            first, second = chosen.get(category, DEFAULT_LIMITS_H)
            rows.append((category, int(first), int(second)))
        return cls(tuple(rows))

    def to_saved(self) -> dict[str, list[int]]:
        return {category: [first, second] for category, first, second in self.hours}

    def deadline_s(self, category: str, created_s: float, level: int) -> float:
        """When the holder at `level` runs out of time; the manager's is the second limit."""
        limits = next(
            ((first, second) for name, first, second in self.hours if name == category),
            DEFAULT_LIMITS_H,
        )
        return created_s + limits[min(level, len(limits) - 1)] * HOUR_S


def limits_from_form(form: dict[str, str]) -> TicketLimits:
    """`first_<category>` and `second_<category>` in whole hours, the second after the first."""
    rows = []
    for category in COMPLAINT_CATEGORIES:
        pair = []
        for field in (f"first_{category}", f"second_{category}"):
            text = form.get(field, "").strip()
            if not text.isdigit() or not LIMIT_RANGE_H[0] <= int(text) <= LIMIT_RANGE_H[1]:
                raise FormError(field, "out_of_range")
            pair.append(int(text))
        if pair[1] <= pair[0]:
            raise FormError(f"second_{category}", "after_first")
        rows.append((category, pair[0], pair[1]))
    return TicketLimits(tuple(rows))

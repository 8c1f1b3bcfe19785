"""What each kind of record asks for (咨询 投诉 救援 预约 回访) and the checks every form goes
through: a missing or malformed field is named in a FormError and nothing is kept."""

from __future__ import annotations

from dataclasses import dataclass


class FormError(ValueError):
    """A form field is missing or wrong: `field` names it, `problem` is a short code the web UI
    translates (required, choice, too_long, control_chars, not_found, taken, too_short,
    digits_only, at_top). On a form with one row per queue or per line, `queue` or `line` says
    whose field it is, so the message can name it."""

    def __init__(self, field: str, problem: str, *, queue: str = "", line: str = "") -> None:
        whose = f"{queue or line}: " if queue or line else ""
        super().__init__(f"{whose}{field}: {problem}")
        self.field = field
        self.problem = problem
        self.queue = queue
        self.line = line


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    required: bool = False
    choices: tuple[str, ...] = ()  # empty: free text
    max_chars: int = 500


CUSTOMER_TYPES = ("individual", "company", "dealer", "vip")
COMPLAINT_CATEGORIES = ("delay", "damage", "loss", "attitude", "billing", "other")
COMPLAINT_DEPARTMENTS = ("cargo", "dispatch", "sales", "repair", "finance", "service")

WAYBILL_CHARS = (6, 30)  # a waybill number (运单号): letters and digits, this long

_CUSTOMER = (
    FieldSpec("customer_name", max_chars=60),
    FieldSpec("customer_type", choices=CUSTOMER_TYPES),
    FieldSpec("waybill", max_chars=WAYBILL_CHARS[1] + 10),
)

RECORD_KINDS: dict[str, tuple[FieldSpec, ...]] = {
    "consultation": (
        *_CUSTOMER,
        FieldSpec("topic", required=True, max_chars=200),
        FieldSpec("answered", required=True, choices=("yes", "no")),
        FieldSpec("survey", choices=("satisfied", "neutral", "unsatisfied")),
        FieldSpec("notes", max_chars=4000),
    ),
    "complaint": (
        *_CUSTOMER,
        FieldSpec("category", required=True, choices=COMPLAINT_CATEGORIES),
        FieldSpec("department", required=True, choices=COMPLAINT_DEPARTMENTS),
        FieldSpec("details", required=True, max_chars=4000),
    ),
    "rescue": (
        *_CUSTOMER,
        FieldSpec("vehicle_type", required=True, max_chars=60),
        FieldSpec("plate", required=True, max_chars=20),
        FieldSpec("contact", required=True, max_chars=60),
        FieldSpec("place", required=True, max_chars=200),
        FieldSpec("fault", required=True, max_chars=1000),
    ),
    "appointment": (
        *_CUSTOMER,
        FieldSpec("appointment_kind", required=True, choices=("sales", "repair")),
        FieldSpec("when", required=True, max_chars=40),
        FieldSpec("notes", max_chars=4000),
    ),
    "callback": (
        *_CUSTOMER,
        FieldSpec("satisfied", required=True, choices=("yes", "no")),
        FieldSpec("notes", max_chars=4000),
    ),
}


def clean_text(field: str, value: str, *, required: bool, max_chars: int) -> str:
    """Trimmed text; FormError when required and empty, too long, or with control characters."""
    text = value.strip()
    if required and not text:
        raise FormError(field, "required")
    if len(text) > max_chars:
        raise FormError(field, "too_long")
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        raise FormError(field, "control_chars")
    return text


def clean_waybill(text: str) -> str | None:
    """A waybill number as the depot writes it (upper case, no spaces or dashes), or None
    when it cannot be one."""
    waybill = "".join(text.split()).replace("-", "").upper()
    low, high = WAYBILL_CHARS
    if not (low <= len(waybill) <= high and waybill.isascii() and waybill.isalnum()):
        return None
    return waybill


def clean_record_fields(kind: str, form: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The record's fields in the order of its spec, each checked."""
    cleaned: list[tuple[str, str]] = []
    for spec in RECORD_KINDS[kind]:
        value = clean_text(
            spec.name, form.get(spec.name, ""), required=spec.required, max_chars=spec.max_chars
        )
        if value and spec.choices and value not in spec.choices:
            raise FormError(spec.name, "choice")
        if value and spec.name == "waybill":
            value = clean_waybill(value) or ""
            if not value:
                raise FormError("waybill", "waybill_format")
        cleaned.append((spec.name, value))
    return tuple(cleaned)


def clean_seconds(field: str, value: str, *, max_s: float = 86_400.0) -> float:
    """A number of seconds from 0 to `max_s`; FormError otherwise."""
    try:
        seconds = float(value.strip())
    except ValueError:
        raise FormError(field, "number") from None
    if not 0.0 <= seconds <= max_s:
        raise FormError(field, "number")
    return seconds

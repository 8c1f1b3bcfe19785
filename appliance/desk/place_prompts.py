"""Waybill places with their own recorded piece (DepotSetup.waybill_place_prompts): a place as
the tracking export names it → a prompt recorded in every language, which the self-service
reads back instead of the generic "waybill_place_other"."""

from __future__ import annotations

import re
from dataclasses import replace

from appliance.desk.forms import FormError, clean_text
from appliance.desk.prompts import PROMPT_LANGUAGES, check_prompt_wav
from appliance.desk.tracking_export import PLACE_MAX_CHARS
from appliance.engine.setup import DepotSetup

# the prefix keeps a place's piece apart from the generated set: it can never replace one
PLACE_PROMPT_PATTERN = "place_[a-z0-9_]{1,32}"
PLACE_PROMPT_MAX_CHARS = len("place_") + 32
_PLACE_PROMPT = re.compile(PLACE_PROMPT_PATTERN)


def recording_field(language: str) -> str:
    """The form's file field for a place's recording in `language`."""
    return f"recording_{language}"


def with_place(setup: DepotSetup, form: dict[str, str], recordings: dict[str, bytes]) -> DepotSetup:
    """The setup with the form's place added, after checking every field and a recording in
    each language (FormError naming the first wrong field: nothing is kept)."""
    place = clean_text("place", form.get("place", ""), required=True, max_chars=PLACE_MAX_CHARS)
    if "\n" in place or "\r" in place or "\t" in place:
        raise FormError("place", "control_chars")
    places = dict(setup.waybill_place_prompts)
    if place in places:
        raise FormError("place", "taken")
    prompt = form.get("place_prompt", "").strip()
    if not prompt:
        raise FormError("place_prompt", "required")
    if not _PLACE_PROMPT.fullmatch(prompt):
        raise FormError("place_prompt", "place_prompt_rule")
    if prompt in places.values():
        raise FormError("place_prompt", "taken")
    for language in PROMPT_LANGUAGES:
        field = recording_field(language)
        data = recordings.get(language, b"")
        if not data:
            raise FormError(field, "required")
        try:
            check_prompt_wav(data)
        except FormError as error:
            raise FormError(field, error.problem) from None
    return replace(setup, waybill_place_prompts=(*setup.waybill_place_prompts, (place, prompt)))


def without_place(setup: DepotSetup, place: str) -> DepotSetup:
    kept = tuple(pair for pair in setup.waybill_place_prompts if pair[0] != place)
    if len(kept) == len(setup.waybill_place_prompts):
        raise FormError("place", "not_found")
    return replace(setup, waybill_place_prompts=kept)

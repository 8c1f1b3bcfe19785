"""Every web form's parsing, fed anything a browser (or someone with curl) can send: each one
either refuses with a FormError naming a field, or returns settings that keep their rules and
survive being saved (the properties live in appliance/fuzz/form_checks.py, which
`depotline fuzz web-forms` runs for longer). DEPOTLINE_FUZZ_EXAMPLES=100000 runs them longer
here too."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from appliance.desk import setup_forms
from appliance.engine.setup import DepotSetup
from appliance.fuzz import form_checks

EXAMPLES = int(os.environ.get("DEPOTLINE_FUZZ_EXAMPLES", "200"))


@pytest.mark.parametrize("form", sorted(form_checks.PROPERTIES))
def test_web_form_parsing_keeps_its_rules_or_refuses_naming_a_field(form: str) -> None:
    form_checks.run_property(form, EXAMPLES)


def test_form_property_fails_when_a_form_gives_a_value_against_its_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The checks break: a VIP form that let letters through is caught."""

    def letters_kept(setup: DepotSetup, form: dict[str, str]) -> DepotSetup:
        return replace(setup, vip_numbers=("138ABC",))

    monkeypatch.setattr(setup_forms, "with_vips", letters_kept)
    with pytest.raises(AssertionError, match="digits"):
        form_checks.run_property("vips", 5, run_seed=1)

"""Every shared phone vector normalises as the Java extension does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provisioning.phone import normalise_mobile

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "phone_numbers.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["note"])
def test_a_roster_mobile_becomes_e164_or_is_rejected(case: dict[str, str | None]) -> None:
    assert normalise_mobile(str(case["input"])) == case["e164"]

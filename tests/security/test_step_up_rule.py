"""The workbench's step-up rule (``sso.workbench.step_up``), one case at a time: no Keycloak needed for the rule."""

from __future__ import annotations

from typing import Any

import pytest

from sso import catalog
from sso.workbench.step_up import methods, needs_step_up, second_factor_used

AREAS = {area.id: area for area in catalog.AREAS}


@pytest.mark.parametrize(
    ("amr", "used"),
    [
        (["pwd"], False),
        ([], False),
        (None, False),
        ("otp", False),  # amr is an array (RFC 8176 §1); a bare string is malformed, not a factor
        ([{"otp": 1}], False),
        (["pwd", "otp"], True),
        (["pwd", "sms"], True),
        (["sms"], True),
        (["pwd", "mfa-ish", "OTP"], False),  # exact values only
    ],
)
def test_a_second_factor_is_a_listed_method_and_nothing_else(amr: Any, used: bool) -> None:
    assert second_factor_used(amr) is used


def test_the_sensitive_areas_are_exactly_those_of_sensitive_permissions() -> None:
    sensitive = {a.id for a in catalog.AREAS if catalog.is_sensitive(a)}
    assert sensitive == {"rates", "accounts"}
    assert catalog.FINANCE_PERMISSIONS <= catalog.SENSITIVE_PERMISSIONS <= set(catalog.PERMISSIONS)


@pytest.mark.parametrize("area", ["rates", "accounts"])
def test_a_sensitive_area_needs_a_second_factor_this_session(area: str) -> None:
    assert needs_step_up(AREAS[area], ["pwd"])
    assert needs_step_up(AREAS[area], [])
    assert not needs_step_up(AREAS[area], ["pwd", "otp"])
    assert not needs_step_up(AREAS[area], ["pwd", "sms"])


@pytest.mark.parametrize("area", ["workorders", "billing", "reports"])
def test_other_areas_open_with_a_password_alone(area: str) -> None:
    assert not needs_step_up(AREAS[area], ["pwd"])


def test_methods_keeps_only_strings() -> None:
    assert methods(["pwd", 3, "sms", None]) == ["pwd", "sms"]
    assert methods({"pwd": True}) == []


def test_the_realm_template_reports_exactly_the_second_factors_the_rule_knows() -> None:
    """Each code-checking step of both browser flows reports a second factor in ``amr``; password steps do not."""
    import json

    from devstack.paths import PROJECT_ROOT

    template = json.loads((PROJECT_ROOT / "realm-export" / "realm-template.json").read_text(encoding="utf-8"))
    references = {c["alias"]: c["config"].get("default.reference.value") for c in template["authenticatorConfig"]}
    reported = {
        e["authenticator"]: references.get(e.get("authenticatorConfig"))
        for flow in template["authenticationFlows"]
        for e in flow["authenticationExecutions"]
        if e.get("authenticator") in ("auth-username-password-form", "wuye-identifier-password-form", "auth-otp-form",
                                      "wuye-sms-otp")
    }  # fmt: skip
    assert {step for step, value in reported.items() if value in catalog.SECOND_FACTOR_METHODS} == {
        "auth-otp-form", "wuye-sms-otp"}  # fmt: skip
    assert reported["auth-username-password-form"] == reported["wuye-identifier-password-form"] == "pwd"
    mappers = [m for c in template["clients"] if c["clientId"] == catalog.WORKBENCH_CLIENT_ID
               for m in c["protocolMappers"] if m["protocolMapper"] == "oidc-amr-mapper"]  # fmt: skip
    assert mappers and mappers[0]["config"]["id.token.claim"] == "true"

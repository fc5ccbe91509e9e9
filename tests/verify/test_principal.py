"""``sso.principal``: claims → ``Principal``, pure (no Keycloak): the claim ``site_names`` and ``site_label``."""

from __future__ import annotations

from typing import Any

from sso.principal import Principal, principal_from_claims

ISSUER = "https://sso.example.com/realms/lvcheng"


def claims(**extra: Any) -> dict[str, Any]:
    return {
        "iss": ISSUER,
        "sub": "u-1",
        "employee_no": "WY1004",
        "display_name": "李建国",
        "realm_access": {"roles": ["staff", "supervisor"]},
        "permissions": ["workorder.view"],
        "groups": ["/departments/engineering", "/sites/songyuan", "/sites/lvyuan"],
        **extra,
    }


def test_site_names_come_from_the_claim_and_label_each_site() -> None:
    principal = principal_from_claims(claims(site_names={"songyuan": "松园", "lvyuan": "绿园小区"}))
    assert principal.sites == {"songyuan", "lvyuan"}
    assert dict(principal.site_names) == {"songyuan": "松园", "lvyuan": "绿园小区"}
    assert principal.site_label("songyuan") == "松园"
    assert principal.site_label("lvyuan") == "绿园小区"


def test_without_the_claim_a_site_is_labelled_by_its_code() -> None:
    principal = principal_from_claims(claims())
    assert dict(principal.site_names) == {}
    assert principal.site_label("songyuan") == "songyuan"


def test_a_malformed_claim_is_ignored_entry_by_entry() -> None:
    assert dict(principal_from_claims(claims(site_names=["songyuan"])).site_names) == {}
    assert dict(principal_from_claims(claims(site_names="松园")).site_names) == {}
    principal = principal_from_claims(claims(site_names={"songyuan": "松园", "lvyuan": 3, "jinxiu": " "}))
    assert dict(principal.site_names) == {"songyuan": "松园"}
    assert principal.site_label("lvyuan") == "lvyuan"


def test_the_principal_stays_frozen_and_hashable() -> None:
    one = principal_from_claims(claims(site_names={"songyuan": "松园", "lvyuan": "绿园小区"}))
    two = principal_from_claims(claims(site_names={"lvyuan": "绿园小区", "songyuan": "松园"}))
    assert one == two and hash(one) == hash(two)
    assert len({one, two}) == 1
    assert one != principal_from_claims(claims(site_names={"songyuan": "松园"}))


def test_existing_fields_are_unchanged() -> None:
    principal = principal_from_claims(claims(site_names={"songyuan": "松园"}))
    assert principal.tenant == "lvcheng"
    assert principal.employee_no == "WY1004"
    assert principal.name == "李建国"
    assert principal.rank == "supervisor"
    assert principal.departments == {"engineering"}


def test_a_principal_built_directly_accepts_a_plain_dict() -> None:
    principal = Principal(
        subject="u",
        tenant="t",
        employee_no="E1",
        name="n",
        ranks=frozenset({"staff"}),
        permissions=frozenset(),
        departments=frozenset(),
        sites=frozenset({"songyuan"}),
        realm_roles=frozenset(),
        site_names={"songyuan": "松园"},
    )
    assert principal.site_label("songyuan") == "松园"
    hash(principal)

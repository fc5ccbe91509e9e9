"""The standard ``name`` claim reads the way the name is written: 雷诺磊, not "诺磊 雷"; "John Smith" stays.

Every relying party that shows ``name`` (oauth2-proxy's upstreams, authlib, Grafana…) depends on it; the
workbench and the work-order API show the same string (``Principal.name``).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from sso.principal import principal_from_claims
from sso.verify import TokenVerifier
from tests.support.oidc_login import workbench_tokens
from tests.support.realms import TestRealm

PASSWORD = "Wuye2026pass"
#: username → (given, family, display_name as HR wrote it or None, the name every RP must show)
PEOPLE = {
    "wy5001": ("诺磊", "雷", "雷诺磊", "雷诺磊"),
    "wy5002": ("娜娜", "欧阳", "欧阳娜娜", "欧阳娜娜"),
    "wy5003": ("John", "Smith", "John Smith", "John Smith"),
    "wy5004": ("小明", "王", None, "王小明"),  # an account without display_name (made by hand, not by provisioning)
}


def payload(token: str) -> dict[str, Any]:
    segment = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))))


@pytest.fixture(scope="module")
def people(realm: TestRealm) -> dict[str, dict[str, Any]]:
    """Each person's ID-token, access-token and userinfo claims for the workbench client."""
    seen: dict[str, dict[str, Any]] = {}
    for username, (given, family, display, _) in PEOPLE.items():
        attributes = {"display_name": [display]} if display else {"display_name": []}
        realm.create_user(username, PASSWORD, email=f"{username}@example.com", first_name=given, last_name=family,
                          attributes=attributes)  # fmt: skip
        tokens = workbench_tokens(realm, username, PASSWORD)
        userinfo = httpx.get(f"{realm.issuer}/protocol/openid-connect/userinfo",
                             headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=30)  # fmt: skip
        userinfo.raise_for_status()
        seen[username] = {"id": payload(tokens["id_token"]), "access": payload(tokens["access_token"]),
                          "userinfo": userinfo.json(), "access_token": tokens["access_token"]}  # fmt: skip
    return seen


@pytest.mark.parametrize("username", list(PEOPLE))
@pytest.mark.parametrize("where", ["id", "access", "userinfo"])
def test_every_relying_party_reads_the_name_in_the_order_it_is_written(
    people: dict[str, dict[str, Any]], username: str, where: str
) -> None:
    given, family, _, written = PEOPLE[username]
    claims = people[username][where]
    assert claims["name"] == written
    assert (claims["given_name"], claims["family_name"]) == (given, family)


def test_the_workbench_and_the_work_order_api_show_the_same_name(
    realm: TestRealm, people: dict[str, dict[str, Any]]
) -> None:
    verifier = TokenVerifier([realm.issuer], audience="workorder-api")
    for username, (_, _, display, written) in PEOPLE.items():
        api_principal = verifier.verify(people[username]["access_token"])  # what the work-order API sees
        workbench_principal = principal_from_claims(people[username]["id"])  # what the workbench shows
        if display:
            assert api_principal.name == workbench_principal.name == written
        else:  # no display_name: both fall back to the standard claim
            assert api_principal.name == workbench_principal.name == people[username]["id"]["name"] == written

"""The Starlette adapter answers like RFC 6750 says: 401 for bad tokens, 403 naming the missing permission."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from sso.verify import TokenVerifier
from sso.verify.starlette import VERIFIER_STATE, current_principal, requires
from tests.support.realms import TestRealm
from tests.verify.fault_injection import KeycloakRelay
from tests.verify.keycloak_tokens import WorkbenchTokens, sign_in

PASSWORD = "Adapter-pass-2026"


@requires("workorder.view")
async def orders(request: Request) -> Response:
    principal = current_principal(request)
    return JSONResponse({"employee_no": principal.employee_no, "tenant": principal.tenant})


@requires("workorder.view", "admin.accounts")
async def accounts(request: Request) -> Response:
    return JSONResponse({"ok": True})


def tiny_app(verifier: TokenVerifier) -> Starlette:
    app = Starlette(routes=[Route("/orders", orders), Route("/accounts", accounts)])
    setattr(app.state, VERIFIER_STATE, verifier)
    return app


@pytest.fixture(scope="module")
def staff(realm: TestRealm) -> WorkbenchTokens:
    realm.create_user("e4001", PASSWORD)
    return sign_in(realm, "e4001", PASSWORD)


@pytest.fixture(scope="module")
def client(realm: TestRealm) -> Iterator[TestClient]:
    verifier = TokenVerifier([realm.issuer], audience="workorder-api")
    with TestClient(tiny_app(verifier)) as client:
        yield client
    verifier.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_staff_member_reaches_an_endpoint_needing_workorder_view(
    client: TestClient, staff: WorkbenchTokens, realm: TestRealm
) -> None:
    response = client.get("/orders", headers=bearer(staff.access_token))
    assert response.status_code == 200
    assert response.json() == {"employee_no": "E4001", "tenant": realm.name}


def test_the_bearer_scheme_is_case_insensitive(client: TestClient, staff: WorkbenchTokens) -> None:
    response = client.get("/orders", headers={"Authorization": f"bearer {staff.access_token}"})
    assert response.status_code == 200


def test_without_a_token_the_answer_is_a_bare_bearer_challenge(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = client.get("/orders", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Bearer realm="workorder-api"'


def test_a_bad_token_gets_invalid_token_with_the_reason(client: TestClient, staff: WorkbenchTokens) -> None:
    response = client.get("/orders", headers=bearer(staff.id_token))
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert 'error="invalid_token"' in challenge
    assert 'error_description="not_access_token"' in challenge
    assert response.json()["reason"] == "not_access_token"
    assert response.json()["message"]["zh"]


def test_a_missing_permission_is_403_insufficient_scope_naming_it(client: TestClient, staff: WorkbenchTokens) -> None:
    response = client.get("/accounts", headers=bearer(staff.access_token))
    assert response.status_code == 403
    challenge = response.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="admin.accounts"' in challenge
    body = response.json()
    assert body["missing_permission"] == "admin.accounts"
    assert "账号管理" in body["message"]["zh"]


def test_attacker_text_in_a_token_cannot_reach_the_response_headers(client: TestClient) -> None:
    response = client.get(
        "/orders", headers=bearer("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4XCJcclxuU2V0LUNvb2tpZTogYT1iIn0.AAAA")
    )
    assert response.status_code == 401
    assert "set-cookie" not in response.headers
    assert '\\"' not in response.headers["www-authenticate"]


def test_keycloak_unreachable_with_no_keys_is_503_not_401(realm: TestRealm, staff: WorkbenchTokens) -> None:
    relay = KeycloakRelay()
    relay.down = True
    verifier = TokenVerifier([realm.issuer], audience="workorder-api", http=relay.client())
    with TestClient(tiny_app(verifier)) as cold:
        response = cold.get("/orders", headers=bearer(staff.access_token))
    verifier.close()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "www-authenticate" not in response.headers


def test_requires_refuses_a_permission_the_catalogue_does_not_know() -> None:
    with pytest.raises(ValueError, match=r"workorder\.delete"):
        requires("workorder.delete")

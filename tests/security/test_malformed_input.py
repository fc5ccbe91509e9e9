"""Malformed input is refused with a 4xx naming the problem, never a 500: the work-order API against the real Keycloak.

Story: an attacker posts a JSON body nested a thousand levels deep (``[[[[...]]]]``), or presents a "token" whose
payload is nested that deep; Python's JSON parser runs out of recursion and the API answered 500 (a crash an attacker
can trigger at will, and noise that hides real faults). Any malformed body is a 400, any malformed token a 401.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from sso.verify import TokenVerifier
from sso.workorder_api.app import create_app
from tests.support.realms import TestRealm
from tests.verify.keycloak_tokens import sign_in

PASSWORD = "Malformed-pass-2026"
DEEP = 1_000


@pytest.fixture(scope="module")
def api(realm: TestRealm) -> Iterator[TestClient]:
    verifier = TokenVerifier([realm.issuer], audience="workorder-api")
    with TestClient(create_app(verifier), raise_server_exceptions=False) as client:
        yield client
    verifier.close()


@pytest.fixture(scope="module")
def bearer(realm: TestRealm) -> dict[str, str]:
    realm.create_user("m0001", PASSWORD)
    return {"Authorization": f"Bearer {sign_in(realm, 'm0001', PASSWORD).access_token}"}


@pytest.mark.parametrize(
    "body",
    [
        b"[" * DEEP + b"]" * DEEP,
        b'{"site":' + b"[" * DEEP + b"]" * DEEP + b"}",
        b'{"a":' * DEEP + b"1" + b"}" * DEEP,
        b"\xff\xfe not utf-8",
        b'{"site": "lvyuan", "title": ',
        b"",
    ],
    ids=["array-1000-deep", "field-1000-deep", "object-1000-deep", "not-utf8", "truncated", "empty"],
)
def test_a_malformed_body_gets_400_not_a_crash(api: TestClient, bearer: dict[str, str], body: bytes) -> None:
    answer = api.post("/api/workorders", content=body, headers={**bearer, "Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_request"


def test_a_token_whose_payload_nests_a_thousand_deep_gets_401_not_a_crash(api: TestClient) -> None:
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "RS256", "kid": "k"}).encode())
    token = f"{header}.{b64(b'[' * 3_000 + b']' * 3_000)}.{b64(b'sig')}"
    answer = api.get("/api/workorders", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401, answer.text
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]

"""A second, independent relying party: authlib's OAuth 2 client, configured only from the discovery document.

It signs a provisioned staff member in through the real login form (HTTP driver), checks the ID token against the
realm's JWKS with joserfc, and reads userinfo: the claims an ordinary OIDC library expects are there.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from devstack.form_login import authorization_code_login, loopback_client
from sso.downstream.apply import apply_system
from sso.downstream.declaration import DownstreamSystem
from tests.extension.conftest import PASSWORD
from tests.integration.support import provision_staff
from tests.provisioning.support import person
from tests.support.realms import TestRealm

CLIENT_ID = "authlib-rp"
REDIRECT_URI = "http://127.0.0.1:9/callback"  # never served: the form driver stops at the redirect to it


@pytest.fixture(scope="module")
def discovery(realm: TestRealm) -> dict[str, Any]:
    answer = httpx.get(f"{realm.issuer}/.well-known/openid-configuration", timeout=30)
    answer.raise_for_status()
    return dict(answer.json())


@pytest.fixture(scope="module")
def sign_in_to(
    realm: TestRealm, discovery: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[DownstreamSystem], dict[str, Any]]:
    """Declare the system, then sign WY0001 in to it with authlib: ID token, nonce and userinfo."""
    provision_staff(realm, tmp_path_factory.mktemp("roster"), [person(1, "雷诺磊")])

    def sign_in(system: DownstreamSystem) -> dict[str, Any]:
        secret = apply_system(realm.admin(), system)
        session = OAuth2Session(system.client_id, secret, scope="openid", redirect_uri=REDIRECT_URI,
                                code_challenge_method="S256")  # fmt: skip
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(16)
        url, state = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier,
                                                      nonce=nonce)  # fmt: skip
        with loopback_client() as browser:
            leaving = authorization_code_login(browser, realm.endpoint.base_url, url, "WY0001", PASSWORD)
        token = session.fetch_token(discovery["token_endpoint"], authorization_response=leaving.headers["location"],
                                    state=state, code_verifier=verifier)  # fmt: skip
        userinfo = session.get(discovery["userinfo_endpoint"], timeout=30)
        userinfo.raise_for_status()
        return {"token": dict(token), "nonce": nonce, "userinfo": userinfo.json()}

    return sign_in


@pytest.fixture(scope="module")
def signed_in(sign_in_to: Callable[[DownstreamSystem], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    # reads userinfo: Keycloak refuses lightweight access tokens there
    system = DownstreamSystem(CLIENT_ID, "authlib RP (test)", (REDIRECT_URI,), lightweight_access_token=False)
    return lambda: sign_in_to(system)


def test_the_discovery_document_is_what_an_oidc_library_needs(realm: TestRealm, discovery: dict[str, Any]) -> None:
    assert discovery["issuer"] == realm.issuer
    for endpoint in (
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
    ):
        assert discovery[endpoint].startswith(realm.issuer + "/")
    assert "S256" in discovery["code_challenge_methods_supported"]
    assert "code" in discovery["response_types_supported"]
    assert {"name", "preferred_username", "email"} <= set(discovery["claims_supported"])


def test_authlib_signs_a_staff_member_in_and_reads_the_standard_claims(
    realm: TestRealm, discovery: dict[str, Any], signed_in: Callable[[], dict[str, Any]]
) -> None:
    result = signed_in()
    keys = KeySet.import_key_set(httpx.get(discovery["jwks_uri"], timeout=30).json())
    id_token = jwt.decode(result["token"]["id_token"], keys, algorithms=["RS256"])
    claims = id_token.claims
    assert claims["iss"] == realm.issuer and claims["aud"] == CLIENT_ID and claims["nonce"] == result["nonce"]
    jwt.JWTClaimsRegistry(exp={"essential": True}).validate(claims)

    userinfo = result["userinfo"]
    assert userinfo["sub"] == claims["sub"]
    assert userinfo["preferred_username"] == claims["preferred_username"] == "wy0001"  # the 工号
    assert userinfo["name"] == claims["name"] == "雷诺磊"
    assert userinfo["email"] == claims["email"] == "wy0001@example.com"
    assert userinfo["email_verified"] is True and claims["email_verified"] is True
    assert "/departments/service" in userinfo["groups"] and "/sites/songyuan" in claims["groups"]
    # the downstream client sees no roles it was not given
    assert "realm_access" not in claims and "resource_access" not in userinfo


def test_a_downstream_client_is_refused_a_redirect_uri_it_did_not_declare(
    realm: TestRealm, discovery: dict[str, Any], signed_in: Callable[[], dict[str, Any]]
) -> None:
    with loopback_client() as client:
        answer = client.get(discovery["authorization_endpoint"], params={
            "client_id": CLIENT_ID, "response_type": "code", "scope": "openid",
            "redirect_uri": "http://127.0.0.1:9/elsewhere", "code_challenge": "x" * 43,
            "code_challenge_method": "S256",
        })  # fmt: skip
    assert answer.status_code == 400 and "redirect_uri" in answer.text and "code=" not in answer.text


def test_a_system_declared_for_departments_never_learns_anyones_sites(
    discovery: dict[str, Any], sign_in_to: Callable[[DownstreamSystem], dict[str, Any]]
) -> None:
    system = DownstreamSystem("departments-only", "departments only (test)", (REDIRECT_URI,),
                              groups=("/departments",), lightweight_access_token=False)  # fmt: skip
    result = sign_in_to(system)
    keys = KeySet.import_key_set(httpx.get(discovery["jwks_uri"], timeout=30).json())
    id_claims = jwt.decode(result["token"]["id_token"], keys, algorithms=["RS256"]).claims
    assert result["userinfo"]["groups"] == id_claims["groups"] == ["/departments/service"]  # not /sites/songyuan

"""Get a user's real tokens for ``staff-workbench`` through Keycloak's login form (PKCE + code exchange).

The workbench client allows no password grant, so tests sign in the way a browser would, with the
HTTP form driver, and exchange the code themselves; the workbench need not be running.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx

from devstack.form_login import FormLogin, LoginPage, loopback_client
from sso import catalog
from tests.support.realms import TestRealm


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(realm: TestRealm, challenge: str, state: str, extra: dict[str, str] | None = None) -> str:
    params = {
        "client_id": catalog.WORKBENCH_CLIENT_ID,
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": f"{realm.settings.workbench_url}/auth/callback",
        "state": state,
        "nonce": secrets.token_urlsafe(12),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra or {})
    return f"{realm.issuer}/protocol/openid-connect/auth?{urlencode(params)}"


def exchange_code(realm: TestRealm, code: str, verifier: str) -> dict[str, Any]:
    response = httpx.post(
        f"{realm.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": f"{realm.settings.workbench_url}/auth/callback",
            "code_verifier": verifier,
        },
        auth=(catalog.WORKBENCH_CLIENT_ID, realm.settings.workbench_client_secret),
        timeout=30,
    )
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def workbench_tokens(
    realm: TestRealm, username: str, password: str, client: httpx.Client | None = None
) -> dict[str, Any]:
    """Sign ``username`` in through the real form and return the token response (access, ID, refresh)."""
    own_client = client is None
    client = client or loopback_client()
    try:
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(12)
        flow = FormLogin(client, realm.endpoint.base_url)
        step = flow.open(authorize_url(realm, challenge, state))
        if isinstance(step, LoginPage):
            step = flow.submit(username=username, password=password, credentialId="")
        if isinstance(step, LoginPage):
            raise AssertionError(f"sign-in of {username} stopped on {step.form_id!r}: {step.error!r}")
        query = parse_qs(urlparse(step.headers["location"]).query)
        assert query["state"] == [state], "Keycloak returned another state"
        return exchange_code(realm, query["code"][0], verifier)
    finally:
        if own_client:
            client.close()

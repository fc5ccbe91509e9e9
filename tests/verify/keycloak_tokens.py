"""Real tokens of ``staff-workbench`` from a test realm: the authorization-code flow with PKCE.

The workbench client has no password grant, so a test signs in through Keycloak's real login form
(``devstack.form_login``) and exchanges the code with the client secret from ``TestRealm.settings``,
as the workbench would. No workbench needs to run: the redirect is read, not followed.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlparse

import httpx

from devstack.form_login import FormLogin, LoginPage, loopback_client
from sso import catalog
from tests.support.realms import TestRealm


@dataclass(frozen=True)
class WorkbenchTokens:
    """The token response of one sign-in (``repr`` shows no token)."""

    access_token: str
    id_token: str
    refresh_token: str

    def __repr__(self) -> str:
        return "WorkbenchTokens(<hidden>)"


def sign_in(realm: TestRealm, username: str, password: str) -> WorkbenchTokens:
    """Sign ``username`` in through the login form and exchange the code (PKCE S256) for tokens."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(12)
    redirect_uri = f"{realm.settings.workbench_url}/auth/callback"
    query = urlencode({
        "client_id": catalog.WORKBENCH_CLIENT_ID, "response_type": "code", "scope": "openid",
        "redirect_uri": redirect_uri, "state": state, "nonce": secrets.token_urlsafe(12),
        "code_challenge": challenge, "code_challenge_method": "S256",
    })  # fmt: skip
    with loopback_client() as client:
        flow = FormLogin(client, realm.endpoint.base_url)
        step = flow.open(f"{realm.issuer}/protocol/openid-connect/auth?{query}")
        if isinstance(step, LoginPage):
            step = flow.submit(username=username, password=password, credentialId="")
        stopped = step if isinstance(step, LoginPage) else None
        assert stopped is None, f"sign-in of {username} stopped on form {stopped.form_id!r}: {stopped.error!r}"
        assert isinstance(step, httpx.Response)
        answer = parse_qs(urlparse(step.headers["location"]).query)
        assert answer.get("state") == [state], f"Keycloak redirected without our state: {sorted(answer)}"
        response = httpx.post(
            f"{realm.issuer}/protocol/openid-connect/token",
            data={"grant_type": "authorization_code", "code": answer["code"][0],
                  "redirect_uri": redirect_uri, "code_verifier": verifier},
            auth=(catalog.WORKBENCH_CLIENT_ID, realm.settings.workbench_client_secret),
            timeout=30,
        )  # fmt: skip
    if response.status_code != 200:
        raise AssertionError(f"code exchange failed: HTTP {response.status_code} {response.text[:300]}")
    body = response.json()
    return WorkbenchTokens(body["access_token"], body["id_token"], body["refresh_token"])

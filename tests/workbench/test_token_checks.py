"""The ID-token and logout-token rules, one by one, on tokens signed here with a throw-away key.

Keycloak never signs a token that breaks these rules, so the rules are held to account offline;
the real Keycloak's tokens pass them in the protocol and browser tests.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import Key, OctKey, RSAKey

from sso.jwks import KeyNotFound
from sso.jws import VerifyingKey
from sso.oidc.errors import TokenRejected
from sso.oidc.id_token import IdTokenChecks
from sso.oidc.logout_token import BACKCHANNEL_LOGOUT_EVENT, LogoutTokenChecks
from sso.oidc.signed_jwt import verified

ISSUER = "https://sso.example.com/realms/lvcheng"
CLIENT = "staff-workbench"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})


class FromNow(int):
    """Seconds from the moment the test runs: parametrize lists must not read the clock at collection."""


def _resolve(changes: dict[str, Any], now: int) -> dict[str, Any]:
    return {k: now + v if isinstance(v, FromNow) else v for k, v in changes.items()}


class OneKey:
    async def akey_for(self, kid: str | None, alg: str) -> VerifyingKey:
        if kid != "k1":
            raise KeyNotFound(str(kid))
        return VerifyingKey.from_jwk(KEY.as_dict(private=False))


def sign(claims: dict[str, Any], header: dict[str, Any] | None = None, key: Key = KEY) -> str:
    return jwt.encode({"alg": "RS256", "kid": "k1", **(header or {})}, claims, key)


def id_claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    changes = _resolve(changes, now)
    claims = {"iss": ISSUER, "sub": "u1", "aud": CLIENT, "azp": CLIENT, "exp": now + 300, "iat": now,
              "nonce": "n-123", "typ": "ID", "sid": "s1"}  # fmt: skip
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def check_id(claims: dict[str, Any], nonce: str | None = "n-123", subject: str | None = None) -> None:
    _, verified_claims = asyncio.run(verified(sign(claims), OneKey(), ("RS256",)))
    IdTokenChecks(ISSUER, CLIENT, nonce=nonce, subject=subject).validate(verified_claims)


def test_a_good_id_token_passes() -> None:
    check_id(id_claims())


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"aud": "owner-app"}, "aud"),  # azp ours, audience not: still not ours
        ({"aud": ["owner-app", CLIENT], "azp": None}, "azp"),
        ({"aud": [CLIENT, "other"], "azp": "other"}, "azp"),
        ({"iss": ISSUER + "/"}, "iss"),
        ({"exp": FromNow(-120)}, "exp"),
        ({"iat": FromNow(600)}, "iat"),
        ({"iat": FromNow(-3600)}, "iat"),
        ({"nonce": "someone-elses"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"typ": "Bearer"}, "typ"),
        ({"sub": None}, "sub"),
    ],
)
def test_an_id_token_breaking_a_rule_is_refused(changes: dict[str, Any], rule: str) -> None:
    with pytest.raises(TokenRejected) as refused:
        check_id(id_claims(**changes))
    assert refused.value.check == rule


def test_a_refreshed_id_token_must_name_the_same_subject() -> None:
    check_id(id_claims(nonce=None), subject="u1")
    with pytest.raises(TokenRejected, match="sub"):
        check_id(id_claims(sub="u2"), subject="u1")


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_unsigned_or_symmetric_tokens_are_refused(alg: str) -> None:
    if alg == "none":
        import base64
        import json

        def b64(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        token = f"{b64({'alg': 'none', 'kid': 'k1'})}.{b64(id_claims())}."
    else:
        token = jwt.encode({"alg": "HS256", "kid": "k1"}, id_claims(), OctKey.generate_key(256))
    with pytest.raises(TokenRejected) as refused:
        asyncio.run(verified(token, OneKey(), ("RS256", "HS256", "none")))
    assert refused.value.check in ("alg", "format")


def test_a_token_signed_by_another_key_is_refused() -> None:
    other = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with pytest.raises(TokenRejected, match="signature"):
        asyncio.run(verified(sign(id_claims(), key=other), OneKey(), ("RS256",)))


# -- logout tokens (Back-Channel Logout 1.0 §2.4, §2.6) -------------------------------------------
def logout_claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    changes = _resolve(changes, now)
    claims = {"iss": ISSUER, "aud": CLIENT, "iat": now, "exp": now + 120, "jti": "j1", "sub": "u1", "sid": "s1",
              "events": {BACKCHANNEL_LOGOUT_EVENT: {}}, "typ": "Logout"}  # fmt: skip
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def check_logout(claims: dict[str, Any], typ: str | None = "logout+jwt"):  # type: ignore[no-untyped-def]
    header, verified_claims = asyncio.run(verified(sign(claims, {"typ": typ} if typ else {}), OneKey(), ("RS256",)))
    return LogoutTokenChecks(ISSUER, CLIENT).validate(header, verified_claims)


def test_a_good_logout_token_names_the_session_and_user() -> None:
    request = check_logout(logout_claims())
    assert (request.session_id, request.subject) == ("s1", "u1")
    assert check_logout(logout_claims(sid=None)).session_id is None


@pytest.mark.parametrize(
    ("changes", "typ", "rule"),
    [
        ({"nonce": "n"}, "logout+jwt", "nonce"),
        ({"events": None}, "logout+jwt", "events"),
        ({"events": {BACKCHANNEL_LOGOUT_EVENT: "yes"}}, "logout+jwt", "events"),
        ({"events": {"http://example.com/other": {}}}, "logout+jwt", "events"),
        ({"sid": None, "sub": None}, "logout+jwt", "sid"),
        ({"aud": "owner-app"}, "logout+jwt", "aud"),
        ({"iss": "https://evil.example/realms/lvcheng"}, "logout+jwt", "iss"),
        ({"jti": None}, "logout+jwt", "jti"),
        ({"iat": FromNow(-3600), "exp": None}, "logout+jwt", "iat"),
        ({}, "JWT", "typ"),
    ],
)
def test_a_logout_token_breaking_a_rule_is_refused(changes: dict[str, Any], typ: str, rule: str) -> None:
    with pytest.raises(TokenRejected) as refused:
        check_logout(logout_claims(**changes), typ=typ)
    assert refused.value.check == rule

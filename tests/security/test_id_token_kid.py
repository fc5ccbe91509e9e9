"""OIDC Core §10.1: an ID token may omit ``kid`` when the issuer publishes exactly one signing key.

The workbench used to refuse such a token (an OpenID-certification RP test expects it to be accepted). It must be
accepted then, and only then: with two signing keys a kid-less token names no key, whichever would verify it.
Tokens come from an issuer the test holds (Keycloak always sets ``kid``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from sso.jwks import JwksCache
from sso.oidc.errors import TokenRejected
from sso.oidc.id_token import IdTokenChecks
from sso.oidc.signed_jwt import verified
from tests.verify.fault_injection import FORGED_ISSUER, ForgedIssuer, KeycloakRelay

CLIENT = "staff-workbench"


class TwoKeyIssuer(ForgedIssuer):
    """Publishes a second signing key beside the first (as during a key rotation)."""

    def __init__(self) -> None:
        super().__init__()
        self.other = RSAKey.generate_key(2048, parameters={"kid": "forged-key-2", "use": "sig", "alg": "RS256"})

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False), self.other.as_dict(private=False)]}


def id_token(issuer: ForgedIssuer, with_kid: bool) -> str:
    now = int(time.time())
    claims = {"iss": FORGED_ISSUER, "sub": "u-1", "aud": CLIENT, "azp": CLIENT, "typ": "ID", "iat": now, "exp": now + 300,
              "nonce": "n-1"}  # fmt: skip
    header = {"alg": "RS256", **({"kid": issuer.key.kid} if with_kid else {})}
    return jwt.encode(header, claims, issuer.key)


def read(issuer: ForgedIssuer, token: str) -> dict[str, Any]:
    relay = KeycloakRelay(issuer)
    keys = JwksCache(FORGED_ISSUER, http=relay.client())

    async def run() -> dict[str, Any]:
        _, claims = await verified(token, keys, ("RS256",))
        IdTokenChecks(FORGED_ISSUER, CLIENT, nonce="n-1").validate(claims)
        return claims

    try:
        return asyncio.run(run())
    finally:
        keys.close()
        relay.close()


@pytest.fixture(scope="module")
def one_key() -> Iterator[ForgedIssuer]:
    yield ForgedIssuer()


def test_a_kidless_id_token_is_accepted_when_the_issuer_publishes_one_signing_key(one_key: ForgedIssuer) -> None:
    assert read(one_key, id_token(one_key, with_kid=False))["sub"] == "u-1"
    assert read(one_key, id_token(one_key, with_kid=True))["sub"] == "u-1"


def test_a_kidless_id_token_is_refused_when_the_issuer_publishes_several_keys() -> None:
    two = TwoKeyIssuer()
    assert read(two, id_token(two, with_kid=True))["sub"] == "u-1"
    with pytest.raises(TokenRejected) as refused:
        read(two, id_token(two, with_kid=False))
    assert refused.value.check == "signature" and "kid" in refused.value.description

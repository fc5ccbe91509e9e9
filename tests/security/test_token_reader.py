"""One JWS reader and one set of time-claim checks for the workbench (``sso.oidc``) and downstream APIs (``sso.verify``).

Story: two readers drifted apart. The workbench accepted an ID token in its ``exp`` second (``now > exp``) while the
verifier refused it (RFC 7519 §4.1.4: expired *on or after* ``exp``); the verifier accepted an ``aud`` array holding a
number (RFC 7519 §4.1.3: strings only); a payload nested thousands deep crashed the workbench's reader after a key
lookup. Each hostile token below must be refused by both, for the same reason, before any key is looked up when the
header alone condemns it. Tokens come from an issuer the test holds (Keycloak never signs these shapes).
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from sso.jwks import JwksCache
from sso.oidc.errors import TokenRejected
from sso.oidc.id_token import IdTokenChecks
from sso.oidc.signed_jwt import verified
from sso.verify import InvalidToken, TokenVerifier
from tests.verify.fault_injection import FORGED_ISSUER, ForgedIssuer, KeycloakRelay

AUDIENCE = "workorder-api"
NOW = 1_900_000_000
FORGED = ForgedIssuer()


@pytest.fixture()
def relay() -> Iterator[KeycloakRelay]:
    relay = KeycloakRelay(FORGED)
    yield relay
    relay.close()


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(**changes: Any) -> dict[str, Any]:
    """Claims both an access token for ``AUDIENCE`` and an ID token for ``AUDIENCE`` would carry, at ``NOW``."""
    base = {"iss": FORGED_ISSUER, "sub": "u-1", "aud": [AUDIENCE], "azp": AUDIENCE, "typ": "Bearer", "iat": NOW - 10,
            "exp": NOW + 300, "nonce": "n-1"}  # fmt: skip
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def verifier_reason(relay: KeycloakRelay, token: str, leeway: int = 0) -> str:
    verifier = TokenVerifier([FORGED_ISSUER], AUDIENCE, http=relay.client(), leeway=leeway, now=lambda: NOW,
                             verified_cache_size=0)  # fmt: skip
    try:
        with pytest.raises(InvalidToken) as caught:
            verifier.verify(token)
        return caught.value.reason
    finally:
        verifier.close()


def workbench_check(relay: KeycloakRelay, token: str, leeway: int = 0) -> str:
    """The workbench's reading of an ID token: signature, then OIDC Core §3.1.3.7's checks."""
    keys = JwksCache(FORGED_ISSUER, http=relay.client())

    async def read() -> None:
        _, read_claims = await verified(token, keys, ("RS256",))
        IdTokenChecks(FORGED_ISSUER, AUDIENCE, nonce="n-1", leeway=leeway, now=lambda: NOW).validate(read_claims)

    try:
        with pytest.raises(TokenRejected) as caught:
            asyncio.run(read())
        return caught.value.check
    finally:
        keys.close()


def test_a_token_is_expired_in_its_exp_second_for_both_readers(relay: KeycloakRelay) -> None:
    forged = FORGED
    at_exp = forged.sign(claims(exp=NOW))
    assert verifier_reason(relay, at_exp) == "expired"
    assert workbench_check(relay, forged.sign(claims(exp=NOW, typ="ID"))) == "exp"


def test_an_aud_array_holding_a_non_string_is_refused_by_both(relay: KeycloakRelay) -> None:
    forged = FORGED
    assert verifier_reason(relay, forged.sign(claims(aud=[AUDIENCE, 7]))) == "wrong_audience"
    assert workbench_check(relay, forged.sign(claims(aud=[AUDIENCE, 7], typ="ID"))) == "aud"


def test_iat_and_nbf_follow_the_same_rules_in_both(relay: KeycloakRelay) -> None:
    forged = FORGED
    assert verifier_reason(relay, forged.sign(claims(iat=NOW + 60))) == "issued_in_future"
    assert workbench_check(relay, forged.sign(claims(iat=NOW + 60, typ="ID"))) == "iat"
    assert verifier_reason(relay, forged.sign(claims(nbf=NOW + 60))) == "not_yet_valid"
    assert workbench_check(relay, forged.sign(claims(nbf=NOW + 60, typ="ID"))) == "nbf"
    assert verifier_reason(relay, forged.sign(claims(exp="soon"))) == "malformed"
    assert workbench_check(relay, forged.sign(claims(exp=True, typ="ID"))) == "exp"


def signed_raw(forged: ForgedIssuer, header: dict[str, Any], payload: bytes) -> str:
    """A compact JWS with any header and payload bytes, truly signed by the issuer's key (joserfc refuses to)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(payload)}".encode()
    private = forged.key.private_key
    assert private is not None
    signature = private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode()}.{b64(signature)}"


def _hostile(forged: ForgedIssuer) -> dict[str, str]:
    kid = forged.key.kid
    header = {"alg": "RS256", "kid": kid}
    signed = forged.sign(claims(typ="ID"))
    body = json.dumps(claims(typ="ID")).encode()
    return {
        "alg none": f"{b64(json.dumps({'alg': 'none', 'kid': kid}).encode())}.{b64(body)}.",
        "alg HS256": f"{b64(json.dumps({'alg': 'HS256', 'kid': kid}).encode())}.{b64(body)}.{b64(b'mac')}",
        "crit header": signed_raw(forged, {**header, "crit": ["exp"]}, body),
        "b64 header": signed_raw(forged, {**header, "b64": False}, body),
        "header not an object": signed_raw(forged, ["RS256"], body),  # type: ignore[arg-type]
        "payload not an object": signed_raw(forged, header, b"[1]"),
        "payload nested 3000 deep": signed_raw(forged, header, b"[" * 3_000 + b"]" * 3_000),
        "oversized": signed + "A" * 20_000,
        "padded base64": signed.split(".")[0] + "==." + ".".join(signed.split(".")[1:]),
        "four parts": signed + ".AAAA",
    }  # fmt: skip


def test_hostile_tokens_are_refused_by_both_before_any_key_lookup(relay: KeycloakRelay) -> None:
    forged = FORGED
    for name, token in _hostile(forged).items():
        assert verifier_reason(relay, token) in {"malformed", "algorithm_not_allowed", "forbidden_header"}, name
        assert workbench_check(relay, token) in {"format", "alg", "header"}, name
        assert relay.count("/certs") == 0, f"{name}: a key was looked up"

"""A downstream service accepts the workbench's real access tokens and refuses everything else.

Tokens come from the real Keycloak through the login form; forged ones are made from real ones (a
flipped byte, a swapped header) or, for shapes Keycloak never issues, by ``ForgedIssuer``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import httpx
import pytest
from joserfc.jwk import RSAKey

from sso.verify import InvalidToken, TokenVerifier, VerifierUnavailable
from tests.support.realms import TestRealm
from tests.verify.fault_injection import FORGED_ISSUER, ForgedIssuer, KeycloakRelay
from tests.verify.keycloak_tokens import WorkbenchTokens, sign_in

PASSWORD = "Verify-pass-2026"
AUDIENCE = "workorder-api"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return _b64json(header), _b64json(payload), signature


def _b64json(segment: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))))


def compact(header: dict[str, Any], claims: dict[str, Any], signature: str) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}.{signature}"


@pytest.fixture(scope="module")
def engineer(realm: TestRealm) -> WorkbenchTokens:
    realm.create_user("e2001", PASSWORD, groups=("/departments/engineering",))
    return sign_in(realm, "e2001", PASSWORD)


@pytest.fixture(scope="module")
def other_realm(realm_factory: Callable[..., TestRealm]) -> TestRealm:
    return realm_factory()


@pytest.fixture(scope="module")
def forged() -> ForgedIssuer:
    return ForgedIssuer()


@pytest.fixture()
def relay(forged: ForgedIssuer) -> Iterator[KeycloakRelay]:
    relay = KeycloakRelay(forged)
    yield relay
    relay.close()


@pytest.fixture()
def verifier(realm: TestRealm, relay: KeycloakRelay) -> Iterator[TokenVerifier]:
    verifier = TokenVerifier([realm.issuer, FORGED_ISSUER], audience=AUDIENCE, http=relay.client(), leeway=5)
    yield verifier
    verifier.close()


def refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(token)
    return caught.value.reason


def forged_claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": FORGED_ISSUER, "sub": "u-1", "aud": [AUDIENCE], "typ": "Bearer", "iat": now, "exp": now + 300,
              "permissions": ["workorder.view"], "realm_access": {"roles": ["staff"]}}  # fmt: skip
    claims.update(changes)
    return claims


# -- accepted ---------------------------------------------------------------------------------------
def test_a_workbench_access_token_is_accepted_and_names_the_employee(
    verifier: TokenVerifier, engineer: WorkbenchTokens, realm: TestRealm
) -> None:
    principal = verifier.verify(engineer.access_token)
    assert principal.tenant == realm.name
    assert principal.employee_no == "E2001"
    assert principal.name == "王小明"
    assert principal.rank == "staff"
    assert principal.departments == {"engineering"}
    assert {"workorder.view", "workorder.handle"} <= principal.permissions
    assert principal.expires_at is not None and principal.expires_at.timestamp() > time.time()


def test_keys_are_fetched_once_for_many_verifications(
    verifier: TokenVerifier, engineer: WorkbenchTokens, relay: KeycloakRelay
) -> None:
    for _ in range(50):
        verifier.verify(engineer.access_token)
    assert relay.count("/certs") == 1
    assert relay.count("/openid-configuration") == 1


def test_the_async_verifier_accepts_the_same_token(verifier: TokenVerifier, engineer: WorkbenchTokens) -> None:
    principal = anyio.run(verifier.averify, engineer.access_token)
    assert principal.employee_no == "E2001"


# -- refused: signatures and algorithms ------------------------------------------------------------
def test_a_token_with_tampered_claims_is_refused(verifier: TokenVerifier, engineer: WorkbenchTokens) -> None:
    header, claims, signature = segments(engineer.access_token)
    claims["permissions"] = ["admin.accounts", "billing.edit-rates"]
    assert refused(verifier, compact(header, claims, signature)) == "bad_signature"


def test_a_token_with_a_flipped_signature_byte_is_refused(verifier: TokenVerifier, engineer: WorkbenchTokens) -> None:
    head, payload, signature = engineer.access_token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[10] ^= 0x01
    assert refused(verifier, f"{head}.{payload}.{b64(bytes(raw))}") == "bad_signature"


def test_alg_none_is_refused_before_any_key_lookup(
    verifier: TokenVerifier, engineer: WorkbenchTokens, relay: KeycloakRelay
) -> None:
    header, claims, _ = segments(engineer.access_token)
    for alg in ("none", "None", "NONE"):
        assert refused(verifier, compact({**header, "alg": alg}, claims, "")) == "algorithm_not_allowed"
    assert relay.total == 0


def test_hs256_signed_with_the_realm_public_key_is_refused(
    verifier: TokenVerifier, engineer: WorkbenchTokens, realm: TestRealm
) -> None:
    """The classic key-confusion attack: HMAC keyed with the published RSA key."""
    header, claims, _ = segments(engineer.access_token)
    jwks = httpx.get(f"{realm.issuer}/protocol/openid-connect/certs").json()
    public = RSAKey.import_key(next(k for k in jwks["keys"] if k["kid"] == header["kid"]))
    for secret in (public.as_pem(private=False), json.dumps(public.as_dict(private=False)).encode()):
        forged_header = {**header, "alg": "HS256"}
        signing_input = f"{b64(json.dumps(forged_header).encode())}.{b64(json.dumps(claims).encode())}"
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        assert refused(verifier, f"{signing_input}.{b64(mac)}") == "algorithm_not_allowed"


def test_keys_named_by_the_token_itself_are_ignored(
    verifier: TokenVerifier, engineer: WorkbenchTokens, relay: KeycloakRelay, forged: ForgedIssuer
) -> None:
    """``jwk``, ``jku`` and ``x5u`` headers pointing at the attacker's key change nothing."""
    attacker = RSAKey.generate_key(2048, parameters={"kid": "attacker"})
    _, claims, _ = segments(engineer.access_token)
    tricks: list[dict[str, Any]] = [
        {"kid": "attacker", "jwk": attacker.as_dict(private=False)},
        {"kid": "attacker", "jku": "http://evil.test/jwks.json"},
        {"kid": "attacker", "x5u": "http://evil.test/cert.pem"},
    ]
    for header in tricks:
        assert refused(verifier, forged.sign(claims, header, key=attacker)) == "unknown_key"
    real_kid = segments(engineer.access_token)[0]["kid"]
    with_real_kid = forged.sign(claims, {"kid": real_kid, "jwk": attacker.as_dict(private=False)}, key=attacker)
    assert refused(verifier, with_real_kid) == "bad_signature"
    assert relay.hosts["evil.test"] == 0


# -- refused: claims --------------------------------------------------------------------------------
def test_a_token_for_another_audience_is_refused(realm: TestRealm, engineer: WorkbenchTokens) -> None:
    billing = TokenVerifier([realm.issuer], audience="billing-api")
    try:
        assert refused(billing, engineer.access_token) == "wrong_audience"
    finally:
        billing.close()


def test_the_same_realm_under_another_host_name_is_not_our_issuer(realm: TestRealm, engineer: WorkbenchTokens) -> None:
    """Issuers are compared exactly: ``localhost`` is not ``127.0.0.1`` (nor a trailing slash)."""
    elsewhere = realm.issuer.replace("127.0.0.1", "localhost")
    assert elsewhere != realm.issuer
    strict = TokenVerifier([elsewhere], audience=AUDIENCE)
    try:
        assert refused(strict, engineer.access_token) == "untrusted_issuer"
    finally:
        strict.close()


def test_a_token_from_an_unconfigured_realm_is_refused_without_calling_keycloak(
    verifier: TokenVerifier, other_realm: TestRealm, relay: KeycloakRelay
) -> None:
    other_realm.create_user("e9001", PASSWORD)
    stranger = sign_in(other_realm, "e9001", PASSWORD)
    assert refused(verifier, stranger.access_token) == "untrusted_issuer"
    assert relay.total == 0


def test_several_realms_can_be_trusted_at_once(
    realm: TestRealm, other_realm: TestRealm, engineer: WorkbenchTokens
) -> None:
    both = TokenVerifier([realm.issuer, other_realm.issuer], audience=AUDIENCE)
    try:
        other_realm.create_user("e9002", PASSWORD)
        stranger = sign_in(other_realm, "e9002", PASSWORD)
        assert both.verify(engineer.access_token).tenant == realm.name
        assert both.verify(stranger.access_token).tenant == other_realm.name
    finally:
        both.close()


def test_an_id_token_is_not_an_access_token(verifier: TokenVerifier, engineer: WorkbenchTokens) -> None:
    assert segments(engineer.id_token)[1]["typ"] == "ID"
    assert refused(verifier, engineer.id_token) == "not_access_token"


def test_a_refresh_token_is_not_an_access_token(verifier: TokenVerifier, engineer: WorkbenchTokens) -> None:
    # Keycloak signs refresh tokens with the realm's HMAC key: refused before any key is even chosen
    assert segments(engineer.refresh_token)[1]["typ"] == "Refresh"
    assert refused(verifier, engineer.refresh_token) == "algorithm_not_allowed"


def test_tokens_of_other_kinds_signed_by_a_trusted_key_are_refused(
    verifier: TokenVerifier, forged: ForgedIssuer, realm: TestRealm
) -> None:
    for kind in ("ID", "Refresh", "Logout", "Offline"):
        assert refused(verifier, forged.sign(forged_claims(typ=kind))) == "not_access_token"


def test_a_keycloak_token_past_its_lifespan_is_refused(realm: TestRealm) -> None:
    admin = realm.admin()
    admin.update_realm(realm.name, {"accessTokenLifespan": 2})
    try:
        realm.create_user("e2002", PASSWORD)
        short_lived = sign_in(realm, "e2002", PASSWORD)
    finally:
        admin.update_realm(realm.name, {"accessTokenLifespan": 300})
    exp = segments(short_lived.access_token)[1]["exp"]
    strict = TokenVerifier([realm.issuer], audience=AUDIENCE, leeway=0)
    try:
        time.sleep(max(0.0, exp - time.time()) + 1.1)
        assert refused(strict, short_lived.access_token) == "expired"
    finally:
        strict.close()


def test_time_claims_are_checked_with_a_small_leeway(
    verifier: TokenVerifier, forged: ForgedIssuer, realm: TestRealm
) -> None:
    now = int(time.time())
    assert refused(verifier, forged.sign(forged_claims(exp=now - 60, iat=now - 360))) == "expired"
    assert refused(verifier, forged.sign(forged_claims(nbf=now + 120))) == "not_yet_valid"
    assert refused(verifier, forged.sign(forged_claims(iat=now + 120, exp=now + 420))) == "issued_in_future"
    # within the leeway (5 s here) clocks may disagree
    assert verifier.verify(forged.sign(forged_claims(exp=now - 2))).subject == "u-1"
    assert verifier.verify(forged.sign(forged_claims(nbf=now + 2))).subject == "u-1"


def test_missing_claims_are_named(verifier: TokenVerifier, forged: ForgedIssuer, realm: TestRealm) -> None:
    for claim in ("exp", "aud", "sub", "typ", "iat"):
        claims = forged_claims()
        del claims[claim]
        with pytest.raises(InvalidToken) as caught:
            verifier.verify(forged.sign(claims))
        assert caught.value.reason == "missing_claim" and repr(claim) in caught.value.description


def test_garbage_is_malformed_not_an_error(verifier: TokenVerifier) -> None:
    for junk in ("", "abc", "a.b", "a.b.c.d", "!!!.???.###", "e30.e30.", b64(b"[]") + "." + b64(b"{}") + ".AA"):
        assert refused(verifier, junk) in {"malformed", "algorithm_not_allowed"}


# -- key cache ----------------------------------------------------------------------------------------
def test_a_flood_of_unknown_kids_costs_keycloak_one_refetch(
    realm: TestRealm, engineer: WorkbenchTokens, relay: KeycloakRelay
) -> None:
    flooded = TokenVerifier([realm.issuer], audience=AUDIENCE, http=relay.client(), min_refetch_interval=1.0)
    try:
        flooded.verify(engineer.access_token)
        assert relay.count("/certs") == 1
        time.sleep(1.1)  # past the refetch interval: the first unknown kid may refetch, the rest may not
        header, claims, signature = segments(engineer.access_token)
        for _ in range(100):
            bogus = compact({**header, "kid": secrets.token_hex(8)}, claims, signature)
            assert refused(flooded, bogus) == "unknown_key"
        assert relay.count("/certs") == 2
        assert flooded.verify(engineer.access_token).employee_no == "E2001"  # the real key is still there
    finally:
        flooded.close()


def test_cached_keys_keep_working_while_keycloak_is_unreachable(realm: TestRealm, engineer: WorkbenchTokens) -> None:
    relay = KeycloakRelay()
    stale_quickly = TokenVerifier([realm.issuer], audience=AUDIENCE, http=relay.client(), max_key_age=0.5,
                                  min_refetch_interval=0.1)  # fmt: skip
    try:
        stale_quickly.verify(engineer.access_token)
        relay.down = True
        time.sleep(0.7)  # keys are now stale: a refetch is tried, fails, and the cached key still serves
        assert stale_quickly.verify(engineer.access_token).employee_no == "E2001"
        assert relay.count("/certs") == 2
    finally:
        stale_quickly.close()


def test_with_keycloak_unreachable_and_nothing_cached_the_verifier_says_unavailable_not_invalid(
    realm: TestRealm, engineer: WorkbenchTokens
) -> None:
    relay = KeycloakRelay()
    relay.down = True
    cold = TokenVerifier([realm.issuer], audience=AUDIENCE, http=relay.client())
    try:
        with pytest.raises(VerifierUnavailable):
            cold.verify(engineer.access_token)
    finally:
        cold.close()


def test_a_token_verified_before_is_still_refused_once_it_expires(relay: KeycloakRelay, forged: ForgedIssuer) -> None:
    """The verified-token cache saves the signature check, never the time checks."""
    strict = TokenVerifier([FORGED_ISSUER], audience=AUDIENCE, http=relay.client(), leeway=0)
    try:
        token = forged.sign(forged_claims(exp=int(time.time()) + 2))
        assert strict.verify(token).subject == "u-1"
        assert strict.verify(token).subject == "u-1"  # a cache hit
        time.sleep(max(0.0, segments(token)[1]["exp"] - time.time()) + 0.1)
        assert refused(strict, token) == "expired"
    finally:
        strict.close()

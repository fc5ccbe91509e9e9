"""Introspection mode (RFC 7662): Keycloak is asked whether a token is still active, with a short cache."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from sso.verify import IntrospectionClient, InvalidToken, TokenVerifier, TrustedIssuer, VerifierUnavailable
from tests.support.realms import TestRealm
from tests.verify.fault_injection import KeycloakRelay
from tests.verify.keycloak_tokens import sign_in

PASSWORD = "Introspect-pass-2026"
CACHE = 0.5


@pytest.fixture()
def relay() -> Iterator[KeycloakRelay]:
    relay = KeycloakRelay()
    yield relay
    relay.close()


def verifier_for(realm: TestRealm, relay: KeycloakRelay, secret: str | None = None) -> TokenVerifier:
    credentials = IntrospectionClient("workorder-api", secret or realm.settings.workorder_api_client_secret)
    return TokenVerifier([TrustedIssuer(realm.issuer, credentials)], audience="workorder-api",
                         http=relay.client(), introspection_cache_seconds=CACHE)  # fmt: skip


def test_a_burst_of_calls_with_one_token_costs_keycloak_one_introspection(
    realm: TestRealm, relay: KeycloakRelay
) -> None:
    realm.create_user("e8001", PASSWORD)
    tokens = sign_in(realm, "e8001", PASSWORD)
    verifier = verifier_for(realm, relay)
    for _ in range(20):
        assert verifier.verify_active(tokens.access_token).employee_no == "E8001"
    assert relay.count("/token/introspect") == 1
    time.sleep(CACHE + 0.1)
    verifier.verify_active(tokens.access_token)
    assert relay.count("/token/introspect") == 2
    verifier.close()


def test_a_signed_out_user_is_inactive_at_once_though_the_token_still_verifies_locally(
    realm: TestRealm, relay: KeycloakRelay
) -> None:
    realm.create_user("e8002", PASSWORD)
    tokens = sign_in(realm, "e8002", PASSWORD)
    verifier = verifier_for(realm, relay)
    admin = realm.admin()
    admin.user_logout(str(admin.get_user_id("e8002")))
    with pytest.raises(InvalidToken) as caught:
        verifier.verify_active(tokens.access_token)
    assert caught.value.reason == "inactive"
    assert verifier.verify(tokens.access_token).employee_no == "E8002"
    verifier.close()


def test_wrong_introspection_credentials_are_unavailable_not_inactive(realm: TestRealm, relay: KeycloakRelay) -> None:
    """Keycloak refusing *us* says nothing about the user's token: 503, never a false 401."""
    realm.create_user("e8003", PASSWORD)
    tokens = sign_in(realm, "e8003", PASSWORD)
    verifier = verifier_for(realm, relay, secret="not-the-secret")
    with pytest.raises(VerifierUnavailable):
        verifier.verify_active(tokens.access_token)
    verifier.close()


def test_introspection_is_never_asked_about_a_token_that_fails_locally(realm: TestRealm, relay: KeycloakRelay) -> None:
    realm.create_user("e8004", PASSWORD)
    tokens = sign_in(realm, "e8004", PASSWORD)
    verifier = verifier_for(realm, relay)
    with pytest.raises(InvalidToken):
        verifier.verify_active(tokens.id_token)
    assert relay.count("/token/introspect") == 0
    verifier.close()

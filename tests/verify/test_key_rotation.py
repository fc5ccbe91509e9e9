"""Keycloak rotates its signing key; the running work-order API follows without a restart.

The realm's keys are changed through the admin API the way an operator would: a new ``rsa-generated``
provider with a higher priority becomes the active signing key, the old one is made passive (still
published, so tokens it signed keep working until they expire) and is finally deleted.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from sso.verify import TokenVerifier
from sso.workorder_api.app import create_app
from tests.support.realms import TestRealm
from tests.verify.keycloak_tokens import sign_in

PASSWORD = "Rotate-pass-2026"
KEY_PROVIDER = "org.keycloak.keys.KeyProvider"
MAX_KEY_AGE = 1.5


def kid_of(token: str) -> str:
    header = token.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"])


def list_orders(api: TestClient, token: str) -> Any:
    return api.get("/api/workorders", headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def api(realm: TestRealm) -> Iterator[TestClient]:
    """One API process for the whole story: it is never restarted."""
    verifier = TokenVerifier(
        [realm.issuer], audience="workorder-api", min_refetch_interval=0.5, max_key_age=MAX_KEY_AGE
    )
    with TestClient(create_app(verifier)) as client:
        yield client
    verifier.close()


def test_a_rotated_key_is_followed_and_a_deleted_key_is_refused(realm: TestRealm, api: TestClient) -> None:
    admin = realm.admin()
    realm.create_user("e3001", PASSWORD)
    before = sign_in(realm, "e3001", PASSWORD)
    old_kid = kid_of(before.access_token)
    assert list_orders(api, before.access_token).status_code == 200

    old = next(c for c in admin.get_components({"type": KEY_PROVIDER}) if c["providerId"] == "rsa-generated")
    realm_id = admin.get_realm(realm.name)["id"]
    admin.create_component({
        "name": "rsa-rotated", "providerId": "rsa-generated", "providerType": KEY_PROVIDER, "parentId": realm_id,
        "config": {"priority": ["200"], "keySize": ["2048"], "active": ["true"], "enabled": ["true"]},
    })  # fmt: skip
    admin.update_component(old["id"], {**old, "config": {**old["config"], "active": ["false"]}})

    after = sign_in(realm, "e3001", PASSWORD)
    assert kid_of(after.access_token) != old_kid, "Keycloak should sign with the new key"
    # the new key is unknown to the running API: one refetch finds it
    assert list_orders(api, after.access_token).status_code == 200
    # the old key is passive but still published: its tokens keep working until they expire
    assert list_orders(api, before.access_token).status_code == 200

    admin.delete_component(old["id"])
    time.sleep(MAX_KEY_AGE + 0.2)  # the API's keys are now stale and get re-read on the next request
    refused = list_orders(api, before.access_token)
    assert refused.status_code == 401
    assert refused.json()["reason"] == "unknown_key"
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]
    assert list_orders(api, after.access_token).status_code == 200


def test_a_realm_switched_to_es256_is_followed_without_a_restart(realm: TestRealm, api: TestClient) -> None:
    """Keycloak can sign with ECDSA; the API accepts it from the allowlist and the new key from the JWKS."""
    admin = realm.admin()
    realm_id = admin.get_realm(realm.name)["id"]
    admin.create_component({
        "name": "ecdsa-p256", "providerId": "ecdsa-generated", "providerType": KEY_PROVIDER, "parentId": realm_id,
        "config": {"priority": ["300"], "ecdsaEllipticCurveKey": ["P-256"], "active": ["true"], "enabled": ["true"]},
    })  # fmt: skip
    admin.update_realm(realm.name, {"defaultSignatureAlgorithm": "ES256"})
    realm.create_user("e3002", PASSWORD)
    tokens = sign_in(realm, "e3002", PASSWORD)
    header = json.loads(base64.urlsafe_b64decode(tokens.access_token.split(".")[0] + "=="))
    assert header["alg"] == "ES256"
    time.sleep(0.6)  # past the API's refetch interval (0.5 s in this module)
    assert list_orders(api, tokens.access_token).status_code == 200

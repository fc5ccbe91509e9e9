"""The provisioner service account can manage users, and nothing more."""

from __future__ import annotations

import httpx
import pytest

from sso import catalog
from tests.support.realms import TestRealm


@pytest.fixture(scope="module")
def provisioner_token(realm: TestRealm) -> str:
    response = httpx.post(
        f"{realm.issuer}/protocol/openid-connect/token",
        data={"grant_type": "client_credentials"},
        auth=(catalog.PROVISIONER_CLIENT_ID, realm.settings.provisioner_client_secret),
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _admin_api(realm: TestRealm, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{realm.endpoint.base_url}/admin/realms/{realm.name}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_the_provisioner_can_create_a_user(realm: TestRealm, provisioner_token: str) -> None:
    with _admin_api(realm, provisioner_token) as api:
        created = api.post("/users", json={"username": "wy2001", "enabled": True})
        assert created.status_code == 201
        assert api.get("/users", params={"username": "wy2001", "exact": "true"}).json()[0]["username"] == "wy2001"


def test_the_provisioner_cannot_create_a_client(realm: TestRealm, provisioner_token: str) -> None:
    with _admin_api(realm, provisioner_token) as api:
        assert api.post("/clients", json={"clientId": "sneaky"}).status_code == 403


def test_the_provisioner_cannot_change_realm_settings(realm: TestRealm, provisioner_token: str) -> None:
    with _admin_api(realm, provisioner_token) as api:
        assert api.put("", json={"bruteForceProtected": False}).status_code == 403
        assert api.put("", json={"passwordPolicy": "length(1)"}).status_code == 403


def test_the_provisioner_cannot_make_itself_a_realm_admin(realm: TestRealm, provisioner_token: str) -> None:
    with _admin_api(realm, provisioner_token) as api:
        me = api.get("/users", params={"username": "service-account-provisioner", "exact": "true"}).json()[0]
        realm_management = realm.admin().get_client_id("realm-management")
        realm_admin = realm.admin().get_client_role(realm_management, "realm-admin")
        grant = api.post(f"/users/{me['id']}/role-mappings/clients/{realm_management}", json=[realm_admin])
        assert grant.status_code == 403

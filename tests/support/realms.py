"""Fresh tenant realms from the real template, one per test module, on the session's Keycloak."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from keycloak import KeycloakAdmin, KeycloakOpenIDConnection

from devstack.keycloak_server import KeycloakEndpoint
from provisioning.realm_import import create_from_template, master_admin
from provisioning.realm_template import RealmSettings


@dataclass(frozen=True)
class TestRealm:
    """A realm created for tests, with its settings (secrets included) and how to administer it."""

    __test__ = False  # not a pytest class

    endpoint: KeycloakEndpoint
    settings: RealmSettings

    @property
    def name(self) -> str:
        return self.settings.realm

    @property
    def issuer(self) -> str:
        return f"{self.endpoint.base_url}/realms/{self.name}"

    def admin(self) -> KeycloakAdmin:
        """A master-realm admin working on this realm (the realm is explicit, never a hidden default)."""
        connection = KeycloakOpenIDConnection(
            server_url=self.endpoint.base_url,
            username=self.endpoint.admin_username,
            password=self.endpoint.admin_password,
            realm_name=self.name,
            user_realm_name="master",
            client_id="admin-cli",
        )
        return KeycloakAdmin(connection=connection)

    def create_user(
        self,
        username: str,
        password: str | None = None,
        *,
        temporary: bool = False,
        realm_roles: tuple[str, ...] = ("staff",),
        groups: tuple[str, ...] = (),
        email: str | None = None,
        attributes: dict[str, Any] | None = None,
        first_name: str = "小明",
        last_name: str = "王",
    ) -> str:
        """Create a user directly (for tests of the realm itself; provisioning has its own tests)."""
        admin = self.admin()
        attrs: dict[str, Any] = {"employee_no": [username.upper()], "display_name": [last_name + first_name]}
        attrs.update(attributes or {})
        payload: dict[str, Any] = {
            "username": username,
            "enabled": True,
            "firstName": first_name,
            "lastName": last_name,
            "attributes": attrs,
        }
        if email:
            payload["email"] = email
            payload["emailVerified"] = True
        if password:
            payload["credentials"] = [{"type": "password", "value": password, "temporary": temporary}]
        user_id: str = admin.create_user(payload, exist_ok=False)
        for role in realm_roles:
            admin.assign_realm_roles(user_id, [admin.get_realm_role(role)])
        for path in groups:
            admin.group_user_add(user_id, admin.get_group_by_path(path)["id"])
        return user_id


def new_settings(**overrides: Any) -> RealmSettings:
    """Settings for a unique realm with fresh random secrets."""
    settings = RealmSettings.with_random_secrets(
        f"t-{uuid.uuid4().hex[:10]}",
        "测试物业 Test Property",
        # tests of other parts sign in without the SMS step; tests/extension binds the SMS flow itself
        browser_flow="wuye browser",
    )
    return replace(settings, **overrides)


def create_test_realm(endpoint: KeycloakEndpoint, **overrides: Any) -> TestRealm:
    settings = new_settings(**overrides)
    admin = master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password)
    create_from_template(admin, settings)
    return TestRealm(endpoint, settings)

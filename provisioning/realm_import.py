"""Create a tenant's realm in Keycloak from the rendered template, through the admin REST API."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakError

from provisioning.keycloak_gateway import Unavailable
from provisioning.realm_template import TEMPLATE_PATH, RealmSettings, RealmTemplateError, load_template, render

log = logging.getLogger(__name__)


def master_admin(base_url: str, username: str, password: str) -> KeycloakAdmin:
    """An admin client logged in to the master realm (needed to create realms)."""
    connection = KeycloakOpenIDConnection(
        server_url=base_url,
        username=username,
        password=password,
        realm_name="master",
        user_realm_name="master",
        client_id="admin-cli",
        verify=True,
    )
    return KeycloakAdmin(connection=connection)


def realm_exists(base_url: str, realm: str) -> bool:
    """Whether the realm exists: its OIDC discovery answers. No credentials, and one small request however many
    realms the server holds (listing them all grows with the tenants)."""
    try:
        response = httpx.get(f"{base_url.rstrip('/')}/realms/{realm}/.well-known/openid-configuration", timeout=30)
    except httpx.HTTPError as exc:
        raise Unavailable("GET", f"/realms/{realm}", 0, exc.__class__.__name__) from exc
    return response.status_code == 200


def ensure_realm(admin: KeycloakAdmin, settings: RealmSettings, template_path: Path = TEMPLATE_PATH) -> bool:
    """Create the realm from the template unless it exists; returns whether it was created."""
    if realm_exists(str(admin.connection.server_url), settings.realm):
        return False
    create_from_template(admin, settings, template_path)
    return True


def create_tenant(admin: KeycloakAdmin, realm: str, company_name: str, **given: str) -> RealmSettings:
    """A new tenant's realm with random client secrets (unless ``given``); returns its settings."""
    settings = RealmSettings.with_random_secrets(realm, company_name, **given)
    create_from_template(admin, settings)
    return settings


def create_from_template(admin: KeycloakAdmin, settings: RealmSettings, template_path: Path = TEMPLATE_PATH) -> None:
    """The one way a realm is made: the template, checked, rendered with ``settings``, created."""
    create_realm(admin, render(load_template(template_path), settings, template_path), template_path)


def create_realm(admin: KeycloakAdmin, rendered: dict[str, Any], template_path: Path | str = TEMPLATE_PATH) -> None:
    try:
        admin.create_realm(payload=rendered, skip_exists=False)
    except KeycloakError as exc:
        body = (
            exc.error_message.decode(errors="replace")
            if isinstance(exc.error_message, bytes)
            else str(exc.error_message)
        )
        raise RealmTemplateError(
            template_path,
            "$",
            f"Keycloak refused the realm {rendered.get('realm')!r} (HTTP {exc.response_code}): {body}",
        ) from exc
    log.info("created realm %s from %s", rendered.get("realm"), template_path)

"""Create a tenant's realm in Keycloak from the rendered template, through the admin REST API."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakError

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


def realm_exists(admin: KeycloakAdmin, realm: str) -> bool:
    return any(r["realm"] == realm for r in admin.get_realms())


def ensure_realm(admin: KeycloakAdmin, settings: RealmSettings, template_path: Path = TEMPLATE_PATH) -> bool:
    """Create the realm from the template unless it exists; returns whether it was created."""
    if realm_exists(admin, settings.realm):
        return False
    rendered = render(load_template(template_path), settings, template_path)
    create_realm(admin, rendered, template_path)
    return True


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

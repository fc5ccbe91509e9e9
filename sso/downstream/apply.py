"""Create or correct a downstream system's client in a realm (admin API); returns the client secret."""

from __future__ import annotations

import json
import logging

import requests
from keycloak import KeycloakAdmin

from sso import catalog
from sso.downstream.client import DEFAULT_SCOPES, client_representation
from sso.downstream.declaration import DownstreamSystem

log = logging.getLogger(__name__)


def apply_system(admin: KeycloakAdmin, system: DownstreamSystem) -> str:
    """Make the realm's client match the declaration (settings, mappers, scopes, permission scope mappings)."""
    wanted = client_representation(system)
    client_uuid = admin.get_client_id(system.client_id)
    if client_uuid is None:
        client_uuid = admin.create_client(wanted)
        log.info("downstream client %s created", system.client_id)
    else:
        settings = {k: v for k, v in wanted.items() if k not in ("protocolMappers", "defaultClientScopes",
                                                                 "optionalClientScopes")}  # fmt: skip
        admin.update_client(client_uuid, settings)
        _sync_mappers(admin, client_uuid, wanted["protocolMappers"])
        _sync_default_scopes(admin, client_uuid)
        log.info("downstream client %s updated", system.client_id)
    _sync_permissions(admin, client_uuid, system.permissions)
    return str(admin.get_client_secrets(client_uuid)["value"])


def _sync_mappers(admin: KeycloakAdmin, client_uuid: str, wanted: list[dict[str, object]]) -> None:
    for mapper in admin.get_mappers_from_client(client_uuid):
        admin.remove_client_mapper(client_uuid, mapper["id"])
    for mapper in wanted:
        admin.add_mapper_to_client(client_uuid, mapper)


def _sync_default_scopes(admin: KeycloakAdmin, client_uuid: str) -> None:
    scopes = {s["name"]: s["id"] for s in admin.get_client_scopes()}
    current = {s["name"]: s["id"] for s in admin.get_client_default_client_scopes(client_uuid)}
    for name, scope_id in current.items():
        if name not in DEFAULT_SCOPES:
            admin.delete_client_default_client_scope(client_uuid, scope_id)
    for name in DEFAULT_SCOPES:
        if name not in current:
            admin.add_client_default_client_scope(client_uuid, scopes[name], {})
    for scope in admin.get_client_optional_client_scopes(client_uuid):
        admin.delete_client_optional_client_scope(client_uuid, scope["id"])


def _sync_permissions(admin: KeycloakAdmin, client_uuid: str, permissions: frozenset[str]) -> None:
    """Full scope is off: the client sees exactly the workbench permissions in its scope mappings."""
    workbench = admin.get_client_id(catalog.WORKBENCH_CLIENT_ID)
    path = f"admin/realms/{admin.connection.realm_name}/clients/{client_uuid}/scope-mappings/clients/{workbench}"
    current = {r["name"]: r for r in admin.connection.raw_get(path).json()}
    extra = [role for name, role in current.items() if name not in permissions]
    missing = [admin.get_client_role(str(workbench), name) for name in sorted(permissions - set(current))]
    if extra:
        _check(admin.connection.raw_delete(path, data=json.dumps(extra)), path)
    if missing:
        _check(admin.connection.raw_post(path, data=json.dumps(missing)), path)


def _check(response: requests.Response, path: str) -> None:
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"Keycloak answered {response.status_code} to {path}: {response.text[:300]}")

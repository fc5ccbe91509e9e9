"""A downstream system as IT declares it (YAML): client id, redirect URIs, and what it may see of a person."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sso import catalog

_CLIENT_ID = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
#: Clients of the realm template: a downstream declaration may not take them over.
RESERVED_CLIENT_IDS = frozenset(
    {catalog.WORKBENCH_CLIENT_ID, catalog.OWNER_APP_CLIENT_ID, catalog.WORKORDER_API_CLIENT_ID,
     catalog.PROVISIONER_CLIENT_ID, "account", "account-console", "admin-cli", "broker", "realm-management",
     "security-admin-console"}
)  # fmt: skip


class DeclarationError(ValueError):
    """A declaration that cannot be applied; the message names the file and the field."""


@dataclass(frozen=True)
class DownstreamSystem:
    client_id: str
    name: str
    redirect_uris: tuple[str, ...]
    #: Workbench permissions (client roles of staff-workbench) the system may see; the token carries no others.
    permissions: frozenset[str] = frozenset()
    #: The ``groups`` claim (full paths, for ``--allowed-group``): all groups (True), none (False), or only those at
    #: or under the listed paths (``("/departments",)``: departments, not sites).
    groups: bool | tuple[str, ...] = True
    #: Keycloak's lightweight access token (basics + permissions only): keeps oauth2-proxy's cookie session under
    #: 4 KB; Keycloak then refuses the token at the userinfo endpoint, so RPs that call userinfo say ``false``.
    lightweight_access_token: bool = True


def load_systems(path: Path) -> list[DownstreamSystem]:
    """Read ``systems:`` from a YAML file; every problem raises with ``file: $.systems[i].field: why``."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DeclarationError(f"{path}: cannot read ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("systems"), list):
        raise DeclarationError(f"{path}: $.systems: a list of systems is required")
    systems = [parse_system(item, f"{path}: $.systems[{i}]") for i, item in enumerate(document["systems"])]
    seen: set[str] = set()
    for i, system in enumerate(systems):
        if system.client_id in seen:
            raise DeclarationError(f"{path}: $.systems[{i}].client_id: {system.client_id!r} is declared twice")
        seen.add(system.client_id)
    return systems


def parse_system(item: Any, where: str) -> DownstreamSystem:
    if not isinstance(item, dict):
        raise DeclarationError(f"{where}: a mapping is required")
    unknown = set(item) - {"client_id", "name", "redirect_uris", "permissions", "groups", "lightweight_access_token"}
    if unknown:
        raise DeclarationError(f"{where}.{sorted(unknown)[0]}: unknown field")
    client_id = item.get("client_id")
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        raise DeclarationError(f"{where}.client_id: lower-case letters, digits and '-', starting with a letter")
    if client_id in RESERVED_CLIENT_IDS:
        raise DeclarationError(f"{where}.client_id: {client_id!r} is a client of the realm itself")
    name = item.get("name", client_id)
    if not isinstance(name, str) or not name.strip():
        raise DeclarationError(f"{where}.name: a non-empty string is required")
    uris = item.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        raise DeclarationError(f"{where}.redirect_uris: a non-empty list of URLs is required")
    for j, uri in enumerate(uris):
        if not re.match(r"^https?://[^/*]+/\S*$", uri) or "*" in uri:
            raise DeclarationError(f"{where}.redirect_uris[{j}]: an exact http(s) URL without wildcards is required")
    permissions = item.get("permissions", [])
    if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
        raise DeclarationError(f"{where}.permissions: a list of permission ids is required")
    for j, permission in enumerate(permissions):
        if permission not in catalog.PERMISSIONS:
            known = ", ".join(sorted(catalog.PERMISSIONS))
            raise DeclarationError(f"{where}.permissions[{j}]: unknown permission {permission!r} (known: {known})")
    lightweight = item.get("lightweight_access_token", True)
    if not isinstance(lightweight, bool):
        raise DeclarationError(f"{where}.lightweight_access_token: true or false")
    return DownstreamSystem(client_id, name.strip(), tuple(uris), frozenset(permissions),
                            _groups(item.get("groups", True), f"{where}.groups"), lightweight)  # fmt: skip


def _groups(value: Any, where: str) -> bool | tuple[str, ...]:
    if isinstance(value, bool):
        return value
    if not isinstance(value, list) or not value:
        raise DeclarationError(f"{where}: true, false or a list of group paths such as /departments")
    for j, path in enumerate(value):
        if not isinstance(path, str) or not re.match(r"^(/[^/,\s]+)+$", path):
            raise DeclarationError(f"{where}[{j}]: a full group path such as /departments or /sites/songyuan")
    return tuple(value)

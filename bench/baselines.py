"""The ways ``bench_provision`` is measured against: the naive python-keycloak loop, and an admin's drift by hand
(what the re-plan must notice)."""

from __future__ import annotations

import time
from typing import Any

from keycloak import KeycloakAdmin

from devstack.keycloak_server import KeycloakEndpoint
from provisioning.desired import DesiredState
from provisioning.realm_import import master_admin
from sso import catalog


def realm_admin(endpoint: KeycloakEndpoint, realm: str) -> KeycloakAdmin:
    """python-keycloak's admin client, signed in to master, acting on ``realm``."""
    admin = master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password)
    admin.change_current_realm(realm)
    return admin


def naive_sync(endpoint: KeycloakEndpoint, realm: str, desired: DesiredState, sample: int) -> tuple[float, int]:
    """The obvious loop with python-keycloak: create the user, then one call for the role, one per group."""
    admin = realm_admin(endpoint, realm)
    roles = {r: admin.get_realm_role(r) for r in catalog.RANKS}
    groups = {f"/departments/{d}": admin.get_group_by_path(f"/departments/{d}")["id"] for d in catalog.DEPARTMENTS}
    users = list(desired.users.values())[:sample]
    requests = 0
    started = time.perf_counter()
    for user in users:
        user_id = admin.create_user(
            {
                "username": user.username,
                "enabled": True,
                "firstName": user.first_name,
                "lastName": user.last_name,
                "email": user.email,
                "attributes": {k: [v] for k, v in user.attributes.items()},
            },
            exist_ok=False,
        )
        admin.assign_realm_roles(user_id, [roles[user.rank]])
        requests += 2
        for path in sorted(user.groups):
            if path in groups:
                admin.group_user_add(user_id, groups[path])
                requests += 1
    return time.perf_counter() - started, requests


def drift_by_hand(endpoint: KeycloakEndpoint, realm: str, desired: DesiredState, leaver: str) -> None:
    """What an admin might do in the console: edit a mobile and a name, add a role and a group, re-enable a leaver."""
    admin = realm_admin(endpoint, realm)
    names = [u for u, d in desired.users.items() if d.rank == "staff" and "/departments/finance" not in d.groups][:4]

    def user_id(username: str) -> str:
        found = admin.get_user_id(username)
        assert found is not None, username
        return found

    def user(username: str) -> dict[str, Any]:
        return dict(admin.get_user(user_id(username)))

    first = user(names[0])
    first["attributes"][catalog.PHONE_ATTRIBUTE] = ["+8613999990000"]
    admin.update_user(first["id"], first)
    second = user(names[1])
    second["lastName"] = "改名"
    admin.update_user(second["id"], second)
    admin.assign_realm_roles(user_id(names[2]), [admin.get_realm_role("admin")])
    admin.group_user_add(user_id(names[3]), admin.get_group_by_path("/departments/finance")["id"])
    rehired = user(leaver)
    rehired["enabled"] = True
    admin.update_user(rehired["id"], rehired)

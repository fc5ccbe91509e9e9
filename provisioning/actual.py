"""The realm as provisioning sees it: managed accounts, their managed roles and groups, and sites."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from provisioning.keycloak_types import RoleRep
from provisioning.marker import Marker


class MissingGroup(Exception):
    """The realm lacks a parent group provisioning needs (``/departments``, ``/sites``): made by hand, or the
    group deleted. A run-time condition of the realm, told to the operator, not a bug."""

    def __init__(self, realm: str, parent: str) -> None:
        super().__init__(
            f"realm {realm} has no /{parent} group: was it created from the realm template? "
            f"Create /{parent} (see realm-export/realm-template.json) and apply again"
        )


@dataclass
class ActualUser:
    id: str
    username: str
    enabled: bool
    first_name: str
    last_name: str
    email: str | None
    #: attributes provisioning owns; ``None`` when not read (the account is not in the roster, so they don't matter)
    attributes: dict[str, str] | None
    realm_roles: set[str] = field(default_factory=set)  # managed roles held directly
    groups: set[str] = field(default_factory=set)  # managed group paths
    #: whether ``realm_roles`` and ``groups`` were read (not read for leavers when only events were checked)
    memberships_known: bool = True
    email_verified: bool = False

    def as_json(self, detailed: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "username": self.username,
            "enabled": self.enabled,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "email_verified": self.email_verified,
        }
        if detailed:
            body |= {
                "attributes": self.attributes,
                "realm_roles": sorted(self.realm_roles),
                "groups": sorted(self.groups),
            }
        return body


@dataclass(frozen=True)
class Holder:
    """An account that holds a username, e-mail or mobile a joiner (or a renamed account) wants."""

    id: str
    username: str
    email: str | None
    enabled: bool
    managed: bool
    phone: str | None = None

    def describe(self) -> str:
        return f"{'managed' if self.managed else 'unmanaged'} account, {'enabled' if self.enabled else 'disabled'}"


@dataclass
class ActualState:
    realm: str
    users: dict[str, ActualUser]  # username → managed account
    group_ids: dict[str, str]  # managed group path → id (departments and sites)
    site_names: dict[str, str]  # site code → name_zh
    roles: dict[str, RoleRep]  # managed realm role name → representation
    marker: Marker
    read_mode: str  # "incremental" (snapshot + events) or "full"
    read_reason: str
    attributes_read: int  # accounts whose full representation was fetched
    roster: frozenset[str]  # usernames the roster names (their details were read or known)
    accounts_read: list[str] = field(default_factory=list)  # whose details were read (changed since the snapshot)
    #: every other account that holds a wanted username, e-mail or mobile (read only when joiners or renames are due)
    holders: list[Holder] = field(default_factory=list)

    def fingerprint(self) -> str:
        """A digest of everything a plan depends on: a saved plan applies only while it is unchanged.

        Details (attributes, roles, groups) count for roster entries only: for other accounts a plan
        depends on ``enabled`` alone, and whether their details were read depends on the read mode.
        """
        body = {
            "users": [self.users[u].as_json(detailed=u in self.roster) for u in sorted(self.users)],
            "groups": sorted(self.group_ids),
            "sites": sorted(self.site_names.items()),
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

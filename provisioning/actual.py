"""The realm as provisioning sees it: managed accounts, their managed roles and groups, and sites."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from provisioning.marker import Marker


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

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "username": self.username, "enabled": self.enabled, "first_name": self.first_name,
            "last_name": self.last_name, "email": self.email, "attributes": self.attributes,
            "realm_roles": sorted(self.realm_roles), "groups": sorted(self.groups),
        }


@dataclass
class ActualState:
    realm: str
    users: dict[str, ActualUser]  # username → managed account
    group_ids: dict[str, str]  # managed group path → id (departments and sites)
    site_names: dict[str, str]  # site code → name_zh
    roles: dict[str, dict[str, Any]]  # managed realm role name → representation
    marker: Marker
    read_mode: str  # "incremental" (snapshot + events) or "full"
    read_reason: str
    attributes_read: int  # accounts whose full representation was fetched
    read_started_ms: int

    def fingerprint(self) -> str:
        """A digest of everything a plan depends on: a saved plan applies only while it is unchanged."""
        body = {
            "users": [self.users[u].as_json() for u in sorted(self.users)],
            "groups": sorted(self.group_ids),
            "sites": sorted(self.site_names.items()),
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

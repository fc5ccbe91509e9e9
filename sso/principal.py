"""Who is signed in: the typed principal that the workbench and downstream services reason about.

Built from token claims only (no Keycloak call), so the workbench (from its ID/access token) and a
downstream API (from a verified access token) see the same person the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sso import catalog


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant: str
    employee_no: str
    name: str
    ranks: frozenset[str]
    permissions: frozenset[str]
    departments: frozenset[str]
    sites: frozenset[str]
    realm_roles: frozenset[str]
    expires_at: datetime | None = None

    @property
    def rank(self) -> str | None:
        """The highest rank held (a manager's token also lists ``supervisor`` and ``staff``)."""
        held = [catalog.RANKS[r] for r in self.ranks if r in catalog.RANKS]
        return max(held, key=lambda r: r.level).id if held else None

    @property
    def is_staff(self) -> bool:
        """Holds a staff rank: owners (业主) and rank-less accounts are not staff."""
        return self.rank is not None

    def has(self, permission: str) -> bool:
        return permission in self.permissions


def tenant_from_issuer(issuer: str) -> str:
    """``https://sso.example.com/realms/lvcheng`` → ``lvcheng``."""
    marker = "/realms/"
    if marker not in issuer:
        raise ValueError(f"not a Keycloak realm issuer: {issuer!r}")
    return issuer.rstrip("/").rsplit(marker, 1)[1]


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Read the claims our realm template's mappers put into ``staff-workbench`` tokens."""
    realm_roles = frozenset(_strings(claims.get("realm_access", {}).get("roles")))
    groups = _strings(claims.get("groups"))
    departments = _children(groups, catalog.DEPARTMENTS_GROUP)
    sites = _children(groups, catalog.SITES_GROUP)
    permissions = frozenset(_strings(claims.get("permissions")))
    if not permissions:
        workbench = claims.get("resource_access", {}).get(catalog.WORKBENCH_CLIENT_ID, {})
        permissions = frozenset(_strings(workbench.get("roles")))
    exp = claims.get("exp")
    return Principal(
        subject=str(claims.get("sub", "")),
        tenant=tenant_from_issuer(str(claims.get("iss", ""))),
        employee_no=str(claims.get("employee_no") or claims.get("preferred_username") or ""),
        name=str(claims.get("display_name") or claims.get("name") or claims.get("preferred_username") or ""),
        ranks=frozenset(r for r in realm_roles if r in catalog.RANKS),
        permissions=permissions,
        departments=departments,
        sites=sites,
        realm_roles=realm_roles,
        expires_at=datetime.fromtimestamp(int(exp), UTC) if isinstance(exp, int | float) else None,
    )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _children(group_paths: list[str], parent: str) -> frozenset[str]:
    prefix = f"/{parent}/"
    return frozenset(p[len(prefix) :].split("/", 1)[0] for p in group_paths if p.startswith(prefix))

"""Who is signed in: the typed principal that the workbench and downstream services reason about.

Built from token claims only (no Keycloak call), so the workbench (from its ID/access token) and a
downstream API (from a verified access token) see the same person the same way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sso import catalog


class FrozenNames(Mapping[str, str]):
    """An immutable, hashable ``str → str`` mapping (so a frozen ``Principal`` stays hashable)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items: tuple[tuple[str, str], ...] = tuple(sorted((items or {}).items()))

    def __getitem__(self, key: str) -> str:
        for k, v in self._items:
            if k == key:
                return v
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other.items())

    def __repr__(self) -> str:
        return f"FrozenNames({dict(self._items)!r})"


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
    #: site code → display name (claim ``site_names``, from the sites' ``name_zh``), e.g. ``{"songyuan": "松园"}``
    site_names: Mapping[str, str] = field(default_factory=FrozenNames)

    def __post_init__(self) -> None:
        if not isinstance(self.site_names, FrozenNames):
            object.__setattr__(self, "site_names", FrozenNames(self.site_names))

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

    def site_label(self, code: str) -> str:
        """The site's name (松园) when the token names it, else the code itself."""
        return self.site_names.get(code) or code


#: A Keycloak realm's issuer: ``http(s)://host[:port][/prefix]/realms/<name>``, nothing after the name.
_REALM_ISSUER = re.compile(r"https?://[^/?#\s]+(?:/[^?#\s]*)?/realms/([^/?#\s]+)")


@functools.lru_cache(maxsize=64)
def tenant_from_issuer(issuer: str) -> str:
    """``https://sso.example.com/realms/lvcheng`` → ``lvcheng``; ``ValueError`` for anything not a realm URL."""
    match = _REALM_ISSUER.fullmatch(issuer)
    if match is None:
        raise ValueError(f"not a Keycloak realm issuer (…/realms/<name>): {issuer!r}")
    return match.group(1)


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Read the claims our realm template's mappers put into ``staff-workbench`` tokens."""
    realm_access = claims.get("realm_access")
    realm_roles = frozenset(_strings(realm_access.get("roles") if isinstance(realm_access, dict) else None))
    groups = _strings(claims.get("groups"))
    departments = _children(groups, _DEPARTMENT_PREFIX)
    sites = _children(groups, _SITE_PREFIX)
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
        ranks=realm_roles & _RANK_IDS,
        permissions=permissions,
        departments=departments,
        sites=sites,
        realm_roles=realm_roles,
        expires_at=datetime.fromtimestamp(int(exp), UTC) if isinstance(exp, int | float) else None,
        site_names=_site_names(claims.get("site_names")),
    )


def _site_names(value: Any) -> FrozenNames:
    """Claim ``site_names`` (a JSON object code → name); anything else, or non-string entries, are ignored."""
    if not isinstance(value, dict):  # a JSON object; cheaper than the Mapping ABC on every token
        return FrozenNames()
    return FrozenNames(
        {k: v.strip() for k, v in value.items() if isinstance(k, str) and isinstance(v, str) and v.strip()}
    )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _children(group_paths: list[str], prefix: str) -> frozenset[str]:
    start = len(prefix)
    return frozenset([p[start:].split("/", 1)[0] for p in group_paths if p.startswith(prefix)])


_RANK_IDS = frozenset(catalog.RANKS)
_DEPARTMENT_PREFIX = f"/{catalog.DEPARTMENTS_GROUP}/"
_SITE_PREFIX = f"/{catalog.SITES_GROUP}/"

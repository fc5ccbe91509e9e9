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
    """Read the claims our realm template's mappers put into ``staff-workbench`` tokens.

    Runs once per verified token (``sso.verify``), so it is written for speed: one pass over the groups,
    exact-type tests for JSON values instead of ABC checks.
    """
    get = claims.get
    realm_access = get("realm_access")
    realm_roles = _string_set(realm_access.get("roles")) if type(realm_access) is dict else _NOTHING
    departments, sites = _places(get("groups"))
    permissions = _string_set(get("permissions"))
    if not permissions:
        resource_access = get("resource_access")
        workbench = resource_access.get(catalog.WORKBENCH_CLIENT_ID) if type(resource_access) is dict else None
        permissions = _string_set(workbench.get("roles")) if type(workbench) is dict else _NOTHING
    exp = get("exp")
    return _fast_principal(
        subject=str(get("sub", "")),
        tenant=tenant_from_issuer(str(get("iss", ""))),
        employee_no=str(get("employee_no") or get("preferred_username") or ""),
        name=str(get("display_name") or get("name") or get("preferred_username") or ""),
        ranks=realm_roles & _RANK_IDS,
        permissions=permissions,
        departments=departments,
        sites=sites,
        realm_roles=realm_roles,
        expires_at=datetime.fromtimestamp(int(exp), UTC) if isinstance(exp, int | float) else None,
        site_names=_site_names(get("site_names")),
    )


def _site_names(value: Any) -> FrozenNames:
    """Claim ``site_names`` (a JSON object code → name); anything else, or non-string entries, are ignored."""
    if type(value) is not dict or not value:  # a JSON object; cheaper than the Mapping ABC on every token
        return _NO_NAMES
    return FrozenNames(
        {k: v.strip() for k, v in value.items() if isinstance(k, str) and isinstance(v, str) and v.strip()}
    )


def _string_set(value: Any) -> frozenset[str]:
    """A claim holding one string or an array of them, as a set of strings (other values: their text)."""
    if type(value) is list or type(value) is tuple:
        return frozenset(map(str, value))
    if isinstance(value, str):
        return frozenset((value,))
    return _NOTHING


def _places(group_paths: Any) -> tuple[frozenset[str], frozenset[str]]:
    """Departments and sites from group paths (``/departments/finance``, ``/sites/lvyuan/...``), in one pass."""
    if isinstance(group_paths, str):
        group_paths = [group_paths]
    elif type(group_paths) is not list:
        return _NOTHING, _NOTHING
    departments: list[str] = []
    sites: list[str] = []
    for path in map(str, group_paths):
        if path.startswith(_DEPARTMENT_PREFIX):
            departments.append(path[len(_DEPARTMENT_PREFIX) :].split("/", 1)[0])
        elif path.startswith(_SITE_PREFIX):
            sites.append(path[len(_SITE_PREFIX) :].split("/", 1)[0])
    return frozenset(departments), frozenset(sites)


_NOTHING: frozenset[str] = frozenset()
_NO_NAMES = FrozenNames()


def _fast_principal(**fields: Any) -> Principal:
    """``Principal(**fields)`` for fields already of the right types, without the frozen dataclass's per-field
    ``object.__setattr__`` (a third of the cost of reading a token's principal)."""
    principal = object.__new__(Principal)
    principal.__dict__.update(fields)
    return principal


_RANK_IDS = frozenset(catalog.RANKS)
_DEPARTMENT_PREFIX = f"/{catalog.DEPARTMENTS_GROUP}/"
_SITE_PREFIX = f"/{catalog.SITES_GROUP}/"

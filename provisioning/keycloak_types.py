"""The shapes of what Keycloak's admin API returns, as far as provisioning reads them (``TypedDict``s: the
JSON stays a dict at run time, the checker knows its keys). Everything past the gateway speaks these."""

from __future__ import annotations

from typing import TypedDict

#: Keycloak's multi-valued attribute map (user and group attributes).
Attributes = dict[str, list[str]]


class UserRep(TypedDict, total=False):
    """``UserRepresentation``: a listing (brief) has no attributes; ``GET /users/{id}`` has them."""

    id: str
    username: str
    enabled: bool
    firstName: str
    lastName: str
    email: str
    emailVerified: bool
    attributes: Attributes
    requiredActions: list[str]
    createdTimestamp: int


class NewUserRep(UserRep, total=False):
    """What a create request (``POST /users``, ``partialImport``) sends besides a user's fields."""

    realmRoles: list[str]
    groups: list[str]
    credentials: list[dict[str, str | bool]]


class RoleRep(TypedDict, total=False):
    id: str
    name: str
    description: str
    composite: bool
    clientRole: bool
    containerId: str


class GroupRep(TypedDict, total=False):
    id: str
    name: str
    path: str
    attributes: Attributes
    subGroupCount: int


class ImportResult(TypedDict, total=False):
    """One entry of ``partialImport``'s ``results``."""

    action: str  # ADDED | SKIPPED | OVERWRITTEN
    resourceType: str  # USER | GROUP | REALM_ROLE | …
    resourceName: str
    id: str


class AuthDetails(TypedDict, total=False):
    userId: str  # who made the change (the apply's own account, or someone else)


class AdminEvent(TypedDict, total=False):
    time: int
    operationType: str  # CREATE | UPDATE | DELETE | ACTION
    resourceType: str  # USER | GROUP | REALM_ROLE_MAPPING | …
    resourcePath: str
    representation: str
    authDetails: AuthDetails


class UserEvent(TypedDict, total=False):
    time: int
    type: str
    userId: str


class SessionRep(TypedDict, total=False):
    id: str
    userId: str


class EventsConfig(TypedDict, total=False):
    eventsEnabled: bool
    adminEventsEnabled: bool
    enabledEventTypes: list[str]

"""A small typed gateway over Keycloak's admin REST API for one realm, with errors named by meaning.

Why not python-keycloak's ``KeycloakAdmin`` here: provisioning needs the bulk forms of the API
(one-page brief listings, ``partialImport`` with SKIP, admin events paged newest first), calls made
concurrently by its callers (``concurrent.py``), and an exact count of requests and writes (the benchmark and the
"no writes on a no-op" test read it). python-keycloak is still used where a call is one-off (realm
creation in ``realm_import``, the naive baseline in ``bench/``). The realm is fixed per gateway and
every path is relative to ``/admin/realms/{realm}``: there is no hidden "current realm".
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Self, cast
from urllib.parse import quote

import httpx

from provisioning.keycloak_types import (
    AdminEvent,
    Attributes,
    EventsConfig,
    GroupRep,
    ImportResult,
    NewUserRep,
    RoleRep,
    SessionRep,
    UserEvent,
    UserRep,
)

#: One page for bulk listings: offset paging re-scans in Keycloak, so read in as few pages as possible.
BULK_PAGE = 100_000


class GatewayError(Exception):
    """Keycloak refused or failed a call; the message names the call, never a secret."""

    def __init__(self, method: str, path: str, status: int, detail: str) -> None:
        self.method, self.path, self.status, self.detail = method, path, status, detail
        super().__init__(f"{method} {path}: HTTP {status} {detail}".strip())


class NotFound(GatewayError):
    pass


class Conflict(GatewayError):
    pass


class Forbidden(GatewayError):
    pass


class Unauthorized(GatewayError):
    pass


class Unavailable(GatewayError):
    """Keycloak did not answer (down, timeout) or answered 5xx."""


_ERRORS: dict[int, type[GatewayError]] = {401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict}


@dataclass(frozen=True)
class Credentials:
    """Either the realm's ``provisioner`` service account or the master admin (needed to create realms)."""

    kind: str  # "client" | "admin"
    client_id: str = ""
    client_secret: str = ""
    username: str = ""
    password: str = ""

    def __repr__(self) -> str:  # never print secrets
        who = self.client_id if self.kind == "client" else self.username
        return f"Credentials(kind={self.kind!r}, who={who!r})"

    @property
    def operator(self) -> str:
        return f"client:{self.client_id}" if self.kind == "client" else f"admin:{self.username}"


class TokenSource:
    """Access tokens for the gateway, refreshed before they expire; one refresh at a time across threads."""

    def __init__(self, http: httpx.Client, base_url: str, realm: str, credentials: Credentials) -> None:
        self._http, self._base, self._realm, self._credentials = http, base_url, realm, credentials
        self._lock = threading.Lock()
        self._token = ""
        self._expires = 0.0
        self.subject = ""

    def token(self) -> str:
        with self._lock:
            if time.monotonic() < self._expires - 15:
                return self._token
            c = self._credentials
            if c.kind == "client":
                url = f"{self._base}/realms/{self._realm}/protocol/openid-connect/token"
                form = {"grant_type": "client_credentials", "client_id": c.client_id, "client_secret": c.client_secret}
            else:
                url = f"{self._base}/realms/master/protocol/openid-connect/token"
                form = {
                    "grant_type": "password",
                    "client_id": "admin-cli",
                    "username": c.username,
                    "password": c.password,
                }
            try:
                response = self._http.post(url, data=form)
            except httpx.HTTPError as exc:
                raise Unavailable("POST", url, 0, f"Keycloak does not answer: {exc.__class__.__name__}") from exc
            if response.status_code != 200:
                raise Unauthorized("POST", url, response.status_code, f"cannot sign in as {c.operator}")
            body = response.json()
            self._token = str(body["access_token"])
            self._expires = time.monotonic() + float(body.get("expires_in", 60))
            self.subject = str(_jwt_claims(self._token).get("sub", ""))
            return self._token

    def invalidate(self) -> None:
        with self._lock:
            self._expires = 0.0


def _jwt_claims(token: str) -> dict[str, Any]:
    """Read (not verify) our own access token's payload: only to learn our user id for event filtering."""
    try:
        payload = token.split(".")[1]
        claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return claims
    except (IndexError, ValueError):
        return {}


class KeycloakGateway:
    """Admin API of one realm. ``requests``/``writes`` count every call (tests and benchmarks read them)."""

    def __init__(
        self, base_url: str, realm: str, credentials: Credentials, concurrency: int = 4, timeout: float = 120.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.realm = realm
        self.credentials = credentials
        self.concurrency = concurrency
        # room for the appliers' creates in flight, whatever the readers use
        self._http = httpx.Client(timeout=timeout, limits=httpx.Limits(max_connections=max(concurrency * 2 + 2, 32)))
        self._tokens = TokenSource(self._http, self.base_url, realm, credentials)
        self._count_lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    # -- plumbing ------------------------------------------------------------------------------------
    @property
    def requests(self) -> int:
        return sum(self.counts.values())

    @property
    def writes(self) -> int:
        return sum(n for method, n in self.counts.items() if method != "GET")

    @property
    def subject(self) -> str:
        """Our own user id (the service account's, or the master admin's): admin events name it.

        Keycloak 26 gives admin-cli lightweight access tokens without ``sub``; then the master admin's id
        is looked up once by username.
        """
        self._tokens.token()
        if not self._tokens.subject and self.credentials.kind == "admin":
            url = f"{self.base_url}/admin/realms/master/users"
            with self._count_lock:
                self.counts["GET"] += 1
            response = self._http.get(
                url,
                params={"username": self.credentials.username, "exact": "true", "briefRepresentation": "true"},
                headers={"Authorization": f"Bearer {self._tokens.token()}"},
            )
            found = response.json() if response.status_code == 200 else []
            self._tokens.subject = str(found[0]["id"]) if found else ""
        return self._tokens.subject

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | list[tuple[str, Any]] | None = None,
        body: Any = None,
        ok: tuple[int, ...] = (200, 201, 204),
    ) -> httpx.Response:
        url = f"{self.base_url}/admin/realms/{quote(self.realm)}{path}"
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._tokens.token()}"}
            with self._count_lock:
                self.counts[method] += 1
            try:
                response = self._http.request(method, url, params=params, json=body, headers=headers)
            except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
                # a kept-alive connection Keycloak dropped: sent once more on a fresh one (a create that did
                # reach Keycloak then answers 409, which the joiner applier takes as its own account)
                if attempt == 1:
                    continue
                raise Unavailable(method, path, 0, f"Keycloak does not answer: {exc.__class__.__name__}") from exc
            except httpx.HTTPError as exc:
                raise Unavailable(method, path, 0, f"Keycloak does not answer: {exc.__class__.__name__}") from exc
            if response.status_code == 401 and attempt == 1:
                self._tokens.invalidate()
                continue
            if response.status_code in ok:
                return response
            detail = _detail(response)
            if response.status_code >= 500:
                raise Unavailable(method, path, response.status_code, detail)
            raise _ERRORS.get(response.status_code, GatewayError)(method, path, response.status_code, detail)
        raise AssertionError("unreachable")

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, params=params or None).json()

    # -- realm ---------------------------------------------------------------------------------------
    def events_config(self) -> EventsConfig:
        return cast(EventsConfig, self.get("/events/config"))

    # -- users ---------------------------------------------------------------------------------------
    def search_users(
        self, query: str | None = None, brief: bool = True, first: int = 0, max_results: int = BULK_PAGE
    ) -> list[UserRep]:
        params: dict[str, Any] = {"briefRepresentation": str(brief).lower(), "first": first, "max": max_results}
        if query:
            params["q"] = query
        return cast(list[UserRep], self.get("/users", **params))

    def get_user(self, user_id: str) -> UserRep:
        return cast(UserRep, self.get(f"/users/{user_id}"))

    def create_user(self, representation: NewUserRep) -> str:
        response = self.call("POST", "/users", body=representation, ok=(201,))
        return response.headers["location"].rstrip("/").rsplit("/", 1)[1]

    def update_user(self, user_id: str, representation: UserRep) -> None:
        self.call("PUT", f"/users/{user_id}", body=representation)

    def user_sessions(self, user_id: str) -> list[SessionRep]:
        """The account's live (online) sessions."""
        return cast(list[SessionRep], self.get(f"/users/{user_id}/sessions"))

    def logout_user(self, user_id: str) -> None:
        self.call("POST", f"/users/{user_id}/logout")

    def execute_actions_email(self, user_id: str, actions: list[str], lifespan_s: int = 7 * 24 * 3600) -> None:
        self.call("PUT", f"/users/{user_id}/execute-actions-email", params={"lifespan": lifespan_s}, body=actions)

    def partial_import_users(self, users: list[NewUserRep], if_exists: str = "SKIP") -> list[ImportResult]:
        """Create users in one transaction; ``SKIP`` leaves existing ones alone (never OVERWRITE)."""
        if if_exists not in ("SKIP", "FAIL"):
            raise ValueError("partialImport OVERWRITE deletes and re-creates users: never used")
        body = {"ifResourceExists": if_exists, "users": users}
        return cast(list[ImportResult], self.call("POST", "/partialImport", body=body).json().get("results", []))

    # -- roles ---------------------------------------------------------------------------------------
    def realm_role(self, name: str) -> RoleRep:
        return cast(RoleRep, self.get(f"/roles/{quote(name)}"))

    def role_members(self, name: str) -> list[UserRep]:
        return cast(list[UserRep], self._all_pages(f"/roles/{quote(name)}/users", briefRepresentation="true"))

    def user_realm_roles(self, user_id: str) -> list[RoleRep]:
        """Realm roles mapped to the user directly (not through composites or groups)."""
        return cast(list[RoleRep], self.get(f"/users/{user_id}/role-mappings/realm"))

    def add_realm_roles(self, user_id: str, roles: list[RoleRep]) -> None:
        self.call("POST", f"/users/{user_id}/role-mappings/realm", body=roles)

    def remove_realm_roles(self, user_id: str, roles: list[RoleRep]) -> None:
        self.call("DELETE", f"/users/{user_id}/role-mappings/realm", body=roles)

    # -- groups --------------------------------------------------------------------------------------
    def user_groups(self, user_id: str) -> list[GroupRep]:
        return cast(list[GroupRep], self.get(f"/users/{user_id}/groups", briefRepresentation="true", max=BULK_PAGE))

    def group_by_path(self, path: str) -> GroupRep | None:
        try:
            return cast(GroupRep, self.get(f"/group-by-path/{quote(path.lstrip('/'))}"))
        except NotFound:
            return None

    def group(self, group_id: str) -> GroupRep:
        return cast(GroupRep, self.get(f"/groups/{group_id}"))

    def group_children(self, group_id: str) -> list[GroupRep]:
        return cast(list[GroupRep], self._all_pages(f"/groups/{group_id}/children", briefRepresentation="false"))

    def group_members(self, group_id: str) -> list[UserRep]:
        return cast(list[UserRep], self._all_pages(f"/groups/{group_id}/members", briefRepresentation="true"))

    def create_group(self, name: str, attributes: Attributes, parent_id: str | None = None) -> str:
        path = f"/groups/{parent_id}/children" if parent_id else "/groups"
        response = self.call("POST", path, body={"name": name, "attributes": attributes}, ok=(201, 204))
        location = str(response.headers.get("location") or "")
        if location:
            return location.rstrip("/").rsplit("/", 1)[1]
        return str(response.json()["id"])

    def update_group(self, group_id: str, representation: GroupRep) -> None:
        self.call("PUT", f"/groups/{group_id}", body=representation)

    def delete_group(self, group_id: str) -> None:
        self.call("DELETE", f"/groups/{group_id}")

    def join_group(self, user_id: str, group_id: str) -> None:
        self.call("PUT", f"/users/{user_id}/groups/{group_id}")

    def leave_group(self, user_id: str, group_id: str) -> None:
        self.call("DELETE", f"/users/{user_id}/groups/{group_id}")

    # -- events --------------------------------------------------------------------------------------
    def admin_events_since(
        self, since_ms: int, resource_types: tuple[str, ...], until_ms: int | None = None, page: int = 1000
    ) -> Iterator[AdminEvent]:
        """Admin events in [since_ms, until_ms], newest first, reading pages only as far back as needed."""
        params: list[tuple[str, Any]] = [("resourceTypes", t) for t in resource_types]
        params += [("dateFrom", str(since_ms)), ("direction", "desc")]
        if until_ms is not None:
            params.append(("dateTo", str(until_ms)))
        for event in self._events_since("/admin-events", params, since_ms, until_ms, page):
            yield cast(AdminEvent, event)

    def user_events_since(self, since_ms: int, types: tuple[str, ...], page: int = 1000) -> Iterator[UserEvent]:
        params: list[tuple[str, Any]] = [("type", t) for t in types]
        params += [("dateFrom", str(since_ms)), ("direction", "desc")]
        for event in self._events_since("/events", params, since_ms, None, page):
            yield cast(UserEvent, event)

    def _events_since(
        self, path: str, params: list[tuple[str, Any]], since_ms: int, until_ms: int | None, page: int
    ) -> Iterator[dict[str, Any]]:
        first = 0
        while True:
            batch = self.call("GET", path, params=[*params, ("first", first), ("max", page)]).json()
            for event in batch:
                time_ms = int(event.get("time", 0))
                if time_ms < since_ms:
                    return
                if until_ms is None or time_ms <= until_ms:
                    yield event
            if len(batch) < page:
                return
            first += page

    def _all_pages(self, path: str, **params: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        first = 0
        while True:
            batch = self.get(path, **params, first=first, max=BULK_PAGE)
            found.extend(batch)
            if len(batch) < BULK_PAGE:
                return found
            first += BULK_PAGE


def _detail(response: httpx.Response) -> str:
    """Keycloak's error text, short; request bodies (which may hold passwords) are never echoed."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("errorMessage") or body.get("error_description") or body.get("error") or "")[:300]
    return ""

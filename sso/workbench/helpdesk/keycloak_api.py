"""The help desk's typed gateway to Keycloak's admin REST API, through the realm's own ``helpdesk`` service account.

The realm is fixed by the issuer the workbench serves: the token comes from that realm's client, and
the service account holds only that realm's ``realm-management`` roles, so one tenant's help desk
cannot read or change another tenant's people whatever id it is handed. Errors are named by meaning.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

JsonObject = dict[str, Any]


class AdminApiError(Exception):
    """Keycloak refused or failed a help-desk call; the message names the endpoint and the status."""


class NotFound(AdminApiError):
    pass


class Forbidden(AdminApiError):
    """The service account lacks the role (a realm template that grants too little)."""


class Unavailable(AdminApiError):
    pass


def attribute_update(user: JsonObject, changes: Mapping[str, str | None]) -> JsonObject:
    """The ``PUT /users/{id}`` body that changes only ``changes`` (``None``: remove) and keeps the rest of ``user``."""
    attributes = dict(user.get("attributes") or {})
    for key, value in changes.items():
        if value is None:
            attributes.pop(key, None)
        else:
            attributes[key] = [value]
    body = {k: user[k] for k in ("username", "email", "firstName", "lastName") if user.get(k) is not None}
    return {**body, "attributes": attributes}


class KeycloakAdminApi:
    def __init__(self, issuer: str, client_id: str, client_secret: str, http: httpx.AsyncClient) -> None:
        base, realm = issuer.rstrip("/").rsplit("/realms/", 1)
        self.realm = realm
        self._token_url = f"{issuer.rstrip('/')}/protocol/openid-connect/token"
        self._admin = f"{base}/admin/realms/{quote(realm, safe='')}"
        self._client = (client_id, client_secret)
        self._http = http
        self._token: tuple[str, float] | None = None
        self._token_lock = asyncio.Lock()

    async def _access_token(self) -> str:
        async with self._token_lock:
            if self._token and self._token[1] - time.time() > 30:
                return self._token[0]
            try:
                response = await self._http.post(
                    self._token_url, data={"grant_type": "client_credentials"}, auth=self._client
                )
            except httpx.HTTPError as exc:
                raise Unavailable(f"token endpoint unreachable: {type(exc).__name__}") from exc
            if response.status_code != 200:
                raise Forbidden(f"the helpdesk service account was refused a token (HTTP {response.status_code})")
            body = response.json()
            self._token = (str(body["access_token"]), time.time() + float(body.get("expires_in", 60)))
            return self._token[0]

    async def _call(self, method: str, path: str, params: dict[str, Any] | None = None, json: Any = None) -> Any:
        token = await self._access_token()
        try:
            response = await self._http.request(
                method, self._admin + path, params=params, json=json, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise Unavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code == 404:
            raise NotFound(f"{method} {path}: not found")
        if response.status_code in (401, 403):
            raise Forbidden(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 300:
            raise AdminApiError(f"{method} {path}: HTTP {response.status_code}")
        return response.json() if response.content else None

    async def brute_force_policy(self) -> JsonObject:
        """The realm's lockout settings (``failureFactor``, ``waitIncrementSeconds`` …): to say until when."""
        realm = dict(await self._call("GET", ""))
        keys = (
            "bruteForceProtected",
            "permanentLockout",
            "failureFactor",
            "waitIncrementSeconds",
            "maxFailureWaitSeconds",
            "minimumQuickLoginWaitSeconds",
            "maxDeltaTimeSeconds",
        )
        return {k: realm.get(k) for k in keys}

    # -- users ---------------------------------------------------------------------------------------
    async def find_users(self, max_results: int = 20, **params: str | bool) -> list[JsonObject]:
        query: dict[str, Any] = {"max": max_results, "briefRepresentation": "false"}
        query.update({k: (str(v).lower() if isinstance(v, bool) else v) for k, v in params.items()})
        return list(await self._call("GET", "/users", params=query))

    async def all_users(self, page: int = 5000, **params: str) -> list[JsonObject]:
        """Every user (brief representation), in large pages: a daily list, not a per-request lookup."""
        users: list[JsonObject] = []
        while True:
            batch = list(
                await self._call(
                    "GET", "/users", params={"first": len(users), "max": page, "briefRepresentation": "true", **params}
                )
            )
            users.extend(batch)
            if len(batch) < page:
                return users

    async def user(self, user_id: str) -> JsonObject:
        return dict(await self._call("GET", f"/users/{quote(user_id, safe='')}"))

    async def set_attributes(self, user_id: str, changes: Mapping[str, str | None]) -> None:
        """Set (or, with ``None``, remove) single-valued attributes; every other attribute and field is kept.

        Keycloak's ``PUT /users/{id}`` replaces the whole attribute map, so this reads the user, changes only
        the named keys and writes back the profile fields with it (read-modify-write; no partial update exists).
        """
        path = f"/users/{quote(user_id, safe='')}"
        await self._call("PUT", path, json=attribute_update(dict(await self._call("GET", path)), changes))

    async def brute_force_status(self, user_id: str) -> JsonObject:
        return dict(await self._call("GET", f"/attack-detection/brute-force/users/{quote(user_id, safe='')}"))

    async def clear_login_failures(self, user_id: str) -> None:
        await self._call("DELETE", f"/attack-detection/brute-force/users/{quote(user_id, safe='')}")

    async def credentials(self, user_id: str) -> list[JsonObject]:
        return list(await self._call("GET", f"/users/{quote(user_id, safe='')}/credentials"))

    async def delete_credential(self, user_id: str, credential_id: str) -> None:
        await self._call("DELETE", f"/users/{quote(user_id, safe='')}/credentials/{quote(credential_id, safe='')}")

    async def sessions(self, user_id: str) -> list[JsonObject]:
        return list(await self._call("GET", f"/users/{quote(user_id, safe='')}/sessions"))

    async def logout(self, user_id: str) -> None:
        """Ends every session and sets the user's not-before (which also revokes trusted browsers)."""
        await self._call("POST", f"/users/{quote(user_id, safe='')}/logout")

    async def groups(self, user_id: str) -> list[JsonObject]:
        return list(await self._call("GET", f"/users/{quote(user_id, safe='')}/groups", params={"max": 200}))

    async def role_mappings(self, user_id: str) -> JsonObject:
        return dict(await self._call("GET", f"/users/{quote(user_id, safe='')}/role-mappings"))

    async def _members(self, path: str) -> list[JsonObject]:
        """All members in one page: offset paging re-scans (``/work/shared/KEYCLOAK.md``)."""
        return list(await self._call("GET", path, params={"first": 0, "max": 100_000, "briefRepresentation": "true"}))

    async def role_members(self, role: str) -> list[JsonObject]:
        return await self._members(f"/roles/{quote(role, safe='')}/users")

    async def group_by_path(self, path: str) -> JsonObject:
        return dict(await self._call("GET", f"/group-by-path/{path.lstrip('/')}"))

    async def group_members(self, group_id: str) -> list[JsonObject]:
        return await self._members(f"/groups/{quote(group_id, safe='')}/members")

    # -- events --------------------------------------------------------------------------------------
    async def events(self, max_results: int = 100, **params: str | list[str]) -> list[JsonObject]:
        """Login events, newest first (``user``, ``type`` (list), ``dateFrom``/``dateTo`` as yyyy-MM-dd)."""
        return list(await self._call("GET", "/events", params={"max": max_results, **params}))

    async def admin_events(self, max_results: int = 100, **params: str) -> list[JsonObject]:
        return list(await self._call("GET", "/admin-events", params={"max": max_results, **params}))

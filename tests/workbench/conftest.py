"""Workbench fixtures: a realm whose workbench URL is a free port, and the workbench served there."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from keycloak.exceptions import KeycloakGetError
from starlette.applications import Starlette

from devstack.keycloak_server import free_port
from sso.workbench.app import create_app
from sso.workbench.sessions import MemorySessionStore, SessionStore
from sso.workbench.settings import WorkbenchSettings
from tests.support.realms import TestRealm
from tests.workbench.server import serving


@dataclass
class WorkbenchStack:
    """A realm, a workbench serving it, and a way to make employees in it."""

    realm: TestRealm
    url: str
    app: Starlette
    store: SessionStore
    _counter: list[int] = field(default_factory=lambda: [0])

    @property
    def keycloak_url(self) -> str:
        return self.realm.endpoint.base_url

    def employee(
        self,
        *,
        rank: str | None = "staff",
        departments: tuple[str, ...] = (),
        sites: tuple[str, ...] = (),
        site_names: dict[str, str] | None = None,
        temporary: bool = False,
        email: bool = False,
        extra_roles: tuple[str, ...] = (),
        name: tuple[str, str] = ("王", "小明"),
    ) -> tuple[str, str]:
        """Create a user with a fresh 工号 and password; returns (username, password).

        A site group created here gets ``name_zh`` from ``site_names`` (else the code itself).
        """
        self._counter[0] += 1
        username = f"e{self._counter[0]:04d}{secrets.token_hex(2)}"
        password = f"Start-{secrets.token_hex(4)}9"
        roles = ((rank,) if rank else ()) + extra_roles
        groups = tuple(f"/departments/{d}" for d in departments)
        admin = self.realm.admin()
        for site in sites:
            _ensure_site(admin, site, (site_names or {}).get(site, site))
        self.realm.create_user(
            username,
            password,
            temporary=temporary,
            realm_roles=roles,
            groups=groups + tuple(f"/sites/{s}" for s in sites),
            email=f"{username}@example.com" if email else None,
            last_name=name[0],
            first_name=name[1],
        )
        return username, password


def _ensure_site(admin: Any, site: str, name_zh: str) -> None:
    try:
        admin.get_group_by_path(f"/sites/{site}")
        return
    except KeycloakGetError as exc:
        if exc.response_code != 404:
            raise
    parent = admin.get_group_by_path("/sites")
    admin.create_group({"name": site, "attributes": {"name_zh": [name_zh]}}, parent=parent["id"], skip_exists=True)


def workbench_settings(realm: TestRealm, url: str, **overrides: Any) -> WorkbenchSettings:
    values: dict[str, Any] = {
        "issuer": realm.issuer,
        "public_url": url,
        "client_secret": realm.settings.workbench_client_secret,
        "owner_app_url": realm.settings.owner_app_url,
    }
    values.update(overrides)
    return WorkbenchSettings(**values)


@pytest.fixture(scope="module")
def make_stack(realm_factory: Callable[..., TestRealm]) -> Iterator[Callable[..., WorkbenchStack]]:
    """``make_stack(**settings overrides)``: a fresh realm and a workbench serving it, stopped at module end."""
    stops: list[Any] = []

    def make(**overrides: Any) -> WorkbenchStack:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        realm = realm_factory(workbench_url=url)
        store = overrides.pop("store", None) or MemorySessionStore()
        app = create_app(workbench_settings(realm, url, **overrides), store=store)
        context = serving(app, port)
        context.__enter__()
        stops.append(context)
        return WorkbenchStack(realm=realm, url=url, app=app, store=store)

    yield make
    for context in reversed(stops):
        context.__exit__(None, None, None)


@pytest.fixture(scope="module")
def stack(make_stack: Callable[..., WorkbenchStack]) -> WorkbenchStack:
    return make_stack()

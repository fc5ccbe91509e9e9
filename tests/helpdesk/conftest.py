"""Help-desk fixtures: a realm and a workbench whose help desk acts through the realm's own ``helpdesk`` client."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devstack.keycloak_server import free_port
from sso import catalog
from sso.workbench.app import create_app
from sso.workbench.helpdesk.keycloak_api import attribute_update
from sso.workbench.helpdesk.settings import HelpdeskSettings
from sso.workbench.sessions import MemorySessionStore
from tests.support.realms import TestRealm
from tests.workbench.conftest import WorkbenchStack, workbench_settings
from tests.workbench.server import serving


@dataclass
class Desk:
    """A workbench with the help desk, its audit logs, and helpers to make IT staff and employees."""

    stack: WorkbenchStack
    audit_log: Path
    provisioning_log: Path

    @property
    def url(self) -> str:
        return self.stack.url

    @property
    def realm(self) -> TestRealm:
        return self.stack.realm

    def user_id(self, username: str) -> str:
        return str(self.realm.admin().get_user_id(username))

    def it_staff(self) -> tuple[str, str]:
        """A staff member given ``admin.accounts`` (how IT is set up: the permission, not the admin rank)."""
        username, password = self.stack.employee(rank="staff", departments=("administration",))
        admin = self.realm.admin()
        client_uuid = str(admin.get_client_id(catalog.WORKBENCH_CLIENT_ID))
        admin.assign_client_role(
            self.user_id(username), client_uuid, [admin.get_client_role(client_uuid, "admin.accounts")]
        )
        return username, password

    def person(
        self, *, name: tuple[str, str] = ("李", "秀英"), phone: str | None = None, managed: bool = True, **kwargs: Any
    ) -> tuple[str, str, str]:
        """An employee with roster attributes; returns (username, password, user id)."""
        username, password = self.stack.employee(name=name, **kwargs)
        user_id = self.user_id(username)
        attributes = {catalog.DISPLAY_NAME_ATTRIBUTE: "".join(name)}
        if phone:
            attributes[catalog.PHONE_ATTRIBUTE] = phone
        if managed:
            attributes[catalog.MANAGED_ATTRIBUTE] = "true"
        self.set_attributes(user_id, attributes)
        return username, password, user_id

    def set_attributes(self, user_id: str, changes: Mapping[str, str | None]) -> None:
        """Set (``None``: remove) attributes as the master admin, keeping every other attribute."""
        admin = self.realm.admin()
        admin.update_user(user_id, attribute_update(admin.get_user(user_id), changes))

    def attributes(self, user_id: str) -> dict[str, list[str]]:
        """The user's attributes as Keycloak holds them now (read through the master admin, not the help desk)."""
        return dict(self.realm.admin().get_user(user_id).get("attributes") or {})

    def joiner(
        self, *, name: tuple[str, str], queue: str | None, phone: str | None = None, **attributes: str
    ) -> tuple[str, str]:
        """A joiner as ``provision apply --activation sms`` leaves one: no password, ``wuyeActivation=queue``
        (``None``: a legacy account without a password), a mobile; returns (username, user id)."""
        phone = phone or f"+86139{secrets.randbelow(10**8):08d}"
        username, _, user_id = self.person(name=name, phone=phone)
        admin = self.realm.admin()
        for credential in admin.get_credentials(user_id):
            admin.delete_credential(user_id, credential["id"])
        self.set_attributes(user_id, {catalog.ACTIVATION_ATTRIBUTE: queue, **attributes})
        return username, user_id


def ms_ago(days: float) -> str:
    """Epoch milliseconds ``days`` ago, as the activation attributes hold times."""
    return str(int((time.time() - days * 86_400) * 1000))


@pytest.fixture(scope="module")
def make_desk(
    realm_factory: Callable[..., TestRealm], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], Desk]]:
    stops: list[Any] = []

    def make() -> Desk:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        realm = realm_factory(workbench_url=url)
        logs = tmp_path_factory.mktemp("audit")
        desk_settings = HelpdeskSettings(
            client_secret=realm.settings.helpdesk_client_secret,
            audit_log=logs / "wuye-audit.jsonl",
            provisioning_audit_log=logs / "provisioning-audit.jsonl",
        )
        store = MemorySessionStore()
        app = create_app(workbench_settings(realm, url), store=store, helpdesk=desk_settings)
        context = serving(app, port)
        context.__enter__()
        stops.append(context)
        stack = WorkbenchStack(realm=realm, url=url, app=app, store=store)
        stack._counter[0] = secrets.randbelow(5000)
        return Desk(stack, desk_settings.audit_log, logs / "provisioning-audit.jsonl")

    yield make
    for context in reversed(stops):
        context.__exit__(None, None, None)


@pytest.fixture(scope="module")
def desk(make_desk: Callable[[], Desk]) -> Desk:
    return make_desk()

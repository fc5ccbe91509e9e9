"""Accounts queued for activation by SMS, made as provisioning's ``apply --activation sms`` makes them.

One create request carries ``wuyeActivation=pending`` (creation and queueing in one step), the mobile and the
employee number as the realm keeps them, no credential and no UPDATE_PASSWORD; privileged posts keep
CONFIGURE_TOTP. ``queue_at_once`` creates many in one partialImport, so they all appear in the same instant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.support.realms import TestRealm

ACTIVATION = "wuyeActivation"


@dataclass(frozen=True)
class Joiner:
    """A new hire as the roster gives them: 工号 (the username), mobile in E.164, ranks, pending actions."""

    username: str
    phone: str
    roles: tuple[str, ...] = ("staff",)
    required_actions: tuple[str, ...] = ()
    locale: str | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)

    def representation(self) -> dict[str, Any]:
        attributes = {
            "employee_no": [self.username.upper()],
            "phone_number": [self.phone],
            "wuye_managed": ["true"],
            ACTIVATION: ["pending"],
            **self.attributes,
        }
        if self.locale:
            attributes["locale"] = [self.locale]
        return {
            "username": self.username,
            "enabled": True,
            "firstName": "新",
            "lastName": "员工",
            "email": f"{self.username}@example.com",
            "emailVerified": True,
            "attributes": attributes,
            "requiredActions": list(self.required_actions),
        }


def queue_joiner(realm: TestRealm, joiner: Joiner) -> str:
    """Creates the account, queued, in one admin request; the rank roles follow (as provisioning assigns them)."""
    admin = realm.admin()
    user_id: str = admin.create_user(joiner.representation(), exist_ok=False)
    for role in joiner.roles:
        admin.assign_realm_roles(user_id, [admin.get_realm_role(role)])
    return user_id


def queue_at_once(realm: TestRealm, joiners: list[Joiner]) -> None:
    """Creates every account in one partialImport: they are queued in the same transaction."""
    users = [{**j.representation(), "realmRoles": list(j.roles)} for j in joiners]
    realm.admin().connection.raw_post(
        f"admin/realms/{realm.name}/partialImport", data=json.dumps({"ifResourceExists": "FAIL", "users": users})
    )


def attributes_of(realm: TestRealm, user_id: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = realm.admin().get_user(user_id).get("attributes") or {}
    return found


def set_attribute(realm: TestRealm, user_id: str, name: str, value: str) -> None:
    """What the help desk does: read the account, change one attribute, write it back (nothing else changes)."""
    admin = realm.admin()
    user = admin.get_user(user_id)
    user["attributes"] = {**(user.get("attributes") or {}), name: [value]}
    admin.update_user(user_id, user)


def request_reset_code(realm: TestRealm, user_id: str, at_ms: int) -> None:
    """The help desk's "发送重置验证码": the drain sends the code and removes the request."""
    set_attribute(realm, user_id, "wuyeResetCodeRequested", str(at_ms))

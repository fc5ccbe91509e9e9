"""Find a person from whatever IT types: 工号, a mobile number in any shape, an email, or part of a Chinese name.

Each kind becomes one indexed Keycloak query (username or email exact, phone attribute exact, display-name
attribute partial), so a lookup costs one request at any realm size; ``bench/bench_helpdesk.py`` measures it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from sso import catalog
from sso.phone import normalise_mobile
from sso.workbench.helpdesk.keycloak_api import JsonObject, KeycloakAdminApi

_EMPLOYEE_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_RESULTS = 20


class QueryKind(Enum):
    EMPLOYEE_NO = "employee_no"
    MOBILE = "mobile"
    EMAIL = "email"
    NAME = "name"


@dataclass(frozen=True)
class PersonSummary:
    id: str
    username: str
    employee_no: str
    name: str
    email: str
    phone: str
    enabled: bool
    managed: bool


def first_attribute(user: JsonObject, name: str) -> str:
    values = (user.get("attributes") or {}).get(name) or []
    return str(values[0]) if values else ""


def display_name(user: JsonObject) -> str:
    """The name as HR writes it (王小明), else family + given name."""
    return first_attribute(user, catalog.DISPLAY_NAME_ATTRIBUTE) or (
        f"{user.get('lastName') or ''}{user.get('firstName') or ''}" or str(user.get("username", ""))
    )


def summary(user: JsonObject) -> PersonSummary:
    return PersonSummary(
        id=str(user["id"]),
        username=str(user.get("username", "")),
        employee_no=first_attribute(user, catalog.EMPLOYEE_NO_ATTRIBUTE) or str(user.get("username", "")).upper(),
        name=display_name(user),
        email=str(user.get("email") or ""),
        phone=first_attribute(user, catalog.PHONE_ATTRIBUTE),
        enabled=bool(user.get("enabled")),
        managed=first_attribute(user, catalog.MANAGED_ATTRIBUTE) == "true",
    )


def classify(text: str) -> tuple[QueryKind, str]:
    """What the typed text is, and the value to search for (the mobile in E.164, the 工号 lower-cased)."""
    text = text.strip()
    if "@" in text:
        return QueryKind.EMAIL, text.lower()
    mobile = normalise_mobile(text)
    if mobile is not None:
        return QueryKind.MOBILE, mobile
    if _EMPLOYEE_NO.match(text):
        return QueryKind.EMPLOYEE_NO, text.lower()
    return QueryKind.NAME, text


async def find(api: KeycloakAdminApi, text: str) -> tuple[QueryKind, list[PersonSummary]]:
    if not text.strip():
        return QueryKind.NAME, []
    kind, value = classify(text)
    if kind is QueryKind.EMAIL:
        users = await api.find_users(MAX_RESULTS, email=value, exact=True)
    elif kind is QueryKind.MOBILE:
        users = await api.find_users(MAX_RESULTS, q=f"{catalog.PHONE_ATTRIBUTE}:{value}")
    elif kind is QueryKind.EMPLOYEE_NO:
        users = await api.find_users(MAX_RESULTS, username=value, exact=True)
        if not users:  # a 工号 typed partly, or a Latin name: Keycloak's own prefix search
            users = await api.find_users(MAX_RESULTS, search=value)
    else:
        users = await api.find_users(MAX_RESULTS, q=f"{catalog.DISPLAY_NAME_ATTRIBUTE}:{value}", exact=False)
    return kind, [summary(u) for u in users]

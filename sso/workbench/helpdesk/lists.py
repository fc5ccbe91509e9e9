"""The lists a help desk works through daily; each is a few bulk reads, never one request per staff member
except where Keycloak offers nothing better (second factors of privileged posts).

Sign-in history comes from Keycloak's events, so "dormant" means "within the kept events" (180 days by the realm
template); "never activated" reads the activation queue's attribute, which does not expire.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sso import catalog
from sso.catalog import Label
from sso.workbench.helpdesk.keycloak_api import JsonObject, KeycloakAdminApi, NotFound
from sso.workbench.helpdesk.times import epoch_ms


@dataclass(frozen=True)
class Row:
    id: str
    employee_no: str
    name: str
    email: str
    enabled: bool
    note: str


@dataclass(frozen=True)
class ListSpec:
    id: str
    label: Label
    takes_days: bool


LISTS: dict[str, ListSpec] = {
    s.id: s
    for s in (
        ListSpec("locked", Label("当前被锁定", "Locked now"), False),
        ListSpec("never-activated", Label("创建 N 天后仍未激活", "Never activated N days after creation"), True),
        ListSpec("dormant", Label("N 天未登录(休眠账号)", "No sign-in for N days (dormant)"), True),
        ListSpec(
            "privileged-without-2fa", Label("特权岗位未绑定两步验证", "Privileged posts without a second factor"), False
        ),
        ListSpec("unmanaged", Label("不由花名册管理的账号", "Accounts the roster does not manage"), False),
    )
}


def _row(user: JsonObject, note: str = "") -> Row:
    return Row(
        id=str(user["id"]),
        employee_no=str(user.get("username", "")).upper(),
        name=f"{user.get('lastName') or ''}{user.get('firstName') or ''}",
        email=str(user.get("email") or ""),
        enabled=bool(user.get("enabled", True)),
        note=note,
    )


def _day(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d")


async def _last_logins(api: KeycloakAdminApi, now: dt.datetime) -> dict[str, int]:
    """user id → time (ms) of the newest LOGIN event kept."""
    last: dict[str, int] = {}
    for e in await api.events(1_000_000, type="LOGIN", dateTo=_day(now)):
        uid, at = str(e.get("userId") or ""), int(e.get("time") or 0)
        if uid and at > last.get(uid, 0):
            last[uid] = at
    return last


async def locked(api: KeycloakAdminApi, now: dt.datetime, days: int) -> list[Row]:
    policy = await api.brute_force_policy()
    window = dt.timedelta(seconds=int(policy.get("maxFailureWaitSeconds") or 86_400) + 60)
    failed = {
        str(e["userId"])
        for e in await api.events(100_000, type="LOGIN_ERROR", dateFrom=_day(now - window))
        if e.get("userId") and int(e.get("time") or 0) >= (now - window).timestamp() * 1000
    }
    rows = []
    for uid in sorted(failed):
        status = await api.brute_force_status(uid)
        if status.get("disabled"):
            try:
                rows.append(_row(await api.user(uid), f"{status.get('numFailures')} failures"))
            except NotFound:
                continue
    return rows


#: The activation queue's states as the list's note says them.
_QUEUE_NOTES = {catalog.ACTIVATION_PENDING: "SMS queued 短信排队中", catalog.ACTIVATION_SENT: "SMS sent 短信已发送"}


async def never_activated(api: KeycloakAdminApi, now: dt.datetime, days: int) -> list[Row]:
    """Enabled accounts still in the activation queue (``pending`` or ``sent``) created more than N days ago.

    One attribute query per state (the activation contract's ``q=wuyeActivation:…``), brief representation.
    """
    cutoff = (now - dt.timedelta(days=days)).timestamp() * 1000
    states = tuple(_QUEUE_NOTES)
    found = await asyncio.gather(*(api.all_users(q=f"{catalog.ACTIVATION_ATTRIBUTE}:{s}") for s in states))
    return [
        _row(u, f"created {_day(created)} · {_QUEUE_NOTES[state]}")
        for state, users in zip(states, found, strict=True)
        for u in users
        if u.get("enabled", True)
        and (created := epoch_ms(u.get("createdTimestamp"))) is not None
        and created.timestamp() * 1000 < cutoff
    ]


async def dormant(api: KeycloakAdminApi, now: dt.datetime, days: int) -> list[Row]:
    cutoff = (now - dt.timedelta(days=days)).timestamp() * 1000
    users, last = await asyncio.gather(api.all_users(), _last_logins(api, now))
    return [
        _row(u, f"last sign-in {_day(epoch_ms(last[u['id']]) or now)}")
        for u in users
        if u["id"] in last and last[u["id"]] < cutoff and u.get("enabled", True)
    ]


async def privileged_without_2fa(api: KeycloakAdminApi, now: dt.datetime, days: int) -> list[Row]:
    candidates: dict[str, JsonObject] = {}
    for role in sorted(catalog.PRIVILEGED_RANKS | {catalog.RATE_EDITOR_ROLE, catalog.MFA_REQUIRED_ROLE}):
        for u in await api.role_members(role):
            candidates[str(u["id"])] = u
    finance = await api.group_by_path(catalog.department_group_path("finance"))
    for u in await api.group_members(str(finance["id"])):
        candidates[str(u["id"])] = u
    gate = asyncio.Semaphore(8)

    async def lacks_otp(uid: str) -> bool:
        async with gate:
            return not any(c.get("type") == "otp" for c in await api.credentials(uid))

    flags = await asyncio.gather(*(lacks_otp(uid) for uid in candidates))
    return [
        _row(u)
        for (uid, u), missing in zip(candidates.items(), flags, strict=True)
        if missing and u.get("enabled", True)
    ]


async def unmanaged(api: KeycloakAdminApi, now: dt.datetime, days: int) -> list[Row]:
    everyone, managed = await asyncio.gather(api.all_users(), api.all_users(q=f"{catalog.MANAGED_ATTRIBUTE}:true"))
    known = {u["id"] for u in managed}
    return [_row(u) for u in everyone if u["id"] not in known]


BUILDERS: dict[str, Callable[[KeycloakAdminApi, dt.datetime, int], Awaitable[list[Row]]]] = {
    "locked": locked,
    "never-activated": never_activated,
    "dormant": dormant,
    "privileged-without-2fa": privileged_without_2fa,
    "unmanaged": unmanaged,
}

CSV_HEADER = ("工号 employee_no", "姓名 name", "邮箱 email", "启用 enabled", "说明 note")


def csv_rows(rows: list[Row]) -> list[tuple[str, str, str, str, str]]:
    return [(r.employee_no, r.name, r.email, "yes" if r.enabled else "no", r.note) for r in rows]

"""A person's page, as facts and findings: what is wrong with this account and what IT can do about it.

Everything is read from Keycloak at request time through the help desk's service account (user, lockout
status, credentials, sessions, groups, role mappings, events) plus the audit logs, and turned into plain
findings with zh-CN and English text. Nothing here writes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sso import catalog
from sso.catalog import Label
from sso.workbench.helpdesk import activation, timeline
from sso.workbench.helpdesk.actions import ACTIONS, Refusal
from sso.workbench.helpdesk.keycloak_api import JsonObject, KeycloakAdminApi
from sso.workbench.helpdesk.lookup import PersonSummary, first_attribute, summary
from sso.workbench.helpdesk.times import epoch_ms, when

#: Keycloak's error codes on failed sign-ins, said plainly.
FAILURE_REASONS: dict[str, Label] = {
    "invalid_user_credentials": Label("密码错误", "wrong password"),
    "user_not_found": Label("账号不存在", "unknown account"),
    "user_temporarily_disabled": Label("已被临时锁定时仍在尝试", "tried while locked"),
    "user_disabled": Label("账号已停用", "account disabled"),
    "invalid_authenticator": Label("验证码错误", "wrong code"),
    "invalid_user": Label("账号无效", "invalid account"),
    "expired_code": Label("验证码已过期", "code expired"),
}
SIGN_IN_TYPES = (
    "LOGIN",
    "LOGIN_ERROR",
    "CODE_TO_TOKEN",
    "LOGOUT",
    "UPDATE_PASSWORD",
    "UPDATE_TOTP",
    "REMOVE_TOTP",
    "RESET_PASSWORD",
    "SEND_RESET_PASSWORD",
    "UPDATE_CREDENTIAL",
    "REMOVE_CREDENTIAL",
)
MFA_PERMISSIONS = catalog.FINANCE_PERMISSIONS


@dataclass(frozen=True)
class Finding:
    """One line of "what is wrong": ``level`` is ``ok``, ``warn`` or ``bad``; ``action`` names the fix, if any."""

    id: str
    level: str
    text: Label
    action: str = ""


@dataclass(frozen=True)
class Grant:
    permission: str
    label: Label
    sources: tuple[Label, ...]
    by_hand: bool


@dataclass(frozen=True)
class SessionView:
    started: dt.datetime
    last_access: dt.datetime
    ip: str
    apps: tuple[str, ...]


@dataclass
class PersonReport:
    person: PersonSummary
    created: dt.datetime | None
    rank: str | None
    departments: list[str]
    sites: list[str]
    other_groups: list[str]
    locked: bool
    locked_until: dt.datetime | None
    failures: int
    needs_second_factor: bool
    has_second_factor: bool
    enrol_pending: bool
    last_sign_in: dt.datetime | None
    recent_failures: list[tuple[dt.datetime, Label, str]]
    sessions: list[SessionView]
    not_before: dt.datetime | None
    grants: list[Grant]
    roster: list[tuple[str, str]]
    findings: list[Finding] = field(default_factory=list)
    history: list[timeline.Entry] = field(default_factory=list)
    disabled_at: dt.datetime | None = None
    activation: activation.Status | None = None
    #: action id → why it does not apply to this person (the page shows it disabled, with the reason)
    unavailable: dict[str, Refusal] = field(default_factory=dict)


def lock_until(status: JsonObject, policy: JsonObject) -> dt.datetime | None:
    """When a temporary lock ends, as Keycloak's BruteForceProtector computes it (failures // factor × increment)."""
    last = epoch_ms(status.get("lastFailure"))
    if not status.get("disabled") or last is None or policy.get("permanentLockout"):
        return None
    factor = int(policy.get("failureFactor") or 1)
    wait = int(policy.get("waitIncrementSeconds") or 0) * max(1, int(status.get("numFailures") or 0) // factor)
    wait = min(wait, int(policy.get("maxFailureWaitSeconds") or wait))
    wait = max(wait, int(policy.get("minimumQuickLoginWaitSeconds") or 0))
    return last + dt.timedelta(seconds=wait)


def grants(rank: str | None, departments: list[str], mappings: JsonObject) -> list[Grant]:
    """Every workbench permission the person holds, each with where it comes from."""
    sources: dict[str, list[Label]] = {}
    if rank:
        for p in catalog.RANK_PERMISSIONS.get(rank, frozenset()):
            r = catalog.RANKS[rank].label
            sources.setdefault(p, []).append(Label(f"职级:{r.zh}", f"rank: {r.en}"))
    for d in departments:
        dept = catalog.DEPARTMENTS[d].label
        for p in catalog.DEPARTMENT_PERMISSIONS.get(d, frozenset()):
            sources.setdefault(p, []).append(Label(f"部门:{dept.zh}", f"department: {dept.en}"))
    client = (mappings.get("clientMappings") or {}).get(catalog.WORKBENCH_CLIENT_ID) or {}
    by_hand = {str(m.get("name")) for m in client.get("mappings") or []}
    for p in by_hand:
        sources.setdefault(p, []).append(
            Label("在 Keycloak 中手工授予:不在花名册中", "granted by hand in Keycloak: not in the roster")
        )
    out = []
    for p in sorted(sources, key=lambda x: list(catalog.PERMISSIONS).index(x) if x in catalog.PERMISSIONS else 99):
        label = catalog.PERMISSIONS[p].label if p in catalog.PERMISSIONS else Label(p, p)
        out.append(Grant(p, label, tuple(sources[p]), p in by_hand))
    return out


async def report(
    api: KeycloakAdminApi, user_id: str, audit_log: Path | None, provisioning_log: Path | None
) -> PersonReport:
    """Raises ``NotFound`` for an id that is not a user of this realm (another tenant's included)."""
    user = await api.user(user_id)
    # all reads at once: the page costs the slowest call, not the sum
    status_t = asyncio.create_task(api.brute_force_status(user_id))
    policy_t = asyncio.create_task(api.brute_force_policy())
    mappings_t = asyncio.create_task(api.role_mappings(user_id))
    credentials_t, sessions_t, groups_t = (
        asyncio.create_task(f(user_id)) for f in (api.credentials, api.sessions, api.groups)
    )
    events_t = asyncio.create_task(api.events(100, user=user_id, type=list(SIGN_IN_TYPES)))
    admin_events_t = asyncio.create_task(api.admin_events(100, resourcePath=f"*{user_id}*"))
    status, policy, mappings = await status_t, await policy_t, await mappings_t
    credentials, sessions, groups = await credentials_t, await sessions_t, await groups_t
    events, admin_events = await events_t, await admin_events_t
    realm_roles = {str(r.get("name")) for r in mappings.get("realmMappings") or []}
    ranks = [r for r in catalog.RANKS if r in realm_roles]
    rank = max(ranks, key=lambda r: catalog.RANKS[r].level) if ranks else None
    paths = [str(g.get("path")) for g in groups]
    departments = [
        p.split("/")[2]
        for p in paths
        if p.startswith(f"/{catalog.DEPARTMENTS_GROUP}/") and p.split("/")[2] in catalog.DEPARTMENTS
    ]
    sites = [p.split("/")[2] for p in paths if p.startswith(f"/{catalog.SITES_GROUP}/")]
    others = [p for p in paths if p.split("/")[1:2] not in ([catalog.DEPARTMENTS_GROUP], [catalog.SITES_GROUP])]
    granted = grants(rank, departments, mappings)
    needs_mfa = (
        rank in catalog.PRIVILEGED_RANKS
        or bool(realm_roles & {catalog.MFA_REQUIRED_ROLE, catalog.RATE_EDITOR_ROLE})
        or any(g.permission in MFA_PERMISSIONS for g in granted)
    )
    has_otp = any(c.get("type") == "otp" for c in credentials)
    logins = [e for e in events if e.get("type") == "LOGIN"]
    failures = [e for e in events if e.get("type") == "LOGIN_ERROR"][:5]
    person = summary(user)
    not_before = int(user.get("notBefore") or 0)
    entries = timeline.merged(
        timeline.login_entries(events),
        timeline.admin_entries(admin_events),
        timeline.for_person(timeline.file_entries(provisioning_log, "provisioning"), user_id, person.username),
        timeline.for_person(timeline.file_entries(audit_log, "helpdesk"), user_id),
    )
    r = PersonReport(
        person=person,
        created=epoch_ms(user.get("createdTimestamp")),
        rank=rank,
        departments=departments,
        sites=sites,
        other_groups=others,
        locked=bool(status.get("disabled")),
        locked_until=lock_until(status, policy),
        failures=int(status.get("numFailures") or 0),
        needs_second_factor=needs_mfa,
        has_second_factor=has_otp,
        enrol_pending="CONFIGURE_TOTP" in (user.get("requiredActions") or []),
        last_sign_in=epoch_ms(logins[0].get("time")) if logins else None,
        recent_failures=[
            (
                epoch_ms(e.get("time")) or dt.datetime.min.replace(tzinfo=dt.UTC),
                FAILURE_REASONS.get(str(e.get("error")), Label(str(e.get("error")), str(e.get("error")))),
                str(e.get("ipAddress") or ""),
            )
            for e in failures
        ],
        sessions=[
            SessionView(
                epoch_ms(s.get("start")) or dt.datetime.min.replace(tzinfo=dt.UTC),
                epoch_ms(s.get("lastAccess")) or dt.datetime.min.replace(tzinfo=dt.UTC),
                str(s.get("ipAddress") or ""),
                tuple(sorted(str(c) for c in (s.get("clients") or {}).values())),
            )
            for s in sessions
        ],
        not_before=dt.datetime.fromtimestamp(not_before, dt.UTC) if not_before else None,
        grants=granted,
        roster=[
            ("工号 Employee no.", first_attribute(user, catalog.EMPLOYEE_NO_ATTRIBUTE)),
            ("姓名 Name", first_attribute(user, catalog.DISPLAY_NAME_ATTRIBUTE)),
            ("手机 Mobile", first_attribute(user, catalog.PHONE_ATTRIBUTE)),
            ("邮箱 Email", str(user.get("email") or "")),
            ("花名册管理 Managed by the roster", first_attribute(user, catalog.MANAGED_ATTRIBUTE) or "false"),
        ],
        history=entries,
    )
    r.disabled_at = next(
        (e.at for e in entries if not person.enabled and (e.what in ("disable",) or "enabled=False" in e.detail)), None
    )
    r.activation = activation.status(user, credentials)
    r.unavailable = {
        a.id: refused for a, _ in ACTIONS.values() if a.check and (refused := a.check(user, credentials)) is not None
    }
    r.findings = findings(r)
    return r


def findings(r: PersonReport) -> list[Finding]:
    """What is wrong, most urgent first, and the action that fixes it (the page's buttons)."""
    out: list[Finding] = []
    if not r.person.enabled:
        out.append(
            Finding(
                "disabled",
                "bad",
                Label(
                    f"账号已停用(离职或被停用,{when(r.disabled_at)})。由花名册决定:重新入职请更新花名册。",
                    f"The account is disabled (left or switched off, {when(r.disabled_at)}). The roster decides: "
                    "re-hire through the roster.",
                ),
            )
        )
    if r.locked:
        out.append(
            Finding(
                "locked",
                "bad",
                Label(
                    f"因多次输错密码或验证码被临时锁定({r.failures} 次失败),预计 {when(r.locked_until)} 自动解锁(北京时间)。"
                    "核实身份后可立即解锁。",
                    f"Locked after wrong passwords or codes ({r.failures} failures), until about {when(r.locked_until)} "
                    "(Beijing time). Unlock now once you have checked who is asking.",
                ),
                "unlock",
            )
        )
    if r.needs_second_factor and not r.has_second_factor:
        out.append(
            Finding(
                "no-second-factor",
                "warn",
                Label(
                    "该岗位需要两步验证,但尚未绑定验证器;下次登录时系统会要求绑定。",
                    "This post needs a second factor and none is set up; the next sign-in asks to enrol one.",
                ),
            )
        )
    elif r.has_second_factor:
        out.append(
            Finding(
                "second-factor",
                "ok",
                Label(
                    "已绑定两步验证。手机丢失或更换时可重置,本人下次登录重新绑定。",
                    "A second factor is set up. If the phone is lost or replaced, reset it: they enrol again at next sign-in.",
                ),
                "reset-2fa",
            )
        )
    if r.activation is not None and not r.activation.activated:
        a = r.activation
        out.append(
            Finding(
                "not-activated",
                "warn",
                Label(f"{a.text.zh}{a.next_step.zh}", f"{a.text.en} {a.next_step.en}"),
                "" if "resend-activation" in r.unavailable else "resend-activation",
            )
        )
    if r.sessions:
        out.append(
            Finding(
                "sessions",
                "ok",
                Label(
                    f"当前有 {len(r.sessions)} 个在线会话。手机或电脑丢失时:全部退出并忘记受信任浏览器。",
                    f"{len(r.sessions)} live session(s). Lost phone or laptop: sign out everywhere and forget trusted browsers.",
                ),
                "sign-out",
            )
        )
    if any(g.by_hand for g in r.grants):
        out.append(
            Finding(
                "by-hand",
                "warn",
                Label(
                    "有权限在 Keycloak 中手工授予,不在花名册中。",
                    "Some permissions were granted by hand in Keycloak, not by the roster.",
                ),
            )
        )
    if not r.person.managed:
        out.append(
            Finding(
                "unmanaged",
                "warn",
                Label("此账号不由花名册管理(手工创建)。", "The roster does not manage this account (created by hand)."),
            )
        )
    return out

"""The planner: desired state + actual state → ``Plan``. Pure: it reads nothing and writes nothing.

Only managed accounts (attribute ``wuye_managed``) appear in the actual state, so unmanaged accounts
can never be changed or disabled. Memberships are compared only within what provisioning manages:
rank roles and ``rate-editor``, department and site groups.
"""

from __future__ import annotations

from provisioning.actual import ActualState, ActualUser
from provisioning.desired import DesiredState, DesiredUser
from provisioning.plan import (
    CREATE,
    CREATE_SITE,
    DISABLE,
    ENABLE,
    GRANT,
    JOIN,
    LEAVE,
    REVOKE,
    UPDATE,
    UPDATE_SITE,
    AccountPlan,
    Change,
    NewAccount,
    Plan,
)
from sso import catalog


def make_plan(desired: DesiredState, actual: ActualState | None, roster: str) -> Plan:
    """``actual`` is ``None`` when the realm does not exist yet (everything is created)."""
    plan = Plan(
        realm=desired.tenant, company_name=desired.company_name, realm_exists=actual is not None,
        fingerprint=actual.fingerprint() if actual else "", roster=roster,
        managed_accounts=len(actual.users) if actual else 0,
    )
    site_names = actual.site_names if actual else {}
    for code, name in sorted(desired.sites.items()):
        if code not in site_names:
            plan.sites.append(Change(CREATE_SITE, code, None, name))
        elif site_names[code] != name:
            plan.sites.append(Change(UPDATE_SITE, code, site_names[code], name))

    existing = actual.users if actual else {}
    for username in sorted(set(desired.users) | set(existing)):
        wanted, have = desired.users.get(username), existing.get(username)
        if have is None and wanted is not None:
            if wanted.active:
                plan.accounts.append(_create(wanted))
            continue
        assert have is not None
        if wanted is None:
            if username in desired.not_started:
                continue
            if have.enabled:
                plan.accounts.append(AccountPlan(username, have.id, [Change(DISABLE, "enabled", True, False)],
                                                 why="absent from the roster", name=have.last_name + have.first_name))
            continue
        changes = _differences(wanted, have)
        if changes:
            why = "status leaving" if any(c.kind == DISABLE for c in changes) else ""
            plan.accounts.append(AccountPlan(username, have.id, changes, why=why, name=wanted.display_name))
    if desired.not_started:
        plan.notes.append(f"{len(desired.not_started)} people start later and are left alone for now")
    return plan


def _create(wanted: DesiredUser) -> AccountPlan:
    new = NewAccount(
        username=wanted.username, employee_no=wanted.employee_no, display_name=wanted.display_name,
        first_name=wanted.first_name, last_name=wanted.last_name, email=wanted.email, phone=wanted.phone,
        realm_roles=sorted(wanted.realm_roles), groups=sorted(wanted.groups), attributes=wanted.attributes,
        required_actions=wanted.joiner_required_actions(),
    )
    changes = [Change(CREATE, wanted.username, None, wanted.display_name)]
    changes += [Change(GRANT, r, None, r) for r in new.realm_roles]
    changes += [Change(JOIN, g, None, g) for g in new.groups]
    return AccountPlan(wanted.username, None, changes, new=new, name=wanted.display_name)


def _differences(wanted: DesiredUser, have: ActualUser) -> list[Change]:
    if not wanted.active:
        return [Change(DISABLE, "enabled", True, False)] if have.enabled else []
    changes: list[Change] = []
    if not have.enabled:
        changes.append(Change(ENABLE, "enabled", False, True))
    fields = {"firstName": (have.first_name, wanted.first_name), "lastName": (have.last_name, wanted.last_name),
              "email": (have.email, wanted.email)}
    attributes = have.attributes or {}
    for name, value in wanted.attributes.items():
        fields[name] = (attributes.get(name), value)
    for name, (before, after) in fields.items():
        if (before or None) != (after or None):
            changes.append(Change(UPDATE, name, before, after))
    changes += [Change(GRANT, r, None, r) for r in sorted(wanted.realm_roles - have.realm_roles)]
    changes += [Change(REVOKE, r, r, None) for r in sorted(have.realm_roles - wanted.realm_roles)]
    changes += [Change(JOIN, g, None, g) for g in sorted(wanted.groups - have.groups)]
    changes += [Change(LEAVE, g, g, None) for g in sorted(have.groups - wanted.groups)]
    return changes


def site_group_path(code: str) -> str:
    return catalog.site_group_path(code)

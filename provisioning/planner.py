"""The planner: desired state + actual state → ``Plan``. Pure: it reads nothing and writes nothing.

Only managed accounts (attribute ``wuye_managed``) appear in the actual state, so unmanaged accounts
can never be changed or disabled. Memberships are compared only within what provisioning manages:
rank roles and ``rate-editor``, department and site groups.
"""

from __future__ import annotations

from provisioning.actual import ActualState, ActualUser, Holder
from provisioning.desired import DesiredState, DesiredUser
from provisioning.plan import Change, ChangeKind, Conflict, ExistingAccountPlan, NewAccount, NewAccountPlan, Plan
from sso import catalog


def make_plan(desired: DesiredState, actual: ActualState | None, roster: str) -> Plan:
    """``actual`` is ``None`` when the realm does not exist yet (everything is created)."""
    plan = Plan(
        realm=desired.tenant,
        company_name=desired.company_name,
        realm_exists=actual is not None,
        fingerprint=actual.fingerprint() if actual else "",
        roster=roster,
        managed_accounts=len(actual.users) if actual else 0,
    )
    site_names = actual.site_names if actual else {}
    for code, name in sorted(desired.sites.items()):
        if code not in site_names:
            plan.sites.append(Change(ChangeKind.CREATE_SITE, code, None, name))
        elif site_names[code] != name:
            plan.sites.append(Change(ChangeKind.UPDATE_SITE, code, site_names[code], name))

    existing = actual.users if actual else {}
    # 原工号: an account whose employee number changed keeps its id, history and credentials under the new username
    renames = {
        d.previous_username: d.username
        for d in desired.users.values()
        if d.previous_username in existing and d.username not in existing
    }
    conflicts = _conflicts(desired, existing, actual.holders if actual else [], set(renames.values()))
    plan.conflicts = sorted(conflicts.values(), key=lambda c: (c.username, c.field))
    # a managed account a joiner collides with is most likely the same person (a mistyped 工号 fixed):
    # it is not disabled until the conflict is resolved
    held = {c.holder for c in plan.conflicts} & set(existing)
    for username in sorted(set(desired.users) | set(existing)):
        if username in renames:
            continue  # planned under its new username
        wanted = desired.users.get(username)
        old = next((o for o, n in renames.items() if n == username), None)
        have = existing.get(old if old else username)
        if username in conflicts:
            continue
        if have is None:  # then the roster names it (the username came from one side or the other)
            if wanted is not None and wanted.active:
                plan.accounts.append(_create(wanted, desired.email_verified))
            continue
        if wanted is None:
            if username in desired.not_started:
                continue
            if have.enabled and username in held:
                plan.notes.append(f"{username} is not disabled while a roster entry collides with it (see conflicts)")
            elif have.enabled:
                plan.accounts.append(
                    ExistingAccountPlan(
                        username,
                        have.id,
                        [Change(ChangeKind.DISABLE, "enabled", True, False)],
                        why="absent from the roster",
                        name=have.last_name + have.first_name,
                    )
                )
            continue
        changes = _differences(wanted, have, desired.email_verified)
        if old:
            changes.insert(0, Change(ChangeKind.RENAME, "username", old, username))
        if changes:
            why = "status leaving" if any(c.kind == ChangeKind.DISABLE for c in changes) else ""
            why = why or (f"employee number changed (原工号 {old})" if old else "")
            plan.accounts.append(ExistingAccountPlan(username, have.id, changes, why=why, name=wanted.display_name))
    if desired.not_started:
        plan.notes.append(f"{len(desired.not_started)} people start later and are left alone for now")
    return plan


def _conflicts(
    desired: DesiredState, existing: dict[str, ActualUser], holders: list[Holder], renamed_to: set[str]
) -> dict[str, Conflict]:
    """Joiners and renamed accounts whose username, e-mail or mobile another account already holds.

    Managed accounts active in the roster are not holders: they keep their own values (validation made
    the roster's unique). Every other account is, managed or not, enabled or not: a disabled leaver
    still holds its e-mail, and Keycloak refuses a second account with it.
    """
    in_roster = {existing[u].id for u, d in desired.users.items() if u in existing and d.active}
    in_roster |= {
        existing[d.previous_username].id
        for d in desired.users.values()
        if d.previous_username in existing and d.username in renamed_to
    }
    found: dict[str, Conflict] = {}
    for wanted in sorted(desired.users.values(), key=lambda d: d.username):
        if not wanted.active or (wanted.username in existing and wanted.username not in renamed_to):
            continue
        for holder in holders:
            if holder.id in in_roster:
                continue
            for field_name, mine, theirs in (
                ("username", wanted.username, holder.username),
                ("email", wanted.email, holder.email),
                ("mobile", wanted.phone, holder.phone),
            ):
                if mine and mine == theirs:
                    hint = ""
                    if holder.managed and not wanted.previous_username:
                        hint = (
                            f"if {holder.username} is the same person under an old employee number, "
                            f"add 原工号 previous_employee_no {holder.username.upper()} to the row"
                        )
                    found.setdefault(
                        wanted.username,
                        Conflict(
                            wanted.username, wanted.source, field_name, mine, holder.username, holder.describe(), hint
                        ),
                    )
    return found


def _create(wanted: DesiredUser, email_verified: bool) -> NewAccountPlan:
    new = NewAccount(
        username=wanted.username,
        employee_no=wanted.employee_no,
        display_name=wanted.display_name,
        first_name=wanted.first_name,
        last_name=wanted.last_name,
        email=wanted.email,
        phone=wanted.phone,
        realm_roles=sorted(wanted.realm_roles),
        groups=sorted(wanted.groups),
        attributes=wanted.attributes,
        required_actions=wanted.joiner_required_actions(),
        email_verified=email_verified and bool(wanted.email),
    )
    changes = [Change(ChangeKind.CREATE, wanted.username, None, wanted.display_name)]
    changes += [Change(ChangeKind.GRANT, r, None, r) for r in new.realm_roles]
    changes += [Change(ChangeKind.JOIN, g, None, g) for g in new.groups]
    return NewAccountPlan(wanted.username, changes, new, name=wanted.display_name)


def _differences(wanted: DesiredUser, have: ActualUser, email_verified: bool) -> list[Change]:
    if not wanted.active:
        return [Change(ChangeKind.DISABLE, "enabled", True, False)] if have.enabled else []
    changes: list[Change] = []
    if not have.enabled:
        changes.append(Change(ChangeKind.ENABLE, "enabled", False, True))
    fields = {
        "firstName": (have.first_name, wanted.first_name),
        "lastName": (have.last_name, wanted.last_name),
        "email": (have.email, wanted.email),
    }
    attributes = have.attributes or {}
    for name, value in wanted.attributes.items():
        fields[name] = (attributes.get(name), value)
    for name, (before, after) in fields.items():
        if (before or None) != (after or None):
            changes.append(Change(ChangeKind.UPDATE, name, before, after))
    # HR's roster is the authority for company e-mails; a roster of personal addresses never vouches for one
    verified = (
        (email_verified and bool(wanted.email))
        if email_verified or (have.email or None) != (wanted.email or None)
        else have.email_verified
    )
    if verified != have.email_verified:
        changes.append(Change(ChangeKind.UPDATE, "emailVerified", have.email_verified, verified))
    changes += [Change(ChangeKind.GRANT, r, None, r) for r in sorted(wanted.realm_roles - have.realm_roles)]
    changes += [Change(ChangeKind.REVOKE, r, r, None) for r in sorted(have.realm_roles - wanted.realm_roles)]
    changes += [Change(ChangeKind.JOIN, g, None, g) for g in sorted(wanted.groups - have.groups)]
    changes += [Change(ChangeKind.LEAVE, g, g, None) for g in sorted(have.groups - wanted.groups)]
    return changes


def site_group_path(code: str) -> str:
    return catalog.site_group_path(code)

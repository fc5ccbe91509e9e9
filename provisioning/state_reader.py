"""Read the realm's actual state with a handful of requests, never one per unchanged account.

- accounts: one brief listing of managed users (``q=wuye_managed:true``): names, e-mail, enabled. This
  also shows leavers, and accounts re-enabled or renamed by hand.
- attributes (mobile, employee number, display name) and memberships (rank roles, department and site
  groups) are not in brief listings; full representations cost ~30 ms per user and member listings of
  every role and group ~0.25 ms per member. After each complete apply the marker group keeps a snapshot
  (digests of each account's owned state, ``marker.py``), so the next run reads them only for accounts
  that can differ from it: accounts named by admin events (edits, role mappings, group memberships,
  imports) or profile-update user events since the apply, and roster entries whose wanted state is not
  in the snapshot — three requests each. This is how Keycloak's own LDAP sync works: changed since a
  timestamp.
- fallbacks: with no valid snapshot (first run, killed apply), events disabled, purged or expired, or a
  managed role or group itself edited or deleted, the whole state is read: member listings of every
  managed role and group (one page each), and attributes of every account (concurrently).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from provisioning.actual import ActualState, ActualUser, Holder, MissingGroup
from provisioning.concurrent import concurrently
from provisioning.desired import MANAGED_GROUP_PARENTS, MANAGED_REALM_ROLES, DesiredState, DesiredUser
from provisioning.keycloak_gateway import KeycloakGateway
from provisioning.keycloak_types import AdminEvent, GroupRep, RoleRep, UserRep
from provisioning.marker import Marker, read_marker, state_digest
from sso import catalog

OWNED_ATTRIBUTES = (
    catalog.MANAGED_ATTRIBUTE,
    catalog.EMPLOYEE_NO_ATTRIBUTE,
    catalog.PHONE_ATTRIBUTE,
    catalog.DISPLAY_NAME_ATTRIBUTE,
)
#: User events after which an account's attributes may differ (self-service profile edits).
PROFILE_EVENTS = ("UPDATE_PROFILE", "UPDATE_EMAIL")
#: Admin events on roles and groups themselves: an edit or delete may change many memberships at once.
_STRUCTURE_EVENTS = ("GROUP", "REALM_ROLE")
#: Our own events this soon after the apply's last write are still ours (its end time is an estimate).
_MARGIN_MS = 500


@dataclass
class Since:
    """What the events say happened since the last complete apply."""

    accounts: set[str] = field(default_factory=set)  # ids of accounts someone else changed
    memberships: str = ""  # why member listings must be read in full, if they must
    everything: str = ""  # why nothing in the snapshot can be trusted, if so


def read_actual(
    gateway: KeycloakGateway,
    desired: DesiredState | None,
    full: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ActualState:
    say = progress or (lambda _message: None)
    marker = read_marker(gateway)
    say("reading groups and roles")
    group_ids, site_names = _managed_groups(gateway)
    roles = {r: gateway.realm_role(r) for r in MANAGED_REALM_ROLES}

    mode, reason = ("full", "asked for a full read") if full else _incremental_possible(gateway, marker)
    since = Since()
    if mode == "incremental":
        since = _changes_since(gateway, marker)
        if since.everything:
            mode, reason = "full", since.everything
    list_members = mode == "full" or bool(since.memberships)
    if mode == "incremental" and since.memberships:
        reason = f"snapshot plus events; memberships read in full ({since.memberships})"

    jobs: list[tuple[str, Callable[[], Any]]] = [
        ("users", lambda: gateway.search_users(f"{catalog.MANAGED_ATTRIBUTE}:true"))
    ]
    if list_members:
        jobs += [(f"role:{r}", functools.partial(gateway.role_members, r)) for r in MANAGED_REALM_ROLES]
        jobs += [(f"group:{p}", functools.partial(gateway.group_members, i)) for p, i in group_ids.items()]
    say("reading accounts" + (" and memberships" if list_members else ""))
    results = dict(
        zip([name for name, _ in jobs], concurrently(lambda job: job[1](), jobs, gateway.concurrency), strict=True)
    )

    users: dict[str, ActualUser] = {}
    by_id: dict[str, ActualUser] = {}
    for rep in results["users"]:
        user = ActualUser(
            id=str(rep["id"]),
            username=str(rep["username"]),
            enabled=bool(rep.get("enabled", True)),
            first_name=str(rep.get("firstName") or ""),
            last_name=str(rep.get("lastName") or ""),
            email=(str(rep["email"]).lower() if rep.get("email") else None),
            attributes=None,
            memberships_known=list_members,
            email_verified=bool(rep.get("emailVerified", False)),
        )
        users[user.username] = user
        by_id[user.id] = user
    if list_members:
        for role in MANAGED_REALM_ROLES:
            for rep in results[f"role:{role}"]:
                if rep["id"] in by_id:
                    by_id[rep["id"]].realm_roles.add(role)
        for path in group_ids:
            for rep in results[f"group:{path}"]:
                if rep["id"] in by_id:
                    by_id[rep["id"]].groups.add(path)

    roster = set(desired.users) if desired else set()
    #: accounts the roster renames (原工号): old username → the roster entry
    renamed = (
        {
            d.previous_username: d
            for d in desired.users.values()
            if d.previous_username in users and d.username not in users
        }
        if desired
        else {}
    )
    roster |= set(renamed)
    to_read: list[ActualUser] = []
    for user in users.values():
        wanted = (desired.users.get(user.username) or renamed.get(user.username)) if desired else None
        if mode == "full":
            to_read.append(user)
        elif wanted is None:
            continue  # not in the roster: only ``enabled`` matters, and the listing has it
        elif user.id in since.accounts or state_digest(
            user.username, wanted.attributes, wanted.realm_roles, wanted.groups
        ) not in (marker.snapshot or ()):
            to_read.append(user)
        else:  # unchanged since the last apply wrote it
            user.attributes = dict(wanted.attributes)
            if not list_members:
                user.realm_roles, user.groups = set(wanted.realm_roles), set(wanted.groups)
                user.memberships_known = True
    if to_read:
        say(f"reading {len(to_read)} accounts")
    managed_paths = set(group_ids)
    for user, (rep, user_roles, user_groups) in zip(
        to_read,
        concurrently(lambda u: _read_account(gateway, u.id, list_members), to_read, gateway.concurrency),
        strict=True,
    ):
        attrs: dict[str, list[str]] = rep.get("attributes") or {}
        user.attributes = {name: (attrs.get(name) or [""])[0] for name in OWNED_ATTRIBUTES if attrs.get(name)}
        if not list_members:
            user.realm_roles = {str(r["name"]) for r in user_roles} & set(MANAGED_REALM_ROLES)
            user.groups = {str(g.get("path")) for g in user_groups} & managed_paths
            user.memberships_known = True
    return ActualState(
        realm=gateway.realm,
        users=users,
        group_ids=group_ids,
        site_names=site_names,
        roles=roles,
        marker=marker,
        read_mode=mode,
        read_reason=reason,
        attributes_read=len(to_read),
        roster=frozenset(roster),
        accounts_read=sorted(u.username for u in to_read),
        holders=_holders(gateway, desired, users, renamed),
    )


def _holders(
    gateway: KeycloakGateway,
    desired: DesiredState | None,
    users: dict[str, ActualUser],
    renamed: dict[str, DesiredUser],
) -> list[Holder]:
    """Accounts (managed or not, enabled or not) holding a username, e-mail or mobile that a joiner or a
    renamed account wants: read only when some are due (one brief listing of every account, then mobiles
    by whichever is fewer: the accounts whose mobile is unknown, or the wanted mobiles)."""
    if desired is None:
        return []
    wanted = [d for d in desired.users.values() if d.active and d.username not in users]
    if not wanted:
        return []
    names, emails, phones = (
        {d.username for d in wanted},
        {d.email for d in wanted if d.email},
        {d.phone for d in wanted},
    )
    managed = {u.id: u for u in users.values()}
    everyone = {str(rep["id"]): rep for rep in gateway.search_users()}
    found: dict[tuple[str, str], Holder] = {}

    def hold(rep: UserRep, phone: str | None = None) -> None:
        holder = Holder(
            id=str(rep["id"]),
            username=str(rep["username"]),
            email=str(rep["email"]).lower() if rep.get("email") else None,
            enabled=bool(rep.get("enabled", True)),
            managed=str(rep["id"]) in managed,
            phone=phone,
        )
        found[(holder.id, phone or "")] = holder

    for rep in everyone.values():
        if str(rep["username"]) in names or (rep.get("email") and str(rep["email"]).lower() in emails):
            hold(rep)
    known = {
        u.id: (u.attributes or {}).get(catalog.PHONE_ATTRIBUTE) for u in users.values() if u.attributes is not None
    }
    for user_id, phone in known.items():
        if phone in phones and user_id in everyone:
            hold(everyone[user_id], phone)
    unknown = [i for i in everyone if i not in known]
    if len(unknown) <= len(phones):
        for rep in concurrently(gateway.get_user, unknown, gateway.concurrency):
            phone = ((rep.get("attributes") or {}).get(catalog.PHONE_ATTRIBUTE) or [""])[0]
            if phone in phones:
                hold(rep, phone)
    else:
        ordered = sorted(phones)
        for phone, reps in zip(
            ordered,
            concurrently(
                lambda p: gateway.search_users(f"{catalog.PHONE_ATTRIBUTE}:{p}"), ordered, gateway.concurrency
            ),
            strict=True,
        ):
            for rep in reps:
                hold(rep, phone)
    return list(found.values())


def _read_account(
    gateway: KeycloakGateway, user_id: str, members_listed: bool
) -> tuple[UserRep, list[RoleRep], list[GroupRep]]:
    rep = gateway.get_user(user_id)
    if members_listed:
        return rep, [], []
    return rep, gateway.user_realm_roles(user_id), gateway.user_groups(user_id)


def _managed_groups(gateway: KeycloakGateway) -> tuple[dict[str, str], dict[str, str]]:
    group_ids: dict[str, str] = {}
    site_names: dict[str, str] = {}
    for parent in MANAGED_GROUP_PARENTS:
        group = gateway.group_by_path(f"/{parent}")
        if group is None:
            raise MissingGroup(gateway.realm, parent)
        for child in gateway.group_children(str(group["id"])):
            group_ids[f"/{parent}/{child['name']}"] = str(child["id"])
            if parent == catalog.SITES_GROUP:
                site_names[str(child["name"])] = ((child.get("attributes") or {}).get("name_zh") or [""])[0]
    return group_ids, site_names


def _incremental_possible(gateway: KeycloakGateway, marker: Marker) -> tuple[str, str]:
    """Whether the snapshot plus events can be trusted; otherwise why not."""
    if marker.group_id is None:
        return "full", "first run on this realm (no provisioning records yet)"
    if not marker.has_snapshot:
        return "full", "the last apply did not complete (or none completed yet)"
    config = gateway.events_config()
    if not config.get("adminEventsEnabled") or not config.get("eventsEnabled"):
        return "full", "admin or user events are disabled in the realm"
    if not set(PROFILE_EVENTS) <= set(config.get("enabledEventTypes") or PROFILE_EVENTS):
        return "full", "profile-update events are not stored"
    # The last apply's own final write must still be on record; if not, events were purged or expired.
    recorded = any(
        e.get("resourcePath") == f"groups/{marker.group_id}"
        for e in gateway.admin_events_since(marker.writes_ended_ms - 60_000, ("GROUP",))
    )
    if not recorded:
        return "full", "admin events since the last apply are gone (purged or expired)"
    return "incremental", "snapshot of the last apply plus events since"


def _changes_since(gateway: KeycloakGateway, marker: Marker) -> Since:
    """Accounts (and structure) someone else may have changed since the last apply took its lock.

    Between its lock and its last write, the apply's own events are skipped; after that every event
    counts. partialImport's per-user events (type REALM) are read only from the apply's end on: during
    it they are the apply's own, thousands of them on a first import, not worth paging through.
    """
    since = Since()
    started, ended = marker.read_started_ms, marker.writes_ended_ms

    def during(event: AdminEvent) -> bool:
        return int(event.get("time", 0)) <= ended + _MARGIN_MS

    for event in gateway.admin_events_since(
        started, ("USER", "REALM_ROLE_MAPPING", "GROUP_MEMBERSHIP", *_STRUCTURE_EVENTS)
    ):
        _classify(event, marker, since, during_apply=during(event))
    for event in gateway.admin_events_since(ended - _MARGIN_MS, ("REALM",)):
        _classify(event, marker, since, during_apply=during(event))
    for user_event in gateway.user_events_since(started, PROFILE_EVENTS):
        if user_event.get("userId"):
            since.accounts.add(str(user_event["userId"]))
    return since


def _classify(event: AdminEvent, marker: Marker, since: Since, during_apply: bool) -> None:
    kind, operation = str(event.get("resourceType")), str(event.get("operationType"))
    path = str(event.get("resourcePath") or "")
    user_id = path.split("/")[1] if path.startswith("users/") else ""
    ours = during_apply and (event.get("authDetails") or {}).get("userId") == marker.applier
    if user_id:
        # Ours: accounts the apply changed, and accounts it created by partialImport (events of type REALM).
        if not (ours and (user_id in marker.touched or kind == "REALM")):
            since.accounts.add(user_id)
        return
    if kind == "REALM" and path.startswith("events"):
        since.everything = "the realm's event settings changed since the last apply"
    elif kind == "GROUP" and operation in ("UPDATE", "DELETE") and not ours:
        if (marker.group_id and path.startswith(f"groups/{marker.group_id}")) or (
            marker.lock_id and path.startswith(f"groups/{marker.lock_id}")
        ):
            return  # provisioning's own records and lock
        since.memberships = since.memberships or f"a group was {operation.lower()}d by hand ({path})"
    elif kind == "REALM_ROLE" and not ours and operation in ("UPDATE", "DELETE"):
        since.memberships = since.memberships or f"a realm role was {operation.lower()}d by hand ({path})"

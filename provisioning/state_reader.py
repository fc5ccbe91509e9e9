"""Read the realm's actual state with a handful of bulk requests, never one per unchanged account.

- accounts: one brief listing of managed users (``q=wuye_managed:true``): names, e-mail, enabled;
- memberships: one listing per managed realm role and per department/site group (direct members);
- attributes (mobile, employee number, display name) are not in brief listings, and full listings
  cost ~30 ms per user. They are read only for accounts that can differ from what the last complete
  apply wrote: accounts touched by admin or user events since that apply, and accounts whose roster
  entry now says something else than the snapshot. With no valid snapshot (first run, killed apply,
  events disabled, purged or expired) every managed account is read: the full fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from provisioning.actual import ActualState, ActualUser
from provisioning.desired import MANAGED_GROUP_PARENTS, MANAGED_REALM_ROLES, DesiredState
from provisioning.keycloak_gateway import KeycloakGateway
from provisioning.marker import Marker, attributes_digest, read_marker
from sso import catalog

OWNED_ATTRIBUTES = (
    catalog.MANAGED_ATTRIBUTE, catalog.EMPLOYEE_NO_ATTRIBUTE, catalog.PHONE_ATTRIBUTE, catalog.DISPLAY_NAME_ATTRIBUTE,
)
#: User events after which an account's attributes may differ (self-service profile edits).
PROFILE_EVENTS = ("UPDATE_PROFILE", "UPDATE_EMAIL")
#: Events this close before the watermark still count: it comes from an estimate of the server clock.
_MARGIN_MS = 500


def read_actual(gateway: KeycloakGateway, desired: DesiredState | None, full: bool = False,
                progress: Callable[[str], None] | None = None) -> ActualState:
    say = progress or (lambda _message: None)
    read_started_ms = gateway.server_time_ms
    marker = read_marker(gateway)
    read_started_ms = (gateway.server_time_ms or read_started_ms) - _MARGIN_MS

    say("reading groups and roles")
    group_ids, site_names = _managed_groups(gateway)
    roles = {r: gateway.realm_role(r) for r in MANAGED_REALM_ROLES}

    jobs: list[tuple[str, Callable[[], Any]]] = [("users", lambda: gateway.search_users(f"{catalog.MANAGED_ATTRIBUTE}:true"))]
    jobs += [(f"role:{r}", (lambda r=r: gateway.role_members(r))) for r in MANAGED_REALM_ROLES]  # type: ignore[misc]
    jobs += [(f"group:{p}", (lambda i=i: gateway.group_members(i))) for p, i in group_ids.items()]  # type: ignore[misc]
    mode, reason = "full", "asked for a full read" if full else ""
    if not full:
        mode, reason = _incremental_possible(gateway, marker)
    if mode == "incremental":
        jobs.append(("events", lambda: _touched_since(gateway, marker)))
    say("reading accounts and memberships")
    results = dict(zip([name for name, _ in jobs], gateway.map(lambda job: job[1](), jobs), strict=True))

    users: dict[str, ActualUser] = {}
    by_id: dict[str, ActualUser] = {}
    for rep in results["users"]:
        user = ActualUser(
            id=str(rep["id"]), username=str(rep["username"]), enabled=bool(rep.get("enabled", True)),
            first_name=str(rep.get("firstName") or ""), last_name=str(rep.get("lastName") or ""),
            email=(str(rep["email"]).lower() if rep.get("email") else None), attributes=None,
        )
        users[user.username] = user
        by_id[user.id] = user
    for role in MANAGED_REALM_ROLES:
        for rep in results[f"role:{role}"]:
            if rep["id"] in by_id:
                by_id[rep["id"]].realm_roles.add(role)
    for path in group_ids:
        for rep in results[f"group:{path}"]:
            if rep["id"] in by_id:
                by_id[rep["id"]].groups.add(path)

    touched: set[str] = results.get("events", set())
    to_read: list[ActualUser] = []
    for user in users.values():
        wanted = desired.users.get(user.username) if desired else None
        if mode == "full" or "*" in touched:
            to_read.append(user)
        elif wanted is None:
            continue  # not in the roster: only ``enabled`` matters, and the listing has it
        elif user.id in touched or attributes_digest(user.username, wanted.attributes) not in (marker.snapshot or ()):
            to_read.append(user)
        else:
            user.attributes = dict(wanted.attributes)  # unchanged since the last apply wrote them
    if to_read:
        say(f"reading attributes of {len(to_read)} accounts")
    for user, rep in zip(to_read, gateway.map(lambda u: gateway.get_user(u.id), to_read), strict=True):
        attrs: dict[str, list[str]] = rep.get("attributes") or {}
        user.attributes = {name: (attrs.get(name) or [""])[0] for name in OWNED_ATTRIBUTES if attrs.get(name)}
    return ActualState(
        realm=gateway.realm, users=users, group_ids=group_ids, site_names=site_names, roles=roles, marker=marker,
        read_mode=mode, read_reason=reason, attributes_read=len(to_read), read_started_ms=read_started_ms,
    )


def _managed_groups(gateway: KeycloakGateway) -> tuple[dict[str, str], dict[str, str]]:
    group_ids: dict[str, str] = {}
    site_names: dict[str, str] = {}
    for parent in MANAGED_GROUP_PARENTS:
        group = gateway.group_by_path(f"/{parent}")
        if group is None:
            raise RuntimeError(f"realm {gateway.realm} has no /{parent} group: was it created from the realm template?")
        group_ids[f"/{parent}"] = str(group["id"])
        for child in gateway.group_children(str(group["id"])):
            path = f"/{parent}/{child['name']}"
            group_ids[path] = str(child["id"])
            if parent == catalog.SITES_GROUP:
                site_names[str(child["name"])] = ((child.get("attributes") or {}).get("name_zh") or [""])[0]
    del group_ids[f"/{catalog.DEPARTMENTS_GROUP}"], group_ids[f"/{catalog.SITES_GROUP}"]
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
    if "UPDATE_PROFILE" not in (config.get("enabledEventTypes") or ["UPDATE_PROFILE"]):
        return "full", "profile-update events are not stored"
    # The last apply's own final write must still be on record; if not, events were purged or expired.
    recorded = any(
        e.get("resourcePath") == f"groups/{marker.group_id}"
        for e in gateway.admin_events_since(marker.writes_ended_ms - 60_000, ("GROUP",))
    )
    if not recorded:
        return "full", "admin events since the last apply are gone (purged or expired)"
    return "incremental", f"snapshot of the apply at {marker.writes_ended_ms} plus events since"


def _touched_since(gateway: KeycloakGateway, marker: Marker) -> set[str]:
    """Ids of accounts that someone else may have changed since the last apply read them."""
    touched: set[str] = set()
    since = marker.read_started_ms - _MARGIN_MS
    for event in gateway.admin_events_since(since, ("USER", "REALM")):
        path = str(event.get("resourcePath") or "")
        if event.get("resourceType") == "REALM":
            if "events/config" in path or path.startswith("events"):
                touched.add("*")  # events were reconfigured: the record may have a gap
            continue
        user_id = path.split("/")[1] if path.startswith("users/") else ""
        if not user_id:
            continue
        ours = (
            (event.get("authDetails") or {}).get("userId") == marker.applier
            and int(event.get("time", 0)) <= marker.writes_ended_ms + _MARGIN_MS
            and user_id in marker.touched
        )
        if not ours:
            touched.add(user_id)
    for event in gateway.user_events_since(since, PROFILE_EVENTS):
        if event.get("userId"):
            touched.add(str(event["userId"]))
    return touched

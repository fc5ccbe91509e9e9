"""Settle the intents a killed apply left in the audit log, by looking at the realm as it is now.

Pure: an intent and the actual state in, "did it reach Keycloak" out. The applier writes the answer
to the audit log as a ``reconciled`` line, so a killed run's changes are on record after the next one.
"""

from __future__ import annotations

from typing import Any

from provisioning.actual import ActualState, ActualUser
from provisioning.plan import ChangeKind

_TOP_LEVEL = {"firstName": "first_name", "lastName": "last_name", "email": "email", "emailVerified": "email_verified"}


def _user(intent: dict[str, Any], actual: ActualState) -> ActualUser | None:
    by_id = {u.id: u for u in actual.users.values()}
    if intent.get("user_id") and intent["user_id"] in by_id:
        return by_id[str(intent["user_id"])]
    return actual.users.get(str(intent.get("account")))


def applied(intent: dict[str, Any], actual: ActualState) -> tuple[bool, str]:
    """Whether the change an intent announced is in the realm now, and how that was told."""
    kind, target, after = intent.get("change"), str(intent.get("target", "")), intent.get("after")
    if kind in (ChangeKind.CREATE_SITE, ChangeKind.UPDATE_SITE):
        return actual.site_names.get(target) == after, "site group as it is now"
    user = _user(intent, actual)
    if user is None:
        return False, "no such managed account now"
    if kind == ChangeKind.CREATE:
        return True, f"account {user.username} exists (id {user.id})"
    if kind == ChangeKind.RENAME:
        return user.username == after, f"account is named {user.username} now"
    if kind in (ChangeKind.DISABLE, ChangeKind.ENABLE):
        return user.enabled == after, f"account is {'enabled' if user.enabled else 'disabled'} now"
    if kind == ChangeKind.SIGN_OUT:
        return False, "sessions are checked, and ended, by this run"
    if kind == ChangeKind.UPDATE:
        now = getattr(user, _TOP_LEVEL[target]) if target in _TOP_LEVEL else (user.attributes or {}).get(target)
        return (now or None) == (after or None), f"{target} is {now!r} now"
    if kind in (ChangeKind.GRANT, ChangeKind.REVOKE):
        return (target in user.realm_roles) == (kind == ChangeKind.GRANT), "realm roles as they are now"
    if kind in (ChangeKind.JOIN, ChangeKind.LEAVE):
        return (target in user.groups) == (kind == ChangeKind.JOIN), "groups as they are now"
    return False, f"unknown change {kind!r}"

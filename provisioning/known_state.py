"""What an account's owned state is once a plan's changes are applied: pure, for the snapshot digests.

The applier knows which changes went through; this says what the account then holds, so the next
plan trusts the snapshot without reading the account again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from provisioning.plan import USER_FIELDS, Change, ChangeKind


def owned_state_after(
    attributes: Mapping[str, str], realm_roles: Iterable[str], groups: Iterable[str], changes: Iterable[Change]
) -> tuple[dict[str, str], set[str], set[str]]:
    """(attributes, realm roles, groups) provisioning owns, after ``changes``."""
    attrs, roles, paths = dict(attributes), set(realm_roles), set(groups)
    for change in changes:
        if change.kind == ChangeKind.UPDATE and change.target not in USER_FIELDS:
            if change.after:
                attrs[change.target] = str(change.after)
            else:
                attrs.pop(change.target, None)
        elif change.kind == ChangeKind.GRANT:
            roles.add(change.target)
        elif change.kind == ChangeKind.REVOKE:
            roles.discard(change.target)
        elif change.kind == ChangeKind.JOIN:
            paths.add(change.target)
        elif change.kind == ChangeKind.LEAVE:
            paths.discard(change.target)
    return attrs, roles, paths

"""Existing accounts: profile edits, renames, re-enables, role grants and revokes, group joins and leaves,
and disables followed by sign-out (disabling alone may leave live sessions)."""

from __future__ import annotations

from typing import cast

from provisioning import moments
from provisioning.apply_context import Step
from provisioning.keycloak_gateway import GatewayError
from provisioning.plan import USER_FIELDS, Change, ChangeKind, ExistingAccountPlan


class AccountApplier(Step):
    def apply(self, accounts: list[ExistingAccountPlan]) -> None:
        """Movers and re-hires first, then leavers."""
        self._each(self._change_account, [a for a in accounts if ChangeKind.DISABLE not in a.kinds])
        self._each(self._change_account, [a for a in accounts if ChangeKind.DISABLE in a.kinds])

    def _change_account(self, account: ExistingAccountPlan) -> None:
        user_id = account.user_id
        with self._lock:
            self.touched.add(user_id)  # our own events on it are not someone else's changes
        changes = list(account.changes)
        if ChangeKind.DISABLE in account.kinds:
            changes.append(Change(ChangeKind.SIGN_OUT, "sessions"))
        self.audit.intent(account.username, changes, user_id)
        try:
            self._profile(account, user_id)
            grants = [c.target for c in account.changes if c.kind == ChangeKind.GRANT]
            revokes = [c.target for c in account.changes if c.kind == ChangeKind.REVOKE]
            if grants:
                self.gateway.add_realm_roles(user_id, [self.actual.roles[r] for r in grants])
            if revokes:
                self.gateway.remove_realm_roles(user_id, [self.actual.roles[r] for r in revokes])
            for change in account.changes:
                if change.kind == ChangeKind.JOIN:
                    self.gateway.join_group(user_id, self.group_ids[change.target])
                elif change.kind == ChangeKind.LEAVE:
                    self.gateway.leave_group(user_id, self.group_ids[change.target])
            if ChangeKind.DISABLE in account.kinds:
                moments.reached(moments.DISABLED_NOT_SIGNED_OUT)
                self.gateway.logout_user(user_id)  # disabling alone may leave live sessions
                with self._lock:
                    self.signed_out.add(user_id)
        except (GatewayError, KeyError) as exc:
            self._fail(account.username, ",".join(sorted(account.kinds)), exc, changes, user_id)
            self.progress(1)
            return
        with self._lock:
            for change in account.changes:
                self.report.count(change.kind)
        self.audit.done(account.username, changes, user_id)
        self.progress(1)

    def _profile(self, account: ExistingAccountPlan, user_id: str) -> None:
        edits = [
            c
            for c in account.changes
            if c.kind in (ChangeKind.UPDATE, ChangeKind.ENABLE, ChangeKind.DISABLE, ChangeKind.RENAME)
        ]
        if not edits:
            return
        rep = self.gateway.get_user(user_id)  # PUT replaces: send the whole representation back
        attributes: dict[str, list[str]] = rep.get("attributes") or {}
        for change in edits:
            if change.kind in (ChangeKind.ENABLE, ChangeKind.DISABLE):
                rep["enabled"] = change.after
            elif change.target == "emailVerified":
                rep["emailVerified"] = bool(change.after)
            elif change.target in USER_FIELDS:  # a field of the representation itself, named by the plan
                cast(dict[str, object], rep)[change.target] = change.after or ""
            elif change.after:
                attributes[change.target] = [str(change.after)]
            else:
                attributes.pop(change.target, None)
        rep["attributes"] = attributes
        self.gateway.update_user(user_id, rep)

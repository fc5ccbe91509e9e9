"""Leavers' sessions, on every apply: a disabled managed account must have none (e.g. after an apply was
killed between its disable and its sign-out)."""

from __future__ import annotations

from provisioning.apply_context import Step
from provisioning.concurrent import concurrently
from provisioning.keycloak_gateway import GatewayError
from provisioning.plan import Change, ChangeKind


class SessionSweeper(Step):
    def apply(self) -> None:
        """Sign out every disabled managed account that still has a session (e.g. an apply killed between
        its disable and its sign-out): checked on every apply, not only when the account is disabled."""
        disabled = [u for u in self.actual.users.values() if not u.enabled and u.id not in self.signed_out]
        sessions = concurrently(lambda u: self.gateway.user_sessions(u.id), disabled, self.options.workers)
        for user, live in zip(disabled, sessions, strict=True):
            if not live:
                continue
            change = Change(ChangeKind.SIGN_OUT, "sessions", len(live), 0)
            self.audit.intent(user.username, [change], user.id)
            try:
                self.gateway.logout_user(user.id)
            except GatewayError as exc:
                self._fail(user.username, ChangeKind.SIGN_OUT, exc, [change], user.id)
                continue
            self.audit.done(user.username, [change], user.id, note="disabled account still had live sessions")
            self.report.signed_out.append(user.username)
            self.report.count(ChangeKind.SIGN_OUT)

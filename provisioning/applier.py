"""Carry out a plan under the realm's lock: the appliers per resource kind, in dependency order —
site groups (``apply_sites``), new accounts (``apply_joiners``), existing accounts (``apply_accounts``),
leavers' sessions (``apply_sessions``) — after settling what killed applies left in the audit log and
re-reading the realm; then the snapshot the next plan starts from. Every write has an audit intent
before it and an outcome after it.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable

from provisioning import moments
from provisioning.actual import ActualState
from provisioning.apply_accounts import AccountApplier
from provisioning.apply_context import BATCH, ApplyContext, ApplyOptions
from provisioning.apply_joiners import JoinerApplier
from provisioning.apply_sessions import SessionSweeper
from provisioning.apply_sites import SiteApplier
from provisioning.audit import AuditLog, unfinished
from provisioning.keycloak_gateway import GatewayError, KeycloakGateway
from provisioning.known_state import owned_state_after
from provisioning.marker import ApplyLock, clear_snapshot, ensure_marker, state_digest, write_snapshot
from provisioning.plan import ExistingAccountPlan, NewAccountPlan, Plan
from provisioning.reconcile import applied
from provisioning.report import ApplyReport

__all__ = ["BATCH", "Applier", "ApplyOptions", "RealmChanged"]


def lock_event_ms(gateway: KeycloakGateway, marker_id: str, lock_id: str) -> int | None:
    """Keycloak's time of this run's lock, from the lock's admin event (None if events are off).

    The snapshot's watermarks are compared with event times, which are Keycloak's clock; measuring them
    from this event plus the run's own elapsed (monotonic) time keeps an operator machine whose clock is
    off from missing events, with no estimate of anybody's clock offset.
    """
    for event in itertools.islice(gateway.admin_events_since(0, ("GROUP",), page=50), 50):
        if event.get("resourcePath") == f"groups/{marker_id}/children" and lock_id in str(event.get("representation")):
            return int(event["time"])
    return None


class RealmChanged(Exception):
    """The realm is no longer in the state the plan was made against."""


class Applier:
    """One apply: under the realm's lock, the appliers per resource kind in dependency order (site groups,
    new accounts, existing accounts, leavers' sessions), then the snapshot for the next plan."""

    def __init__(
        self,
        gateway: KeycloakGateway,
        actual: ActualState,
        audit: AuditLog,
        options: ApplyOptions,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.ctx = ApplyContext(
            gateway, actual, audit, options, progress or (lambda _n: None), group_ids=dict(actual.group_ids)
        )
        self.gateway, self.audit, self.options = gateway, audit, options
        #: Keycloak's time when the lock was taken, and this process's monotonic clock just before.
        self.lock_taken_ms = 0
        self._before_lock = 0.0

    @property
    def report(self) -> ApplyReport:
        return self.ctx.report

    @property
    def actual(self) -> ActualState:
        return self.ctx.actual

    def apply(
        self,
        plan: Plan,
        recheck: Callable[[], ActualState] | None = None,
        replan: Callable[[ActualState], Plan] | None = None,
    ) -> ApplyReport:
        """Take the realm's lock, read the realm again (``recheck``), settle what killed applies left, apply.

        If the realm changed since the plan, ``replan`` makes the plan again from what is there now (a
        plain apply); without it (a saved plan) the apply is refused.
        """
        started = time.monotonic()
        requests0, writes0 = self.gateway.requests, self.gateway.writes
        marker_id = ensure_marker(self.gateway, self.actual.marker)
        lock = ApplyLock(self.gateway, marker_id, self.options.lock_holder)
        local_before_ms, self._before_lock = time.time() * 1000, time.monotonic()
        lock.acquire()
        try:
            moments.reached(moments.LOCK_TAKEN)
            taken = lock_event_ms(self.gateway, marker_id, lock.group_id or "")
            # Events from the lock on are seen by the next run; the state before it is what ``recheck`` confirms.
            self.lock_taken_ms = taken if taken is not None else int(local_before_ms) - 1000
            if recheck is not None and plan.realm_exists:
                now = recheck()
                self._reconcile(now)
                if now.fingerprint() != plan.fingerprint:
                    if replan is None:
                        raise RealmChanged(
                            "the realm changed after the plan was made (someone else applied or edited); plan again"
                        )
                    plan, self.ctx.actual = replan(now), now
                    self.ctx.group_ids.clear()
                    self.ctx.group_ids.update(now.group_ids)
                    self.report.replanned = True
            stop = threading.Event()
            heartbeat = threading.Thread(target=self._heartbeat, args=(lock, stop), daemon=True)
            heartbeat.start()
            try:
                clear_snapshot(self.gateway, marker_id)
                SiteApplier(self.ctx).apply(plan)
                JoinerApplier(self.ctx).apply([a for a in plan.accounts if isinstance(a, NewAccountPlan)])
                AccountApplier(self.ctx).apply([a for a in plan.accounts if isinstance(a, ExistingAccountPlan)])
                self.sign_out_disabled()
                self._snapshot(plan, marker_id, lock.group_id or "")
            finally:
                stop.set()
                heartbeat.join(timeout=5)
        finally:
            lock.release()
            self.audit.close()
        self.report.seconds = time.monotonic() - started
        self.report.requests = self.gateway.requests - requests0
        self.report.writes = self.gateway.writes - writes0
        return self.report

    def _heartbeat(self, lock: ApplyLock, stop: threading.Event) -> None:
        while not stop.wait(30):
            with contextlib.suppress(GatewayError):
                lock.renew()

    def _reconcile(self, now: ActualState) -> None:
        """Write the outcome of every intent a killed apply left open, as Keycloak shows it now."""
        for intent in unfinished(self.audit.path, self.gateway.realm):
            done, how = applied(intent, now)
            self.audit.reconciled(intent, done, None, how)
            self.report.reconciled += 1

    def sign_out_disabled(self) -> None:
        """Leavers' live sessions, ended (also run alone when there is nothing else to apply)."""
        SessionSweeper(self.ctx).apply()

    def _snapshot(self, plan: Plan, marker_id: str, lock_id: str) -> None:
        """Digests of each account's owned state as it now stands, for accounts whose state is known for sure."""
        planned = {a.username: a for a in plan.accounts}
        joiners = {a.username: a.new for a in plan.accounts if isinstance(a, NewAccountPlan)}
        digests: set[bytes] = set()
        for username, user in self.actual.users.items():
            if username in self.ctx.failed_accounts or user.attributes is None or not user.memberships_known:
                continue
            account = planned.get(username)
            attributes, roles, groups = owned_state_after(
                user.attributes, user.realm_roles, user.groups, account.changes if account else ()
            )
            digests.add(state_digest(username, attributes, roles, groups))
        for username in self.ctx.created_ids:
            new = joiners[username]
            digests.add(state_digest(username, new.attributes, set(new.realm_roles), set(new.groups)))
        write_snapshot(
            self.gateway,
            marker_id,
            read_started_ms=self.lock_taken_ms,
            writes_ended_ms=self.lock_taken_ms + int((time.monotonic() - self._before_lock) * 1000),
            applier=self.gateway.subject,
            digests=digests,
            touched=self.ctx.touched,
            lock_id=lock_id,
        )

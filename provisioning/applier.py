"""Carry out a plan, by resource type in dependency order: site groups, new accounts, changes to
existing accounts (profile, roles, groups, re-enables), then disables with sign-out.

New accounts go in ``partialImport`` batches of 50 (Keycloak's cost per user grows with the batch) with
roles, groups, required actions and the one-time password inline, a few batches at once. ``SKIP``,
never ``OVERWRITE``: an account that appeared meanwhile is reported, not replaced. When the credentials
may not use partialImport (it needs ``manage-realm``), accounts are created one by one instead.
Every completed change is written to the audit log as it happens.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from provisioning.actual import ActualState
from provisioning import moments
from provisioning.audit import AuditLog, unfinished
from provisioning.keycloak_gateway import Forbidden, GatewayError, KeycloakGateway, Unavailable
from provisioning.marker import ApplyLock, clear_snapshot, ensure_marker, state_digest, write_snapshot
from provisioning.passwords import CredentialsFile, one_time_password
from provisioning.known_state import owned_state_after
from provisioning.plan import USER_FIELDS, AccountPlan, Change, ChangeKind, NewAccount, Plan
from provisioning.reconcile import applied
from provisioning.report import ApplyReport, Failure
from sso import catalog

#: partialImport's cost per user grows with the batch (KEYCLOAK.md); 25 with 3 in flight kept both cores busy here.
BATCH = 25



def server_clock_offset(gateway: KeycloakGateway, marker_id: str, lock_id: str,
                        local_before_ms: float) -> tuple[float, int | None]:
    """(Keycloak's clock minus ours, server time of the lock's creation), from the lock's admin event.

    Keycloak's responses carry no Date header, and event times are the server's: the watermarks must be
    too, or a skewed operator machine could miss events.
    """
    local_after_ms = time.time() * 1000
    for event in itertools.islice(gateway.admin_events_since(0, ("GROUP",), page=50), 50):
        if event.get("resourcePath") == f"groups/{marker_id}/children" and lock_id in str(event.get("representation")):
            return float(event["time"]) - (local_before_ms + local_after_ms) / 2, int(event["time"])
    return 0.0, None


class RealmChanged(Exception):
    """The realm is no longer in the state the plan was made against."""


@dataclass
class ApplyOptions:
    invite: bool = False  # execute-actions e-mail instead of a one-time password
    credentials: CredentialsFile | None = None
    batch_size: int = BATCH
    workers: int = 3
    #: requests in flight when accounts are created one by one (no partialImport): each is a small transaction
    create_workers: int = 16
    lock_holder: str = "wuye-sso provision"


class Applier:
    def __init__(self, gateway: KeycloakGateway, actual: ActualState, audit: AuditLog, options: ApplyOptions,
                 progress: Callable[[int], None] | None = None) -> None:
        self.gateway, self.actual, self.audit, self.options = gateway, actual, audit, options
        self.progress = progress or (lambda _n: None)
        self.report = ApplyReport()
        self.group_ids = dict(actual.group_ids)
        self.created_ids: dict[str, str] = {}  # username → id of accounts created by this apply
        self.clock_offset_ms = 0.0
        self.lock_taken_ms = 0
        self.touched: set[str] = set()
        self.failed_accounts: set[str] = set()
        self.signed_out: set[str] = set()
        self._lock = threading.Lock()
        # one password per account, whatever was killed when: reuse the row already in the credentials file
        self._passwords: dict[str, str] = options.credentials.known() if options.credentials else {}
        self._passwords_written: set[str] = set(self._passwords)

    # -- the whole apply, under the realm's lock ------------------------------------------------------
    def apply(self, plan: Plan, recheck: Callable[[], ActualState] | None = None,
              replan: Callable[[ActualState], Plan] | None = None) -> ApplyReport:
        """Take the realm's lock, read the realm again (``recheck``), settle what killed applies left, apply.

        If the realm changed since the plan, ``replan`` makes the plan again from what is there now (a
        plain apply); without it (a saved plan) the apply is refused.
        """
        started = time.monotonic()
        requests0, writes0 = self.gateway.requests, self.gateway.writes
        marker_id = ensure_marker(self.gateway, self.actual.marker)
        lock = ApplyLock(self.gateway, marker_id, self.options.lock_holder)
        local_before = time.time() * 1000
        lock.acquire()
        try:
            moments.reached(moments.LOCK_TAKEN)
            self.clock_offset_ms, lock_event_ms = server_clock_offset(
                self.gateway, marker_id, lock.group_id or "", local_before)
            # Events from the lock on are seen by the next run; the state before it is what ``recheck`` confirms.
            self.lock_taken_ms = int(
                lock_event_ms if lock_event_ms is not None else local_before + self.clock_offset_ms - 1000)
            if recheck is not None and plan.realm_exists:
                now = recheck()
                self._reconcile(now)
                if now.fingerprint() != plan.fingerprint:
                    if replan is None:
                        raise RealmChanged("the realm changed after the plan was made (someone else applied or edited); plan again")
                    plan, self.actual = replan(now), now
                    self.group_ids = dict(now.group_ids)
                    self.report.replanned = True
            stop = threading.Event()
            heartbeat = threading.Thread(target=self._heartbeat, args=(lock, stop), daemon=True)
            heartbeat.start()
            try:
                clear_snapshot(self.gateway, marker_id)
                self._sites(plan)
                self._creates([a for a in plan.accounts if a.new is not None])
                existing = [a for a in plan.accounts if a.new is None]
                self._each(self._change_account, [a for a in existing if ChangeKind.DISABLE not in a.kinds])
                self._each(self._change_account, [a for a in existing if ChangeKind.DISABLE in a.kinds])
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
            try:
                lock.renew()
            except GatewayError:
                pass

    def _fail(self, account: str, change: str, error: Exception, changes: list[Change] | None = None,
              user_id: str | None = None) -> None:
        with self._lock:
            self.report.failures.append(Failure(account, change, str(error)))
            self.failed_accounts.add(account)
        if changes:
            self.audit.failed(account, changes, str(error), user_id)

    # -- what killed applies left ---------------------------------------------------------------------
    def _reconcile(self, now: ActualState) -> None:
        """Write the outcome of every intent a killed apply left open, as Keycloak shows it now."""
        for intent in unfinished(self.audit.path, self.gateway.realm):
            done, how = applied(intent, now)
            self.audit.reconciled(intent, done, None, how)
            self.report.reconciled += 1

    # -- site groups ----------------------------------------------------------------------------------
    def _sites(self, plan: Plan) -> None:
        if not plan.sites:
            return
        parent = self.gateway.group_by_path(f"/{catalog.SITES_GROUP}")
        if parent is None:
            raise RuntimeError(f"realm {self.gateway.realm} has no /{catalog.SITES_GROUP} group")
        for change in plan.sites:
            path = catalog.site_group_path(change.target)
            attributes = {"name_zh": [str(change.after)]}
            account = f"site {change.target}"
            self.audit.intent(account, [change])
            try:
                if change.kind == ChangeKind.CREATE_SITE:
                    self.group_ids[path] = self.gateway.create_group(change.target, attributes, parent_id=parent["id"])
                elif change.kind == ChangeKind.UPDATE_SITE:
                    group = self.gateway.group(self.group_ids[path])
                    group["attributes"] = {**(group.get("attributes") or {}), **attributes}
                    self.gateway.update_group(self.group_ids[path], group)
            except GatewayError as exc:
                self._fail(account, change.kind, exc, [change])
                continue
            self.report.count(change.kind)
            self.audit.done(account, [change])

    # -- joiners --------------------------------------------------------------------------------------
    def _creates(self, accounts: list[AccountPlan]) -> None:
        if not accounts:
            return
        size = self.options.batch_size
        batches = [accounts[i:i + size] for i in range(0, len(accounts), size)]
        self.report.create_mode = "partialImport batches"
        try:
            self._create_batch_safely(batches[0])
        except Forbidden:
            self.report.create_mode = "one at a time, concurrently (these credentials may not use partialImport)"
            self.gateway.map(self._create_one, accounts, workers=self.options.create_workers)
            return
        self.gateway.map(self._create_batch_safely, batches[1:], workers=self.options.workers)

    def _create_batch_safely(self, batch: list[AccountPlan]) -> None:
        """A batch, or else its accounts one by one: one bad joiner never takes its batch down."""
        for attempt in (1, 2):
            try:
                self._create_batch(batch)
                return
            except Forbidden:
                raise
            except Unavailable:  # e.g. H2's lock timeout: the batch was rolled back, try once more
                if attempt == 1:
                    time.sleep(1)
                    continue
            except GatewayError:
                pass
            for account in batch:  # partialImport is one transaction: nothing of the batch was created
                self._create_one(account)
            return

    def _create_batch(self, batch: list[AccountPlan]) -> None:
        representations, secrets_rows = [], []
        for account in batch:
            assert account.new is not None
            rep, password = self._representation(account.new)
            representations.append(rep)
            if password:
                secrets_rows.append((account.username, account.new.employee_no, account.new.display_name, password))
        if self.options.credentials is not None:
            self._write_credentials(secrets_rows)
            moments.reached(moments.PASSWORDS_WRITTEN)
        for account in batch:
            self.audit.intent(account.username, account.changes)
        results = self.gateway.partial_import_users(representations, if_exists="SKIP")
        moments.reached(moments.JOINER_BATCH_IN_FLIGHT)
        outcome = {str(r.get("resourceName")): r for r in results if r.get("resourceType") == "USER"}
        for account in batch:
            result = outcome.get(account.username, {})
            if result.get("action") == "ADDED":
                self._created(account, str(result.get("id")), password_given=account.username in self._passwords)
            else:
                self._existing(account)

    def _create_one(self, account: AccountPlan) -> None:
        assert account.new is not None
        rep, password = self._representation(account.new)
        roles = rep.pop("realmRoles")
        if password and self.options.credentials is not None:
            self._write_credentials([(account.username, account.new.employee_no, account.new.display_name, password)])
            moments.reached(moments.PASSWORDS_WRITTEN)
        self.audit.intent(account.username, account.changes)
        try:
            user_id = self.gateway.create_user(rep)  # groups by path are accepted inline
        except GatewayError as exc:
            if exc.status == 409:
                self._existing(account)
            else:
                self._fail(account.username, ChangeKind.CREATE, exc, account.changes)
            self.progress(1)
            return
        with self._lock:
            self.touched.add(user_id)  # POST /users leaves USER events; partialImport's are type REALM
        try:
            self.gateway.add_realm_roles(user_id, [self.actual.roles[r] for r in roles])
        except GatewayError as exc:
            self.audit.done(account.username, [c for c in account.changes if c.kind != ChangeKind.GRANT], user_id)
            self._fail(account.username, ChangeKind.GRANT, exc, [c for c in account.changes if c.kind == ChangeKind.GRANT], user_id)
            self.progress(1)
            return
        self._created(account, user_id, password_given=bool(password))

    def _existing(self, account: AccountPlan) -> None:
        """The account was there when created: made by a killed earlier apply (adopt it), or not ours (skip)."""
        assert account.new is not None
        user = self.gateway.find_user(account.username)
        attributes = (user or {}).get("attributes") or {}
        if user is not None and attributes.get(catalog.MANAGED_ATTRIBUTE) == ["true"]:
            with self._lock:
                self.report.adopted.append(account.username)
                self.failed_accounts.add(account.username)  # its memberships are read again by the next run
            self.audit.done(account.username, account.changes, str(user["id"]), note="created by an earlier, killed apply")
        else:
            with self._lock:
                self.report.skipped.append(account.username)
                self.failed_accounts.add(account.username)
            self.audit.failed(account.username, account.changes, "an account with this username or e-mail exists "
                                                                 "and is not managed by provisioning")
        self.progress(1)

    def _representation(self, new: NewAccount) -> tuple[dict[str, Any], str | None]:
        rep: dict[str, Any] = {
            "username": new.username, "enabled": True, "firstName": new.first_name, "lastName": new.last_name,
            "attributes": {k: [v] for k, v in new.attributes.items()}, "realmRoles": list(new.realm_roles),
            "groups": list(new.groups), "requiredActions": list(new.required_actions),
        }
        if new.email:
            rep["email"] = new.email
            rep["emailVerified"] = new.email_verified
        password = None
        if not (self.options.invite and new.email) and self.options.credentials is not None:
            # one password per account: a retry, or a re-run after a kill, sets the one already in the file
            with self._lock:
                password = self._passwords.setdefault(new.username, one_time_password())
            rep["credentials"] = [{"type": "password", "value": password, "temporary": True}]
        return rep, password

    def _write_credentials(self, rows: list[tuple[str, str, str, str]]) -> None:
        """Write each account's one-time password once (before the account exists: never a lost password)."""
        assert self.options.credentials is not None
        with self._lock:
            fresh = [row for row in rows if row[0] not in self._passwords_written]
            self._passwords_written.update(row[0] for row in fresh)
        self.options.credentials.write(fresh)

    def _created(self, account: AccountPlan, user_id: str, password_given: bool) -> None:
        assert account.new is not None
        with self._lock:
            self.created_ids[account.username] = user_id
            self.report.count(ChangeKind.CREATE)
            if password_given:
                self.report.passwords_written += 1
            for change in account.changes:
                if change.kind != ChangeKind.CREATE:
                    self.report.count(change.kind)
        self.audit.done(account.username, account.changes, user_id)
        if self.options.invite and account.new.email:
            try:
                self.gateway.execute_actions_email(user_id, list(account.new.required_actions))
                with self._lock:
                    self.report.invitations_sent += 1
            except GatewayError as exc:
                self._fail(account.username, "invite", exc)
        self.progress(1)

    # -- movers, leavers, re-hires --------------------------------------------------------------------
    def _each(self, fn: Callable[[AccountPlan], None], accounts: list[AccountPlan]) -> None:
        self.gateway.map(fn, accounts, workers=self.options.workers)

    def _change_account(self, account: AccountPlan) -> None:
        assert account.user_id is not None
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

    def _profile(self, account: AccountPlan, user_id: str) -> None:
        edits = [c for c in account.changes if c.kind in (ChangeKind.UPDATE, ChangeKind.ENABLE, ChangeKind.DISABLE, ChangeKind.RENAME)]
        if not edits:
            return
        rep = self.gateway.get_user(user_id)  # PUT replaces: send the whole representation back
        attributes: dict[str, list[str]] = rep.get("attributes") or {}
        for change in edits:
            if change.kind in (ChangeKind.ENABLE, ChangeKind.DISABLE):
                rep["enabled"] = change.after
            elif change.target == "emailVerified":
                rep["emailVerified"] = bool(change.after)
            elif change.target in USER_FIELDS:
                rep[change.target] = change.after or ""
            elif change.after:
                attributes[change.target] = [str(change.after)]
            else:
                attributes.pop(change.target, None)
        rep["attributes"] = attributes
        self.gateway.update_user(user_id, rep)

    # -- leavers' sessions, every run -----------------------------------------------------------------
    def sign_out_disabled(self) -> None:
        """Sign out every disabled managed account that still has a session (e.g. an apply killed between
        its disable and its sign-out): checked on every apply, not only when the account is disabled."""
        disabled = [u for u in self.actual.users.values() if not u.enabled and u.id not in self.signed_out]
        sessions = self.gateway.map(lambda u: self.gateway.user_sessions(u.id), disabled, workers=self.options.workers)
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

    # -- the record for the next run ------------------------------------------------------------------
    def _snapshot(self, plan: Plan, marker_id: str, lock_id: str) -> None:
        """Digests of each account's owned state as it now stands, for accounts whose state is known for sure."""
        planned = {a.username: a for a in plan.accounts}
        digests: set[bytes] = set()
        for username, user in self.actual.users.items():
            if username in self.failed_accounts or user.attributes is None or not user.memberships_known:
                continue
            account = planned.get(username)
            attributes, roles, groups = owned_state_after(user.attributes, user.realm_roles, user.groups,
                                                          account.changes if account else ())
            digests.add(state_digest(username, attributes, roles, groups))
        for username in self.created_ids:
            new = planned[username].new
            assert new is not None
            digests.add(state_digest(username, new.attributes, set(new.realm_roles), set(new.groups)))
        write_snapshot(
            self.gateway, marker_id, read_started_ms=self.lock_taken_ms,
            writes_ended_ms=int(time.time() * 1000 + self.clock_offset_ms), applier=self.gateway.subject,
            digests=digests, touched=self.touched, lock_id=lock_id,
        )

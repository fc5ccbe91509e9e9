"""New accounts: ``partialImport`` batches (roles, groups, required actions and the one-time password inline,
a few batches at once), or one by one, concurrently, when the credentials may not use partialImport (it
needs ``manage-realm``; the provisioner has only ``manage-users``). ``SKIP``, never ``OVERWRITE``: an
account that appeared meanwhile is adopted if a killed earlier apply made it, else reported.
"""

from __future__ import annotations

import time

from provisioning import moments
from provisioning.activation import Activation, joiner_attributes, joiner_required_actions
from provisioning.apply_context import ApplyContext, Step
from provisioning.keycloak_gateway import Forbidden, GatewayError, Unavailable
from provisioning.keycloak_types import NewUserRep
from provisioning.passwords import CredentialsFile, one_time_password
from provisioning.plan import ChangeKind, NewAccount, NewAccountPlan
from sso import catalog


class JoinerApplier(Step):
    def __init__(self, ctx: ApplyContext) -> None:
        super().__init__(ctx)
        # one password per account, whatever was killed when: reuse the row already in the credentials file
        self._passwords: dict[str, str] = ctx.options.credentials.known() if ctx.options.credentials else {}
        self._passwords_written: set[str] = set(self._passwords)

    def apply(self, accounts: list[NewAccountPlan]) -> None:
        if not accounts:
            return
        size = self.options.batch_size
        batches = [accounts[i : i + size] for i in range(0, len(accounts), size)]
        self.report.create_mode = "partialImport batches"
        try:
            self._create_batch_safely(batches[0])
        except Forbidden:
            self.report.create_mode = "one at a time, concurrently (these credentials may not use partialImport)"
            self._each(self._create_one, accounts, self.options.create_workers)
            return
        self._each(self._create_batch_safely, batches[1:])

    def _create_batch_safely(self, batch: list[NewAccountPlan]) -> None:
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

    def _create_batch(self, batch: list[NewAccountPlan]) -> None:
        representations, secrets_rows = [], []
        for account in batch:
            rep, password = self._representation(account.new)
            representations.append(rep)
            if password:
                secrets_rows.append((account.username, account.new.employee_no, account.new.display_name, password))
        if self.options.credentials is not None:
            self._write_credentials(self.options.credentials, secrets_rows)
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

    def _create_one(self, account: NewAccountPlan) -> None:
        rep, password = self._representation(account.new)
        roles = rep.pop("realmRoles")
        if password and self.options.credentials is not None:
            self._write_credentials(
                self.options.credentials,
                [(account.username, account.new.employee_no, account.new.display_name, password)],
            )
            moments.reached(moments.PASSWORDS_WRITTEN)
        self.audit.intent(account.username, account.changes)
        try:
            user_id = self.gateway.create_user(rep)  # groups by path are accepted inline
        except GatewayError as exc:
            own = self._own_account(account) if exc.status == 409 else None
            if own is None:
                if exc.status == 409:
                    self._existing(account)
                else:
                    self._fail(account.username, ChangeKind.CREATE, exc, account.changes)
                    self.progress(1)
                return
            user_id = own  # made by a killed earlier apply (or by this one's retried request): carry on
            with self._lock:
                self.report.adopted.append(account.username)
        with self._lock:
            self.touched.add(user_id)  # POST /users leaves USER events; partialImport's are type REALM
        try:
            self.gateway.add_realm_roles(user_id, [self.actual.roles[r] for r in roles])
        except GatewayError as exc:
            self.audit.done(account.username, [c for c in account.changes if c.kind != ChangeKind.GRANT], user_id)
            self._fail(
                account.username,
                ChangeKind.GRANT,
                exc,
                [c for c in account.changes if c.kind == ChangeKind.GRANT],
                user_id,
            )
            self.progress(1)
            return
        self._created(account, user_id, password_given=bool(password))

    def _own_account(self, account: NewAccountPlan) -> str | None:
        """The id of the account with this username if provisioning made it (managed, same 工号): found by its
        工号 attribute, the way the state reader finds accounts by attribute."""
        query = f"{catalog.EMPLOYEE_NO_ATTRIBUTE}:{account.new.employee_no}"
        for user in self.gateway.search_users(query, brief=False):
            attributes = user.get("attributes") or {}
            if user.get("username") == account.username and attributes.get(catalog.MANAGED_ATTRIBUTE) == ["true"]:
                return user["id"]
        return None

    def _existing(self, account: NewAccountPlan) -> None:
        """The account was there when created: made by a killed earlier apply (adopt it), or not ours (skip)."""
        user_id = self._own_account(account)
        if user_id is not None:
            with self._lock:
                self.report.adopted.append(account.username)
                self.failed_accounts.add(account.username)  # its memberships are read again by the next run
            self.audit.done(account.username, account.changes, user_id, note="created by an earlier, killed apply")
        else:
            with self._lock:
                self.report.skipped.append(account.username)
                self.failed_accounts.add(account.username)
            self.audit.failed(
                account.username,
                account.changes,
                "an account with this username or e-mail exists and is not managed by provisioning",
            )
        self.progress(1)

    def _representation(self, new: NewAccount) -> tuple[NewUserRep, str | None]:
        rep: NewUserRep = {
            "username": new.username,
            "enabled": True,
            "firstName": new.first_name,
            "lastName": new.last_name,
            # SMS activation: queued in this same request, so no account exists without its activation
            "attributes": {k: [v] for k, v in new.attributes.items()} | joiner_attributes(self.options.activation),
            "realmRoles": list(new.realm_roles),
            "groups": list(new.groups),
            "requiredActions": joiner_required_actions(new.required_actions, self.options.activation),
        }
        if new.email:
            rep["email"] = new.email
            rep["emailVerified"] = new.email_verified
        password = None
        if self._gets_password(new) and self.options.credentials is not None:
            # one password per account: a retry, or a re-run after a kill, sets the one already in the file
            with self._lock:
                password = self._passwords.setdefault(new.username, one_time_password())
            rep["credentials"] = [{"type": "password", "value": password, "temporary": True}]
        return rep, password

    def _gets_password(self, new: NewAccount) -> bool:
        activation = self.options.activation
        return activation is Activation.ONE_TIME_PASSWORD or (activation is Activation.INVITE and not new.email)

    def _write_credentials(self, file: CredentialsFile, rows: list[tuple[str, str, str, str]]) -> None:
        """Write each account's one-time password once (before the account exists: never a lost password)."""
        with self._lock:
            fresh = [row for row in rows if row[0] not in self._passwords_written]
            self._passwords_written.update(row[0] for row in fresh)
        file.write(fresh)

    def _created(self, account: NewAccountPlan, user_id: str, password_given: bool) -> None:
        with self._lock:
            self.created_ids[account.username] = user_id
            self.report.count(ChangeKind.CREATE)
            if password_given:
                self.report.passwords_written += 1
            if self.options.activation is Activation.SMS:
                self.report.activations_queued += 1
            for change in account.changes:
                if change.kind != ChangeKind.CREATE:
                    self.report.count(change.kind)
        self.audit.done(account.username, account.changes, user_id)
        if self.options.activation is Activation.INVITE and account.new.email:
            try:
                self.gateway.execute_actions_email(user_id, list(account.new.required_actions))
                with self._lock:
                    self.report.invitations_sent += 1
            except GatewayError as exc:
                self._fail(account.username, "invite", exc)
        self.progress(1)

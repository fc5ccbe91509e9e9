"""What the appliers of one apply share: the gateway, the state read, the audit log, the report, and
which accounts were touched, failed, created or signed out. Concurrency is the appliers' (``concurrent.py``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from provisioning.activation import Activation
from provisioning.actual import ActualState
from provisioning.audit import AuditLog
from provisioning.concurrent import concurrently
from provisioning.keycloak_gateway import KeycloakGateway
from provisioning.passwords import CredentialsFile
from provisioning.plan import Change
from provisioning.report import ApplyReport, Failure

T = TypeVar("T")

#: partialImport's cost per user grows with the batch (KEYCLOAK.md); 25 with 3 in flight kept both cores busy here.
BATCH = 25


@dataclass
class ApplyOptions:
    activation: Activation = Activation.ONE_TIME_PASSWORD
    #: where one-time passwords go; ``None``: joiners get none (SMS activation, or the benchmark's no-password run)
    credentials: CredentialsFile | None = None
    batch_size: int = BATCH
    workers: int = 3
    #: requests in flight when accounts are created one by one (no partialImport): each is a small transaction
    create_workers: int = 16
    lock_holder: str = "wuye-sso provision"


@dataclass
class ApplyContext:
    gateway: KeycloakGateway
    actual: ActualState
    audit: AuditLog
    options: ApplyOptions
    progress: Callable[[int], None] = lambda _n: None
    report: ApplyReport = field(default_factory=ApplyReport)
    lock: threading.Lock = field(default_factory=threading.Lock)
    group_ids: dict[str, str] = field(default_factory=dict)
    created_ids: dict[str, str] = field(default_factory=dict)  # username → id of accounts created by this apply
    touched: set[str] = field(default_factory=set)  # ids whose events are this apply's own
    failed_accounts: set[str] = field(default_factory=set)
    signed_out: set[str] = field(default_factory=set)


class Step:
    """One resource kind's applier; the shared state under the names the steps use."""

    def __init__(self, ctx: ApplyContext) -> None:
        self.ctx = ctx
        self.gateway, self.actual, self.audit, self.options = ctx.gateway, ctx.actual, ctx.audit, ctx.options
        self.report, self.progress, self._lock = ctx.report, ctx.progress, ctx.lock
        self.group_ids, self.created_ids, self.touched = ctx.group_ids, ctx.created_ids, ctx.touched
        self.failed_accounts, self.signed_out = ctx.failed_accounts, ctx.signed_out

    def _fail(
        self,
        account: str,
        change: str,
        error: Exception,
        changes: list[Change] | None = None,
        user_id: str | None = None,
    ) -> None:
        with self._lock:
            self.report.failures.append(Failure(account, change, str(error)))
            self.failed_accounts.add(account)
        if changes:
            self.audit.failed(account, changes, str(error), user_id)

    def _each(self, fn: Callable[[T], None], items: Iterable[T], workers: int | None = None) -> None:
        concurrently(fn, items, workers or self.options.workers)

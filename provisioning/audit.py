"""The audit log: JSON lines, an intent before each write to Keycloak and its outcome after.

Each line: time, run, phase (``intent`` | ``done`` | ``failed`` | ``reconciled``), operator, realm, account,
user id, change, target, before/after. A run killed between intent and outcome leaves intents alone;
the next apply finds them (``unfinished``), looks at Keycloak and writes a ``reconciled`` line saying
whether the change reached it. So every change that reached Keycloak is on record, killed or not.

Never a password: joiners' one-time passwords go only to the credentials file. The file is 0600
(it holds mobiles). Every line goes through ``_append``, into the project's hash chain
(``sso.audit_chain``): ``wuye-sso audit verify`` finds a changed, removed or reordered line.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from provisioning.plan import Change
from sso.audit_chain import ChainWriter

INTENT, DONE, FAILED, RECONCILED = "intent", "done", "failed", "reconciled"


class AuditLog:
    def __init__(self, path: Path | None, operator: str, realm: str) -> None:
        self.path, self.operator, self.realm = path, operator, realm
        self.run = uuid.uuid4().hex[:12]
        self._lock = threading.Lock()
        self._writer: ChainWriter | None = None
        self.lines = 0

    def intent(self, account: str, changes: Iterable[Change], user_id: str | None = None) -> None:
        """Before the write: what is about to be asked of Keycloak."""
        for change in changes:
            self._entry(INTENT, account, change.kind, change.target, change.before, change.after, user_id)

    def done(self, account: str, changes: Iterable[Change], user_id: str | None = None, note: str = "") -> None:
        for change in changes:
            self._entry(DONE, account, change.kind, change.target, change.before, change.after, user_id, note=note)

    def failed(self, account: str, changes: Iterable[Change], error: str, user_id: str | None = None) -> None:
        for change in changes:
            self._entry(FAILED, account, change.kind, change.target, change.before, change.after, user_id, error=error)

    def reconciled(self, intent: dict[str, Any], applied: bool, user_id: str | None, how: str) -> None:
        """An intent of a killed run, settled by looking at Keycloak now."""
        self._entry(
            RECONCILED,
            str(intent.get("account")),
            str(intent.get("change")),
            str(intent.get("target", "")),
            intent.get("before"),
            intent.get("after"),
            user_id or intent.get("user_id"),
            of_run=intent.get("run"),
            applied=applied,
            note=how,
        )

    def record(
        self,
        account: str,
        change: str,
        target: str = "",
        before: Any = None,
        after: Any = None,
        user_id: str | None = None,
    ) -> None:
        """A change done in one step with nothing to reconcile (e.g. after an intent of its own)."""
        self._entry(DONE, account, change, target, before, after, user_id)

    def _entry(
        self,
        phase: str,
        account: str,
        change: str,
        target: str,
        before: Any,
        after: Any,
        user_id: str | None,
        **extra: Any,
    ) -> None:
        entry = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "run": self.run,
            "phase": phase,
            "operator": self.operator,
            "realm": self.realm,
            "account": account,
            "user_id": user_id,
            "change": change,
            "target": target,
            "before": before,
            "after": after,
        }
        entry.update({k: v for k, v in extra.items() if v not in (None, "")})
        self._append(entry)

    def _append(self, entry: dict[str, Any]) -> None:
        """Every audit line is written here, and only here: into the project's hash chain (``sso.audit_chain``),
        whose lock this run holds from its first line to ``close`` (one apply per realm at a time anyway)."""
        with self._lock:
            self.lines += 1
            if self.path is None:
                return
            if self._writer is None:
                self._writer = ChainWriter(self.path)
            self._writer.append(entry)

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None


def _entries(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as lines:
            for text in lines:
                try:
                    entry = json.loads(text)
                except ValueError:
                    continue  # a line cut by a kill mid-write
                if isinstance(entry, dict):
                    yield entry
    except FileNotFoundError:
        return


def unfinished(path: Path | None, realm: str) -> list[dict[str, Any]]:
    """Intents in the log (for ``realm``) with neither an outcome from their run nor a reconciliation since."""
    if path is None:
        return []

    def key(entry: dict[str, Any], run: object) -> tuple[object, ...]:
        return run, entry.get("account"), entry.get("change"), entry.get("target")

    open_intents: dict[tuple[object, ...], dict[str, Any]] = {}
    for entry in _entries(path):
        if entry.get("realm") != realm:
            continue
        phase = entry.get("phase")
        if phase == INTENT:
            open_intents[key(entry, entry.get("run"))] = entry
        elif phase in (DONE, FAILED):
            open_intents.pop(key(entry, entry.get("run")), None)
        elif phase == RECONCILED:
            open_intents.pop(key(entry, entry.get("of_run")), None)
    return list(open_intents.values())

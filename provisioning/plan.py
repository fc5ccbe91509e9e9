"""A plan: the typed changes that take the realm from its actual state to the roster, grouped by account.

Printable (``plan_render``) and saved as JSON; a saved plan carries the fingerprint of the realm state
it was made against, so ``apply --plan`` can refuse when the realm has changed since.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

PLAN_FORMAT = 1


class ChangeKind(StrEnum):
    """What a change does; in the order an apply carries them out for one account. Saved plans and the
    audit log hold the values."""

    CREATE = "create"
    RENAME = "rename"
    UPDATE = "update"
    GRANT = "grant"
    REVOKE = "revoke"
    JOIN = "join"
    LEAVE = "leave"
    DISABLE = "disable"
    ENABLE = "enable"
    SIGN_OUT = "sign-out"  # ending a disabled account's live sessions (audit only, never planned)
    CREATE_SITE = "create-site"
    UPDATE_SITE = "update-site"


#: what an ``update`` may target besides attributes: fields of Keycloak's UserRepresentation itself
USER_FIELDS = frozenset({"firstName", "lastName", "email", "emailVerified", "username"})


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    #: what changes: a field or attribute name, a role, a group path, a site code
    target: str = ""
    before: Any = None
    after: Any = None


@dataclass
class NewAccount:
    """Everything needed to create an account (no password: one is made at apply time, if any)."""

    username: str
    employee_no: str
    display_name: str
    first_name: str
    last_name: str
    email: str | None
    phone: str
    realm_roles: list[str]
    groups: list[str]
    attributes: dict[str, str]
    required_actions: list[str]
    email_verified: bool = False


@dataclass
class NewAccountPlan:
    """A joiner: the account does not exist yet; ``new`` is everything its create request needs."""

    username: str
    changes: list[Change]
    new: NewAccount
    name: str = ""  # display name, for people reading the plan

    @property
    def kinds(self) -> set[ChangeKind]:
        return {c.kind for c in self.changes}


@dataclass
class ExistingAccountPlan:
    """Changes to an account that exists (its Keycloak id known): movers, renames, leavers, re-hires."""

    username: str
    user_id: str
    changes: list[Change]
    why: str = ""  # for disables: absent from the roster, or status leaving
    name: str = ""  # display name, for people reading the plan

    @property
    def kinds(self) -> set[ChangeKind]:
        return {c.kind for c in self.changes}


#: One account's part of a plan: created, or changed.
AccountPlan = NewAccountPlan | ExistingAccountPlan


@dataclass(frozen=True)
class Conflict:
    """A joiner (or renamed account) wants a username, e-mail or mobile another account holds: not planned."""

    username: str  # the roster entry's account
    source: str  # where it is in the roster
    field: str  # username | email | mobile
    value: str
    holder: str  # the other side's username
    holder_kind: str  # "managed account, enabled", "unmanaged account, disabled"…
    hint: str = ""

    def __str__(self) -> str:
        hint = f"; {self.hint}" if self.hint else ""
        return (
            f"{self.source}: {self.username} wants {self.field} {self.value!r}, "
            f"held by {self.holder} ({self.holder_kind}){hint}"
        )


@dataclass
class Plan:
    realm: str
    company_name: str
    realm_exists: bool
    fingerprint: str
    roster: str
    managed_accounts: int
    sites: list[Change] = field(default_factory=list)
    accounts: list[AccountPlan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    roster_sha256: str = ""  # of the roster file the plan was made from
    format: int = PLAN_FORMAT

    @property
    def empty(self) -> bool:
        return not self.sites and not self.accounts and self.realm_exists

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for a in self.accounts for c in a.changes if c.kind == kind) + sum(
            1 for c in self.sites if c.kind == kind
        )

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {k.value: self.count(k) for k in ChangeKind if k is not ChangeKind.SIGN_OUT}
        counts["accounts"] = len(self.accounts)
        counts["conflicts"] = len(self.conflicts)
        return counts

    @property
    def disable_share(self) -> float:
        """Share of managed accounts this plan would disable (the mass-disable guard reads it)."""
        return self.count(ChangeKind.DISABLE) / self.managed_accounts if self.managed_accounts else 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: Path) -> None:
        """Mode 0600, like the credentials file: a plan holds staff mobiles and e-mails."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, json.dumps(self.to_json(), ensure_ascii=False, indent=1).encode("utf-8"))
        finally:
            os.close(fd)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        if data.get("format") != PLAN_FORMAT:
            raise ValueError(f"plan format {data.get('format')!r} is not {PLAN_FORMAT}")
        accounts: list[AccountPlan] = [
            NewAccountPlan(
                username=a["username"],
                changes=[_change(c) for c in a["changes"]],
                new=NewAccount(**a["new"]),
                name=a.get("name", ""),
            )
            if a.get("new")
            else ExistingAccountPlan(
                username=a["username"],
                user_id=a["user_id"],
                changes=[_change(c) for c in a["changes"]],
                why=a.get("why", ""),
                name=a.get("name", ""),
            )
            for a in data["accounts"]
        ]
        return cls(
            realm=data["realm"],
            company_name=data["company_name"],
            realm_exists=data["realm_exists"],
            fingerprint=data["fingerprint"],
            roster=data["roster"],
            managed_accounts=data["managed_accounts"],
            sites=[_change(c) for c in data["sites"]],
            accounts=accounts,
            notes=list(data.get("notes", [])),
            conflicts=[Conflict(**c) for c in data.get("conflicts", [])],
            roster_sha256=str(data.get("roster_sha256", "")),
        )

    @classmethod
    def load(cls, path: Path) -> Plan:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def _change(data: dict[str, Any]) -> Change:
    return Change(ChangeKind(data["kind"]), data.get("target", ""), data.get("before"), data.get("after"))

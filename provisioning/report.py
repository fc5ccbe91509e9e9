"""What an apply did, for people (``plan_render``) and machines (``--json``): apart from the applier,
so the view does not depend on the executor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Failure:
    account: str
    change: str
    error: str


@dataclass
class ApplyReport:
    done: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # accounts that already existed and are not provisioning's
    #: accounts a killed earlier apply had created (found by this one, taken over, nothing set twice)
    adopted: list[str] = field(default_factory=list)
    #: intents of killed applies settled by looking at Keycloak: (account, change, applied)
    reconciled: int = 0
    #: disabled accounts found with live sessions and signed out
    signed_out: list[str] = field(default_factory=list)
    replanned: bool = False  # the realm changed between plan and lock; the plan was made again
    passwords_written: int = 0
    invitations_sent: int = 0
    activations_queued: int = 0  # joiners created with an activation SMS queued (Keycloak sends it)
    seconds: float = 0.0
    requests: int = 0
    writes: int = 0
    create_mode: str = ""

    def count(self, kind: str, n: int = 1) -> None:  # a ChangeKind (a str)
        self.done[kind] = self.done.get(kind, 0) + n

    def as_json(self) -> dict[str, Any]:
        return {
            "done": self.done,
            "failures": [f.__dict__ for f in self.failures],
            "skipped": self.skipped,
            "adopted": self.adopted,
            "reconciled": self.reconciled,
            "signed_out": self.signed_out,
            "replanned": self.replanned,
            "passwords_written": self.passwords_written,
            "invitations_sent": self.invitations_sent,
            "activations_queued": self.activations_queued,
            "seconds": round(self.seconds, 3),
            "requests": self.requests,
            "writes": self.writes,
            "create_mode": self.create_mode,
        }

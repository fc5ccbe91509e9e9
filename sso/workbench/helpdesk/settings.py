"""The help desk's settings: its own service account (``helpdesk`` client) and where the audit logs are."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: Confidential client whose service account the help desk acts through (realm template).
HELPDESK_CLIENT_ID = "helpdesk"


@dataclass(frozen=True)
class HelpdeskSettings:
    #: ``WUYE_HELPDESK_CLIENT_SECRET``: the realm's ``helpdesk`` client secret (never the master admin's).
    client_secret: str = field(repr=False)
    #: ``WUYE_AUDIT_LOG``: the hash-chained audit log the help desk appends to (``sso.audit_chain``).
    audit_log: Path = Path("wuye-audit.jsonl")
    #: ``WUYE_PROVISIONING_AUDIT_LOG``: provisioning's audit lines, read for a person's timeline (optional).
    provisioning_audit_log: Path | None = None
    client_id: str = HELPDESK_CLIENT_ID

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HelpdeskSettings | None:
        """``None`` when no secret is set: the help desk then says it is not configured, nothing else breaks."""
        env = os.environ if env is None else env
        secret = env.get("WUYE_HELPDESK_CLIENT_SECRET", "")
        if not secret:
            return None
        provisioning = env.get("WUYE_PROVISIONING_AUDIT_LOG")
        return cls(
            client_secret=secret,
            audit_log=Path(env.get("WUYE_AUDIT_LOG") or "wuye-audit.jsonl"),
            provisioning_audit_log=Path(provisioning) if provisioning else None,
        )

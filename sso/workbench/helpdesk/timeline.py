"""One history per person from three sources: Keycloak's login and admin events, provisioning's audit lines,
and the help desk's own (chained) audit log. Also the rows ``wuye-sso audit export`` writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sso.audit_chain import read_records
from sso.workbench.helpdesk.keycloak_api import JsonObject


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    #: ``login`` (Keycloak login events), ``admin`` (Keycloak admin events), ``provisioning``, ``helpdesk``
    source: str
    what: str
    who: str
    detail: str
    user_id: str

    def row(self) -> dict[str, str]:
        return {
            "time": self.at.isoformat(timespec="seconds"),
            "source": self.source,
            "what": self.what,
            "who": self.who,
            "user_id": self.user_id,
            "detail": self.detail,
        }


def _from_millis(value: object) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(value) / 1000 if isinstance(value, (int, float)) else 0, dt.UTC)


def _from_iso(value: object) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def login_entries(events: Iterable[JsonObject]) -> list[Entry]:
    out = []
    for e in events:
        details = e.get("details") or {}
        extra = ", ".join(
            f"{k}={v}" for k, v in sorted(details.items()) if k in ("auth_method", "username", "redirect_uri")
        )
        detail = " ".join(
            x for x in (f"error={e['error']}" if e.get("error") else "", f"ip={e.get('ipAddress', '')}", extra) if x
        )
        out.append(
            Entry(
                _from_millis(e.get("time")),
                "login",
                str(e.get("type", "")),
                str(e.get("clientId") or ""),
                detail,
                str(e.get("userId") or ""),
            )
        )
    return out


def admin_entries(events: Iterable[JsonObject]) -> list[Entry]:
    out = []
    for e in events:
        auth = e.get("authDetails") or {}
        path = str(e.get("resourcePath") or "")
        user_id = path.split("users/", 1)[1].split("/", 1)[0] if "users/" in path else ""
        out.append(
            Entry(
                _from_millis(e.get("time")),
                "admin",
                f"{e.get('operationType', '')} {e.get('resourceType', '')}",
                str(auth.get("userId") or ""),
                path,
                user_id,
            )
        )
    return out


def record_entries(records: Iterable[Mapping[str, object]], source: str) -> list[Entry]:
    """Lines of provisioning's audit log or the help desk's chain (both carry ``time``, ``operator``, ``user_id``)."""
    out = []
    for r in records:
        at = _from_iso(r.get("time"))
        if at is None:
            continue
        what = str(r.get("action") or r.get("change") or "")
        detail = " ".join(f"{k}={r[k]}" for k in ("target", "reason", "account", "after") if r.get(k) not in (None, ""))
        out.append(Entry(at, source, what, str(r.get("operator") or ""), detail, str(r.get("user_id") or "")))
    return out


def file_entries(path: Path | None, source: str) -> list[Entry]:
    if path is None or not path.exists():
        return []
    return record_entries(read_records(path), source)


def merged(*sources: Iterable[Entry]) -> list[Entry]:
    """All entries, newest first."""
    return sorted((e for source in sources for e in source), key=lambda e: e.at, reverse=True)


def for_person(entries: Iterable[Entry], user_id: str, username: str = "") -> list[Entry]:
    return [e for e in entries if e.user_id == user_id or (username and f"account={username}" in e.detail.split())]

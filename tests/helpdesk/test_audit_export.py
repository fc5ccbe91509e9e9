"""``wuye-sso audit export`` against the real Keycloak: login and admin events of the day, beside the audit logs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from sso.audit_chain import AuditChain
from sso.audit_cli import main as audit_main
from tests.support.oidc_login import workbench_tokens
from tests.support.realms import TestRealm


def test_export_has_keycloak_s_events_and_the_help_desk_s_lines_for_the_day(
    realm: TestRealm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    user_id = realm.create_user("e7001", "Start-2026-x9")
    workbench_tokens(realm, "e7001", "Start-2026-x9")  # a LOGIN event
    realm.admin().user_logout(user_id)  # an admin event
    log = tmp_path / "wuye-audit.jsonl"
    AuditChain(log).append({"operator": "=IT001", "action": "sign-out", "user_id": user_id, "reason": "lost phone"})
    monkeypatch.setenv("WUYE_ISSUER", realm.issuer)
    monkeypatch.setenv("WUYE_HELPDESK_CLIENT_SECRET", realm.settings.helpdesk_client_secret)
    today = dt.datetime.now(dt.UTC).date().isoformat()

    assert audit_main(["export", "--since", today, "--until", today, "--log", f"helpdesk={log}"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    sources = {(r["source"], r["what"]) for r in rows if r["user_id"] == user_id}
    assert ("login", "LOGIN") in sources and ("helpdesk", "sign-out") in sources
    assert any(s == "admin" for s, _ in sources), sources

    out = tmp_path / "export.csv"
    assert (
        audit_main(
            [
                "export",
                "--since",
                today,
                "--until",
                today,
                "--format",
                "csv",
                "--log",
                f"helpdesk={log}",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert table[0] == ["time", "source", "what", "who", "user_id", "detail"]
    assert [r[3] for r in table if r[1] == "helpdesk"] == ["'=IT001"]  # formula-safe

    earlier = (dt.date.fromisoformat(today) - dt.timedelta(days=2)).isoformat()
    assert audit_main(["export", "--since", earlier, "--until", earlier, "--log", f"helpdesk={log}"]) == 0
    assert capsys.readouterr().out == ""

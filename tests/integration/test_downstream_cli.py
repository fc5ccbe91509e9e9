"""``wuye-sso downstream apply`` against the real realm: creates the declared clients, puts a client changed by hand
back the way it was declared, and writes each secret to a 0600 file, never to the output."""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
from pathlib import Path
from unittest import mock

from sso.downstream import cli
from tests.support.realms import TestRealm

DECLARATION = """systems:
  - client_id: billing
    name: 收费系统 Billing
    redirect_uris: [https://billing.example.com/oauth2/callback]
    permissions: [billing.view]
"""


def run(realm: TestRealm, declaration: Path, secrets_dir: Path) -> tuple[int, str]:
    out = io.StringIO()
    env = {"KEYCLOAK_ADMIN_USERNAME": realm.endpoint.admin_username,
           "KEYCLOAK_ADMIN_PASSWORD": realm.endpoint.admin_password}  # fmt: skip
    with mock.patch.dict(os.environ, env), contextlib.redirect_stdout(out):
        code = cli.main(["apply", str(declaration), "--realm", realm.name, "--keycloak-url", realm.endpoint.base_url,
                         "--secrets-dir", str(secrets_dir)])  # fmt: skip
    return code, out.getvalue()


def test_apply_creates_the_client_and_puts_back_what_was_changed_by_hand(realm: TestRealm, tmp_path: Path) -> None:
    declaration = tmp_path / "systems.yaml"
    declaration.write_text(DECLARATION, encoding="utf-8")
    code, out = run(realm, declaration, tmp_path / "secrets")
    assert code == 0, out
    secret_file = tmp_path / "secrets" / "billing.client-secret"
    secret = secret_file.read_text().strip()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600 and secret not in out

    admin = realm.admin()
    client_uuid = admin.get_client_id("billing")
    assert client_uuid is not None
    workbench = admin.get_client_id("staff-workbench")
    # someone "helps" in the admin console: full scope on, the roles scope added, a role and a mapper more
    admin.update_client(client_uuid, {"fullScopeAllowed": True, "directAccessGrantsEnabled": True})
    roles_scope = next(s for s in admin.get_client_scopes() if s["name"] == "roles")
    admin.add_client_default_client_scope(client_uuid, roles_scope["id"], {})
    path = f"admin/realms/{realm.name}/clients/{client_uuid}/scope-mappings/clients/{workbench}"
    admin.connection.raw_post(path, data=json.dumps([admin.get_client_role(str(workbench), "admin.accounts")]))

    code, out = run(realm, declaration, tmp_path / "secrets")
    assert code == 0, out
    client = admin.get_client(client_uuid)
    assert client["fullScopeAllowed"] is False and client["directAccessGrantsEnabled"] is False
    assert "roles" not in {s["name"] for s in admin.get_client_default_client_scopes(client_uuid)}
    assert [r["name"] for r in admin.connection.raw_get(path).json()] == ["billing.view"]
    assert sorted(m["name"] for m in admin.get_mappers_from_client(client_uuid)) == [
        "employee number",
        "full name",
        "groups",
        "permissions",
    ]

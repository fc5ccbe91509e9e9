"""``wuye-sso workorder-api`` starts a real server that trusts the realm named on its command line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sso.workorder_api.serve import main
from sso.workorder_api.settings import SettingsError, WorkorderApiSettings
from tests.support.realms import TestRealm
from tests.verify.keycloak_tokens import sign_in

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Serve-pass-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_without_a_trusted_issuer_it_refuses_to_start_and_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WUYE_WORKORDER_API_ISSUERS", raising=False)
    assert main([]) == 2
    assert "WUYE_WORKORDER_API_ISSUERS" in capsys.readouterr().err


def test_settings_name_a_bad_port_and_a_non_realm_issuer() -> None:
    with pytest.raises(SettingsError, match="WUYE_WORKORDER_API_PORT"):
        WorkorderApiSettings.from_env({"WUYE_WORKORDER_API_PORT": "eighty"})
    settings = WorkorderApiSettings.from_env({"WUYE_WORKORDER_API_ISSUERS": "https://sso.example.com/"})
    with pytest.raises(SettingsError, match="not a Keycloak realm URL"):
        settings.check()
    assert "s3cr3t" not in repr(WorkorderApiSettings(("https://x/realms/a",), client_secret="s3cr3t"))


def test_the_served_api_lists_demo_orders_for_a_signed_in_member_of_the_site(realm: TestRealm) -> None:
    admin = realm.admin()
    admin.create_group({"name": "lvyuan"}, parent=admin.get_group_by_path("/sites")["id"])
    realm.create_user("e9101", PASSWORD, groups=("/sites/lvyuan",))
    tokens = sign_in(realm, "e9101", PASSWORD)
    port = free_port()
    env = dict(os.environ, WUYE_WORKORDER_API_CLIENT_SECRET=realm.settings.workorder_api_client_secret)
    process = subprocess.Popen(
        [sys.executable, "-m", "wuye_sso.cli", "workorder-api", "--issuer", realm.issuer, "--port", str(port),
         "--demo", f"{realm.name}:lvyuan"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else "exited"
            assert time.monotonic() < deadline, "the API did not answer /healthz within 30 s"
            time.sleep(0.2)
        listed = httpx.get(f"{base}/api/workorders", headers={"Authorization": f"Bearer {tokens.access_token}"})
        assert listed.status_code == 200
        assert listed.json()["count"] == 3 and {o["site"] for o in listed.json()["items"]} == {"lvyuan"}
        assert httpx.get(f"{base}/api/workorders").status_code == 401
        assert httpx.get(f"{base}/openapi.json").json()["servers"] == [{"url": base}]
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0].decode()
    assert tokens.access_token not in output and realm.settings.workorder_api_client_secret not in output

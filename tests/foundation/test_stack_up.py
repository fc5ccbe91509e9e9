"""`make up` on this machine: the whole stack comes up with the sample company, a second `up` changes nothing,
and `make down` stops it all. Uses the session's Keycloak through KEYCLOAK_URL (the local start is tested apart)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from devstack.keycloak_server import KeycloakEndpoint, free_port, port_in_use
from devstack.paths import PROJECT_ROOT


def _stack(action: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wuye_sso", "stack", action],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=PROJECT_ROOT,
        check=False,
    )


@pytest.fixture(scope="module")
def stack_env(keycloak: KeycloakEndpoint, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    state = tmp_path_factory.mktemp("stack")
    roster = yaml.safe_load((PROJECT_ROOT / "examples" / "roster.yaml").read_text(encoding="utf-8"))
    roster["tenant"] = f"stack-{uuid.uuid4().hex[:8]}"  # its own realm on the shared test Keycloak
    (state / "roster.yaml").write_text(yaml.safe_dump(roster, allow_unicode=True), encoding="utf-8")
    env = dict(os.environ)
    env.update(
        {
            "WUYE_STATE_DIR": str(state),
            "WUYE_STACK_ROSTER": str(state / "roster.yaml"),
            "KEYCLOAK_URL": keycloak.base_url,
            "KEYCLOAK_ADMIN_USERNAME": keycloak.admin_username,
            "KEYCLOAK_ADMIN_PASSWORD": keycloak.admin_password,
            "WUYE_WORKBENCH_PORT": str(free_port()),
            "WUYE_WORKORDER_API_PORT": str(free_port()),
            "WUYE_SMTP_PORT": str(free_port()),
            "WUYE_SMS_OUTBOX_PORT": str(free_port()),
            "WUYE_TENANT": roster["tenant"],
        }
    )
    yield env
    _stack("down", env)


def test_make_up_brings_the_sample_company_online_and_make_down_stops_it(stack_env: dict[str, str]) -> None:
    env, state = stack_env, Path(stack_env["WUYE_STATE_DIR"])
    up = _stack("up", env)
    assert up.returncode == 0, up.stdout + up.stderr
    workbench = f"http://127.0.0.1:{env['WUYE_WORKBENCH_PORT']}"
    assert workbench in up.stdout and "Sample login: 工号 WY" in up.stdout
    assert env["KEYCLOAK_ADMIN_PASSWORD"] not in up.stdout + up.stderr, "secrets never reach the output"

    # the workbench sends a visitor to the tenant's Keycloak sign-in page
    home = httpx.get(f"{workbench}/", follow_redirects=True, timeout=30)
    assert home.url.path.startswith(f"/realms/{env['WUYE_TENANT']}/protocol/openid-connect/auth")
    api = httpx.get(f"http://127.0.0.1:{env['WUYE_WORKORDER_API_PORT']}/openapi.json", timeout=10)
    assert api.status_code == 200 and "/api/workorders" in api.text
    assert httpx.get(f"http://127.0.0.1:{env['WUYE_SMS_OUTBOX_PORT']}/api/messages", timeout=10).status_code == 200

    # the sample company activates by SMS: no password file, the activation SMS go to the dev outbox
    assert "首次登录 / 激活账号" in up.stdout
    assert not (state / "credentials" / f"{env['WUYE_TENANT']}.csv").exists(), (
        "no one-time passwords with SMS activation"
    )

    pids = {p.stem: p.read_text() for p in (state / "run").glob("*.pid")}
    assert set(pids) == {"smtp-sink", "sms-outbox", "workorder-api", "workbench"}
    again = _stack("up", env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert {p.stem: p.read_text() for p in (state / "run").glob("*.pid")} == pids, "a second up starts nothing new"

    down = _stack("down", env)
    assert down.returncode == 0 and "stopped workbench" in down.stdout
    for port in ("WUYE_WORKBENCH_PORT", "WUYE_WORKORDER_API_PORT", "WUYE_SMS_OUTBOX_PORT", "WUYE_SMTP_PORT"):
        assert not port_in_use(int(env[port])), port

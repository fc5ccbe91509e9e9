"""`make up-cluster` on this machine: two nodes, the balancer, two workbenches and the sample company provisioned
through the balancer; the sample person signs in through it; `status` tells; `rolling-restart` restarts every node
in turn; `down` stops every process."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from devstack.cluster import ClusterLayout
from devstack.form_login import FormLogin, LoginPage, loopback_client
from devstack.keycloak_server import free_port, port_in_use
from devstack.paths import PROJECT_ROOT

#: `make up-cluster` starts PostgreSQL, Keycloak nodes and HAProxy itself (no fixture): not for the fast lane.
pytestmark = pytest.mark.services


def _stack(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wuye_sso", "stack", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=PROJECT_ROOT,
        check=False,
    )


@pytest.fixture(scope="module")
def cluster_env() -> Iterator[dict[str, str]]:
    state = Path(tempfile.mkdtemp(prefix="wuye-up-cluster-"))
    state.chmod(0o755)  # PostgreSQL runs as the postgres user
    roster = yaml.safe_load((PROJECT_ROOT / "examples" / "roster.yaml").read_text(encoding="utf-8"))
    roster["tenant"] = f"cl-{uuid.uuid4().hex[:8]}"
    (state / "roster.yaml").write_text(yaml.safe_dump(roster, allow_unicode=True), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "KEYCLOAK_URL"}
    env.update({
        "WUYE_STATE_DIR": str(state), "WUYE_STACK_ROSTER": str(state / "roster.yaml"), "WUYE_TENANT": roster["tenant"],
        **{name: str(free_port()) for name in (
            "WUYE_CLUSTER_SSO_PORT", "WUYE_CLUSTER_ADMIN_PORT", "WUYE_CLUSTER_WORKBENCH_PORT", "WUYE_WORKORDER_API_PORT",
            "WUYE_SMTP_PORT", "WUYE_SMS_OUTBOX_PORT")},
    })  # fmt: skip
    try:
        yield env
    finally:
        _stack(env, "down")
        shutil.rmtree(state, ignore_errors=True)


def test_make_up_cluster_serves_the_sample_company_through_the_balancer_and_down_stops_it(
    cluster_env: dict[str, str],
) -> None:
    up = _stack(cluster_env, "up", "--nodes", "2")
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    state = Path(cluster_env["WUYE_STATE_DIR"]) / "cluster"
    layout = ClusterLayout.load(state / "cluster.json")
    assert layout is not None and len(layout.nodes) == 2 and len(layout.workbenches) == 2

    status = _stack(cluster_env, "status").stdout
    for part in ("keycloak-1", "keycloak-2", "haproxy", "redis", "workbench-1", "workbench-2", "postgres"):
        assert f"cluster {part}" in status and "stopped" not in status.split(f"cluster {part}")[1].split("\n")[0], (
            status
        )

    # the sample person's first sign-in, through the balancer (SMS flow: password, then the code page)
    with (state / "credentials" / f"{cluster_env['WUYE_TENANT']}.csv").open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(line for line in handle if not line.startswith("#")))
    username, password = row["username"], row["one_time_password"]
    workbench = f"http://127.0.0.1:{cluster_env['WUYE_CLUSTER_WORKBENCH_PORT']}"
    public = f"http://127.0.0.1:{cluster_env['WUYE_CLUSTER_SSO_PORT']}"
    with loopback_client(follow_redirects=False) as client:
        flow = FormLogin(client, public)
        page = flow.open(f"{workbench}/auth/login")
        assert isinstance(page, LoginPage) and page.form_id == "kc-form-login", "no login page through the balancer"
        step = flow.submit(username=username, password=password, credentialId="")
        assert isinstance(step, LoginPage) and step.form_id in ("wuye-code-form", "kc-passwd-update-form"), step
        assert client.get(f"{public}/admin/master/console/").status_code == 403

    again = _stack(cluster_env, "up", "--nodes", "2")
    assert again.returncode == 0, again.stderr[-2000:]
    # an upgrade's procedure: every node drained, restarted, primed and back, one at a time
    rolled = _stack(cluster_env, "rolling-restart")
    assert rolled.returncode == 0 and rolled.stdout.count("s in all)") == 2, (
        rolled.stdout[-3000:] + rolled.stderr[-3000:]
    )
    with loopback_client(follow_redirects=False) as client:
        assert isinstance(FormLogin(client, public).open(f"{workbench}/auth/login"), LoginPage), "no sign-in after it"
    down = _stack(cluster_env, "down")
    assert down.returncode == 0 and "keycloak-1 (cluster)" in down.stdout and "postgres (cluster)" in down.stdout
    for port in ("WUYE_CLUSTER_SSO_PORT", "WUYE_CLUSTER_WORKBENCH_PORT", "WUYE_WORKORDER_API_PORT"):
        assert not port_in_use(int(cluster_env[port])), port
    assert not any(port_in_use(n.http) for n in layout.nodes)

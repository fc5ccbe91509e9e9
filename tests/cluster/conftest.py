"""One real cluster for the whole of ``tests/cluster/``: PostgreSQL, two Keycloak nodes (``--cache=ispn``),
HAProxy, Redis, two workbench instances and the work-order API, all on 127.0.0.1, started by ``devstack.cluster``
exactly as ``make up-cluster`` starts them. Anything that cannot start fails the tests loudly.

Findings (failure counts, windows) are printed and kept in ``test-artifacts/cluster/faults.json``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from devstack.cluster import Cluster, ClusterLayout
from devstack.keycloak_server import KeycloakEndpoint, free_port
from devstack.paths import PROJECT_ROOT
from devstack.processes import Service
from devstack.sms_outbox import SmsOutbox
from tests.support.realms import TestRealm, create_test_realm

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "cluster"
SMS_BROWSER_FLOW = "wuye sms browser"
#: Simulated staff of the steady load (issue 14: "say 20 users").
LOAD_USERS = int(os.environ.get("WUYE_CLUSTER_LOAD_USERS", "20"))


@dataclass
class ClusterStack:
    """The running cluster, the test realm on it, and people to sign in."""

    cluster: Cluster
    admin: KeycloakEndpoint
    realm: TestRealm
    outbox: SmsOutbox
    people: list[tuple[str, str]]
    workbench_env: dict[str, str] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        """The realm's issuer as every node writes it: the balancer's public URL."""
        return f"{self.cluster.public_url}/realms/{self.realm.name}"

    def on_node(self, index: int) -> TestRealm:
        """The same realm, administered through node ``index`` directly (not through the balancer)."""
        return replace(self.realm, endpoint=replace(self.admin, base_url=self.cluster.node_url(index)))

    def new_person(self, *, phone: str | None = None, flow_realm: TestRealm | None = None) -> tuple[str, str]:
        realm = flow_realm or self.realm
        username = f"c{secrets.token_hex(4)}"
        password = f"Cluster-{secrets.token_hex(4)}9"
        # not provisioning-managed: the leaver test's roster must not disable the load's people
        attributes: dict[str, Any] = {"phone_number": [phone]} if phone else {}
        realm.create_user(
            username,
            password,
            groups=("/departments/engineering",),
            email=f"{username}@example.com",
            attributes=attributes,
        )
        return username, password


def record_finding(name: str, finding: dict[str, Any]) -> None:
    """Print a fault's measured figures and keep them for the report (test-artifacts/cluster/faults.json)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "faults.json"
    try:
        findings = json.loads(path.read_text())
    except (OSError, ValueError):
        findings = {}
    findings[name] = finding
    path.write_text(json.dumps(findings, indent=1, ensure_ascii=False))
    print(f"\n[cluster] {name}: {json.dumps(finding, ensure_ascii=False)}")


@pytest.fixture(scope="session")
def cluster_stack() -> Iterator[ClusterStack]:
    # not under pytest's 0700 tmp dir: PostgreSQL runs as the postgres user and must reach its folder
    root = Path(tempfile.mkdtemp(prefix="wuye-cluster-"))
    root.chmod(0o755)
    cluster = Cluster(root, ClusterLayout.fresh(nodes=2, workbenches=2))
    outbox = SmsOutbox().start()
    try:
        admin = cluster.start_infrastructure()
        realm = create_test_realm(admin, workbench_url=cluster.workbench_url)
        attributes = dict(realm.admin().get_realm(realm.name).get("attributes") or {})
        attributes.update(
            {"wuyeSmsSender": "dev-outbox", "wuyeSmsOutboxUrl": outbox.url, "wuyeSmsTimeoutMillis": "3000"}
        )
        realm.admin().update_realm(realm.name, {"attributes": attributes})
        stack = ClusterStack(cluster, admin, realm, outbox, [])
        stack.people.extend(stack.new_person() for _ in range(LOAD_USERS))
        api_port = free_port()
        cluster.runner.start(
            Service(
                "workorder-api",
                ("-m", "wuye_sso", "workorder-api", "--port", str(api_port)),
                api_port,
                env=(
                    ("WUYE_WORKORDER_API_ISSUERS", stack.issuer),
                    ("WUYE_WORKORDER_API_CLIENT_SECRET", realm.settings.workorder_api_client_secret),
                ),
            )
        )
        stack.workbench_env = workbench_env(stack, f"http://127.0.0.1:{api_port}")
        cluster.start_workbenches(stack.workbench_env)
        yield stack
    finally:
        outbox.stop()
        cluster.stop(("workorder-api",))
        keep_logs(root)
        shutil.rmtree(root, ignore_errors=True)


def keep_logs(root: Path) -> None:
    """The nodes' and the balancer's logs, kept in test-artifacts/cluster/logs (a failure's evidence outlives the run)."""
    kept = ARTIFACTS / "logs"
    shutil.rmtree(kept, ignore_errors=True)
    kept.mkdir(parents=True, exist_ok=True)
    for log in [*root.glob("keycloak-*/keycloak.log"), *root.glob("logs/*.log")]:
        shutil.copyfile(log, kept / f"{log.parent.name}-{log.name}")


def workbench_env(stack: ClusterStack, api_url: str) -> dict[str, str]:
    return {
        "WUYE_ISSUER": stack.issuer,
        "WUYE_WORKBENCH_CLIENT_SECRET": stack.realm.settings.workbench_client_secret,
        "WUYE_OWNER_APP_URL": stack.realm.settings.owner_app_url,
        "WUYE_WORKORDER_API_URL": api_url,
        # access tokens live 300 s: refresh when less than 290 s are left, so the load refreshes every ~10 s
        "WUYE_WORKBENCH_REFRESH_LEEWAY_SECONDS": "290",
    }

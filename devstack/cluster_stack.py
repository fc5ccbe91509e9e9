"""``wuye-sso stack up --nodes N`` (``make up-cluster``): the whole stack on a Keycloak cluster.

The same services as ``stack up`` (mail sink, SMS outbox, sample realm provisioned, work-order API,
workbench), but Keycloak is N nodes on PostgreSQL behind HAProxy and the workbench is two instances
sharing sessions in Redis behind it too. The sample company is provisioned through the balancer's
internal front door (the public one refuses the admin API). State lives in ``.wuye/cluster/``.
"""

from __future__ import annotations

import os
from pathlib import Path

from devstack.cluster import Cluster, ClusterLayout
from devstack.haproxy import BalancerPorts
from devstack.paths import state_dir
from devstack.stack import (
    Ports,
    _first_sample_user,
    sample_company,
    sample_tenant,
    stack_secrets,
    start_sinks,
    start_workorder_api,
)

#: The balancer's three front doors; everything else takes free ports, kept in cluster.json.
BALANCER_PORTS = BalancerPorts(
    public_sso=int(os.environ.get("WUYE_CLUSTER_SSO_PORT", "8180")),
    internal_sso=int(os.environ.get("WUYE_CLUSTER_ADMIN_PORT", "8181")),
    workbench=int(os.environ.get("WUYE_CLUSTER_WORKBENCH_PORT", "8100")),
)
#: Services of the cluster stack besides the cluster itself, stopped first by ``down``.
SERVICES = ("workorder-api", "sms-outbox", "smtp-sink")


def cluster_root() -> Path:
    return state_dir() / "cluster"


def existing_cluster() -> Cluster | None:
    layout = ClusterLayout.load(cluster_root() / "cluster.json")
    return Cluster(cluster_root(), layout) if layout else None


def up_cluster(nodes: int, ports: Ports) -> int:
    if nodes < 2:
        from devstack.errors import SetupError

        raise SetupError(f"--nodes {nodes}: a cluster has at least 2 nodes.", "Use `stack up` for one Keycloak.")
    layout = ClusterLayout.load(cluster_root() / "cluster.json")
    if layout is None or len(layout.nodes) != nodes:
        if layout is not None and existing_cluster() is not None:
            Cluster(cluster_root(), layout).stop(SERVICES)
        layout = ClusterLayout.fresh(nodes, balancer=BALANCER_PORTS)
    cluster = Cluster(cluster_root(), layout)
    keys = stack_secrets(state_dir())
    realm, _ = sample_tenant()
    api_url = f"http://127.0.0.1:{ports.workorder_api}"
    outbox_url = start_sinks(cluster.runner, ports, cluster.root / "mail")
    print(
        f"· starting PostgreSQL, HAProxy, Redis and {nodes} Keycloak nodes (first run builds: a few minutes)",
        flush=True,
    )
    endpoint = cluster.start_infrastructure()
    credentials = cluster.root / "credentials" / f"{realm}.csv"
    sample_company(endpoint, keys, cluster.workbench_url, ports, credentials, "through the load balancer")
    issuer = f"{cluster.public_url}/realms/{realm}"
    start_workorder_api(cluster.runner, ports, issuer, keys)
    cluster.start_workbenches(
        {
            "WUYE_ISSUER": issuer,
            "WUYE_WORKBENCH_CLIENT_SECRET": keys["workbench_client_secret"],
            "WUYE_WORKORDER_API_URL": api_url,
            "WUYE_HELPDESK_CLIENT_SECRET": keys["helpdesk_client_secret"],
            "WUYE_AUDIT_LOG": str(cluster.root / "logs" / "audit.jsonl"),
            "WUYE_PROVISIONING_AUDIT_LOG": str(cluster.root / "logs" / "provisioning-audit.jsonl"),
        }
    )
    print(
        f"\nwuye-sso cluster is up ({nodes} Keycloak nodes on PostgreSQL, HAProxy, 2 workbenches on Redis)\n"
        f"  工作台 Staff workbench      {cluster.workbench_url}  (balanced over "
        f"{', '.join(str(p) for p in layout.workbenches)})\n"
        f"  SSO, public                {cluster.public_url}  (refuses /admin and the master realm)\n"
        f"  SSO, internal (IT only)    {cluster.internal_url}/admin/master/console/#/{realm}"
        f"   admin password: {cluster.root / 'admin-password'}\n"
        f"  HAProxy stats              {cluster.internal_url}/haproxy-stats\n"
        f"  Keycloak nodes             {', '.join(cluster.node_url(i) for i in range(nodes))}\n"
        f"  Work-order API             {api_url}/openapi.json\n"
        f"  SMS outbox (dev)           {outbox_url}\n"
        f"  Logs                       {cluster.root}/logs, {cluster.root}/keycloak-*/keycloak.log\n\n"
        f"Sample login: 工号 {_first_sample_user()}; its one-time password is in {credentials} (mode 0600).\n"
        "Stop everything with `make down`.",
        flush=True,
    )
    return 0


def rolling_restart_cluster() -> int:
    """``wuye-sso stack rolling-restart``: every node in turn, drained first (``devstack/rolling_restart.py``)."""
    from devstack.errors import SetupError
    from devstack.rolling_restart import rolling_restart

    cluster = existing_cluster()
    if cluster is None or cluster.node_without_database(0) is None:
        raise SetupError("No cluster is running here.", "Start one with `make up-cluster`.")
    cluster.database = cluster.postgres.resume()
    steps = rolling_restart(cluster, say=lambda line: print(f"· {line}", flush=True))
    print(f"rolling restart done: {len(steps)} nodes, one at a time, each drained before it stopped", flush=True)
    return 0


def down_cluster() -> list[str]:
    cluster = existing_cluster()
    return cluster.stop(SERVICES) if cluster else []


def status_cluster() -> list[tuple[str, str]]:
    cluster = existing_cluster()
    if cluster is None:
        return []
    services = [(name, f"running (pid {pid})" if (pid := cluster.runner.pid(name)) else "stopped") for name in SERVICES]
    return cluster.status() + services

"""What clustering costs: the same operations on one node without the balancer, one node behind it, two nodes.

One run starts a cluster (``devstack.cluster``: PostgreSQL, HAProxy, Redis, Keycloak nodes with
``--cache=ispn``) and measures, for each configuration in turn:

* **sign-in**: a full staff sign-in through the workbench (``/auth/login`` → Keycloak's real form →
  ``/auth/callback``), a fresh browser each time, so Keycloak hashes the password every time;
* **refresh**: a refresh-token grant of the workbench client (what the workbench does for each person);
* **api**: the 工单 page, for which the workbench relays the person's token to the work-order API;
* **page**: a workbench page view of a signed-in person.

Configurations: ``1 node, no LB`` (the node's own URL as hostname, one workbench reached directly),
``1 node + LB`` and ``2 nodes + LB`` (two workbenches behind HAProxy too). Each prints throughput,
p50/p95/p99 latency and CPU per operation (Keycloak JVMs, workbenches, HAProxy from ``/proc``),
the machine and the load average, and sets the Keycloak CPU beside the sizing guide (15 password
sign-ins/s and 120 refreshes/s per vCPU, i.e. 67 ms and 8.3 ms of CPU each).

Every configuration is **warmed up** first (``--warm-up`` sign-ins and refreshes per node, unmeasured): a
node that was just started spends its first hundred sign-ins compiling (JIT) and filling its caches, and in
the 2-node configuration the second node is such a node. The Keycloak JVMs' **idle CPU** (JGroups,
Infinispan, GC with no request at all) is measured over ``--idle`` seconds and printed beside, and the
2-node column says how HAProxy split the sign-ins' requests between the nodes.

The sign-ins are measured in ``--rounds`` rounds, each configuration's figure being the median of its rounds:
on this shared machine one round moves by up to a third. After the table, ``--pairs`` more 1-node/2-node pairs
are measured alternately on the same cluster (every configuration on nodes started afresh), and the verdict on
clustering's cost is the median over all pairs, so a drift of the machine's load between two columns does not
decide it. Keycloak's CPU is also printed net of its JIT compiler threads: fresh JVMs compile for minutes, two of
them twice as much, which a production node does once.

    .venv/bin/python -m bench.bench_cluster                 # about 10 minutes on 2 cores
    .venv/bin/python -m bench.bench_cluster --sign-ins 40 --rounds 3 --pairs 0 --requests 200 --warm-up 20
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from bench.bench_signin import cpu_seconds
from bench.cluster_figures import Config, Measure, report, report_pairs, run
from devstack.cluster import Cluster, ClusterLayout
from devstack.form_login import FormLogin, LoginPage, loopback_client
from devstack.haproxy import SLOWSTART_S
from devstack.haproxy_admin import HAProxyAdmin
from devstack.keycloak_server import free_port
from devstack.load import sign_in
from devstack.processes import Service
from sso.catalog import WORKBENCH_CLIENT_ID
from sso.oidc.pkce import code_challenge, new_code_verifier
from tests.support.realms import TestRealm, create_test_realm


def tokens_for(issuer: str, redirect_uri: str, secret: str, username: str, password: str) -> dict[str, str]:
    """A person's tokens for the workbench client through the real form (PKCE + code exchange)."""
    verifier = new_code_verifier()
    query = urlencode({
        "client_id": WORKBENCH_CLIENT_ID, "response_type": "code", "scope": "openid", "redirect_uri": redirect_uri,
        "state": secrets.token_urlsafe(12), "code_challenge": code_challenge(verifier), "code_challenge_method": "S256",
    })  # fmt: skip
    keycloak_base = issuer.split("/realms/")[0]
    with loopback_client(follow_redirects=False) as client:
        flow = FormLogin(client, keycloak_base)
        step = flow.open(f"{issuer}/protocol/openid-connect/auth?{query}")
        assert isinstance(step, LoginPage)
        done = flow.submit(username=username, password=password, credentialId="")
        assert not isinstance(done, LoginPage), done.error
        code = parse_qs(urlsplit(done.headers["location"]).query)["code"][0]
        answer = client.post(
            f"{issuer}/protocol/openid-connect/token",
            auth=(WORKBENCH_CLIENT_ID, secret),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
        )
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]


def measure_sign_ins(
    config: Config, people: list[tuple[str, str]], args: argparse.Namespace, balancer: HAProxyAdmin | None
) -> int:
    """Warm up, measure the idle CPU, then ``--rounds`` rounds of sign-ins into ``config``; returns the nodes."""
    keycloak_base = config.issuer.split("/realms/")[0]

    def one_sign_in(i: int) -> None:
        username, password = people[i % len(people)]
        with loopback_client(follow_redirects=False) as client:
            sign_in(client, config.workbench_url, keycloak_base, username, password)

    # unmeasured: JIT, caches, connection pools; every node gets as many as the single node did, so two nodes are
    # compared with one in the same state (a node that joined just now would still be compiling)
    nodes = sum(1 for role in config.pids if role.startswith("keycloak"))
    warm = run(one_sign_in, args.warm_up * nodes, args.workers, {})
    if warm.failed:
        print(f"  warm-up: {warm.failed} of {args.warm_up * nodes} sign-ins failed", flush=True)

    time.sleep(max(0.0, config.full_share_at - time.monotonic()))
    keycloak_pids = {role: pid for role, pid in config.pids.items() if role.startswith("keycloak")}
    before = {role: cpu_seconds(pid) for role, pid in keycloak_pids.items()}
    time.sleep(args.idle)
    config.idle_cpu = sum(cpu_seconds(pid) - before[role] for role, pid in keycloak_pids.items()) / args.idle
    names = [role.removeprefix("keycloak-") for role in keycloak_pids] if balancer else []
    before_split = {n: balancer.server("keycloak", f"kc{n}").total for n in names} if balancer else {}
    # several rounds, compared by their medians: one JVM's garbage collection or a neighbour's burst on this shared
    # machine moves a single round's CPU per sign-in by up to a third
    config.sign_in_rounds = [run(one_sign_in, args.sign_ins, args.workers, config.pids) for _ in range(args.rounds)]
    config.results["sign-in"] = Measure.merged(config.sign_in_rounds)
    if balancer:
        config.split = {f"kc{n}": balancer.server("keycloak", f"kc{n}").total - before_split[n] for n in names}
    return nodes


def measure_config(
    config: Config,
    realm: TestRealm,
    people: list[tuple[str, str]],
    args: argparse.Namespace,
    balancer: HAProxyAdmin | None,
) -> None:
    keycloak_base = config.issuer.split("/realms/")[0]
    secret = realm.settings.workbench_client_secret
    nodes = measure_sign_ins(config, people, args, balancer)

    refresh_tokens = [
        tokens_for(config.issuer, f"{config.workbench_url}/auth/callback", secret, *p)["refresh_token"]
        for p in people[: args.workers * 2]
    ]
    refresh_lock = threading.Lock()

    def one_refresh(i: int) -> None:
        slot = i % len(refresh_tokens)
        answer = httpx.post(
            f"{config.issuer}/protocol/openid-connect/token",
            auth=(WORKBENCH_CLIENT_ID, secret),
            data={"grant_type": "refresh_token", "refresh_token": refresh_tokens[slot]},
            timeout=30,
        )
        assert answer.status_code == 200, answer.status_code
        with refresh_lock:
            refresh_tokens[slot] = answer.json()["refresh_token"]

    run(one_refresh, args.warm_up * nodes, args.workers, {})  # unmeasured
    config.results["refresh"] = run(one_refresh, args.requests, args.workers, config.pids)

    browsers = []
    for username, password in people[: args.workers * 2]:
        client = loopback_client(follow_redirects=False)
        sign_in(client, config.workbench_url, keycloak_base, username, password)
        browsers.append(client)
    try:
        for name, path in (("api", "/workorders"), ("page", "/")):

            def view(i: int, path: str = path) -> None:
                answer = browsers[i % len(browsers)].get(f"{config.workbench_url}{path}")
                assert answer.status_code == 200 and 'id="workorders-unavailable"' not in answer.text, (
                    answer.status_code
                )

            config.results[name] = run(view, args.requests, args.workers, config.pids)
    finally:
        for client in browsers:
            client.close()


def fresh_nodes(cluster: Cluster, nodes: int) -> float:
    """Stop every node, start the first ``nodes`` again and give the balancer only those; returns when they have their
    full share in HAProxy. Each configuration runs on fresh JVMs warmed by the same ``--warm-up`` per node: a
    Keycloak JVM keeps getting faster for thousands of sign-ins (JIT), so a node that served the earlier columns
    measured against one started just now compares their ages, not one node with two."""
    for index in range(len(cluster.layout.nodes)):
        cluster.node(index).stop()
    cluster.node(0).start()  # first alone: the others join its cluster view
    with ThreadPoolExecutor(max(1, nodes - 1)) as pool:
        list(pool.map(lambda i: cluster.node(i).start(), range(1, nodes)))
    cluster.wait_for_members(nodes)
    for index in range(len(cluster.layout.nodes)):
        name = cluster.node_name(index)
        for server in (name, name + "-unchecked"):
            cluster.balancer.set_state("keycloak", server, "ready" if index < nodes else "maint")
    for index in range(nodes):
        cluster.wait_in_balancer(index)
    return time.monotonic() + SLOWSTART_S


def measure_pair(
    cluster: Cluster, like: tuple[Config, Config], people: list[tuple[str, str]], args: argparse.Namespace
) -> tuple[Config, Config]:
    """One more 1-node/2-node pair of sign-in rounds, each on fresh nodes, minutes apart rather than a run apart."""
    pair = []
    for nodes, config in ((1, like[0]), (2, like[1])):
        full_share_at = fresh_nodes(cluster, nodes)
        measured = Config(config.name, config.issuer, config.workbench_url, server_pids(cluster, nodes, 2, True))
        measured.full_share_at = full_share_at
        measure_sign_ins(measured, people, args, cluster.balancer)
        pair.append(measured)
    return pair[0], pair[1]


def server_pids(cluster: Cluster, nodes: int, workbenches: int, balancer: bool) -> dict[str, int]:
    pids = {}
    for i in range(nodes):
        pid = cluster.node(i).running_pid()
        assert pid is not None
        pids[f"keycloak-{i + 1}"] = pid
    for i in range(workbenches):
        pid = cluster.runner.pid(f"workbench-{i + 1}")
        assert pid is not None
        pids[f"workbench-{i + 1}"] = pid
    if balancer:
        haproxy = cluster.runner.pid("haproxy")
        assert haproxy is not None
        pids["haproxy"] = haproxy
    return pids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sign-ins", type=int, default=60, help="sign-ins per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of sign-ins per configuration (medians)")
    parser.add_argument(
        "--pairs", type=int, default=2, help="more 1-node/2-node sign-in pairs after the table, alternately"
    )
    parser.add_argument(
        "--requests", type=int, default=300, help="refreshes, API calls and page views per configuration"
    )
    parser.add_argument("--workers", type=int, default=4, help="concurrent browsers")
    parser.add_argument("--users", type=int, default=20, help="people in the bench realm")
    parser.add_argument("--warm-up", type=int, default=300, help="unmeasured sign-ins and refreshes per node first")
    parser.add_argument(
        "--idle", type=float, default=5.0, help="seconds of idle Keycloak CPU measured per configuration"
    )
    args = parser.parse_args(argv)
    machine = f"{platform.node()} · {os.cpu_count()} CPU · {platform.machine()} · Python {platform.python_version()}"
    root = Path(tempfile.mkdtemp(prefix="wuye-bench-cluster-"))
    root.chmod(0o755)  # PostgreSQL runs as the postgres user
    cluster = Cluster(root, ClusterLayout.fresh(nodes=2, workbenches=2))
    configs: list[Config] = []
    loads: list[tuple[float, float, float]] = []
    try:
        cluster.database = cluster.postgres.start()
        cluster.start_redis()
        cluster.start_balancer()
        api_port = free_port()
        baseline_node = cluster.node(0, hostname=cluster.node_url(0))
        baseline_node.start()
        admin = baseline_node.endpoint()
        realm = create_test_realm(admin, workbench_url=cluster.workbench_url)
        realm_admin = realm.admin()
        client_id = realm_admin.get_client_id(WORKBENCH_CLIENT_ID)
        assert client_id is not None
        client = realm_admin.get_client(client_id)
        direct_url = cluster.workbench_instance_url(0)
        realm_admin.update_client(client_id, {"redirectUris": [*client["redirectUris"], f"{direct_url}/auth/callback"]})
        people = []
        for _ in range(args.users):
            username, password = f"b{secrets.token_hex(4)}", f"Bench-{secrets.token_hex(4)}7"
            realm.create_user(username, password, groups=("/departments/engineering",))
            people.append((username, password))

        def services(issuer: str, workbench_url: str, workbenches: int) -> None:
            for name in ("workorder-api", "workbench-1", "workbench-2"):
                cluster.runner.stop(name)
            cluster.runner.start(
                Service(
                    "workorder-api",
                    ("-m", "wuye_sso", "workorder-api", "--port", str(api_port)),
                    api_port,
                    env=(
                        ("WUYE_WORKORDER_API_ISSUERS", issuer),
                        ("WUYE_WORKORDER_API_CLIENT_SECRET", realm.settings.workorder_api_client_secret),
                    ),
                )
            )
            env = {
                "WUYE_ISSUER": issuer,
                "WUYE_WORKBENCH_CLIENT_SECRET": realm.settings.workbench_client_secret,
                "WUYE_WORKBENCH_URL": workbench_url,
                "WUYE_WORKORDER_API_URL": f"http://127.0.0.1:{api_port}",
            }
            for index in range(workbenches):
                cluster.start_workbench(index, env)

        plan = [("1 node, no LB", 1, False), ("1 node + LB", 1, True), ("2 nodes + LB", 2, True)]
        for name, nodes, balanced in plan:
            full_share_at = 0.0
            if balanced:
                baseline_node.stop()
                full_share_at = fresh_nodes(cluster, nodes)
            keycloak_url = cluster.public_url if balanced else cluster.node_url(0)
            issuer = f"{keycloak_url}/realms/{realm.name}"
            workbench_url = cluster.workbench_url if balanced else direct_url
            services(issuer, workbench_url, 2 if balanced else 1)
            config = Config(name, issuer, workbench_url, server_pids(cluster, nodes, 2 if balanced else 1, balanced))
            config.full_share_at = full_share_at
            print(f"· {name}: measuring", flush=True)
            measure_config(config, realm, people, args, cluster.balancer if balanced else None)
            configs.append(config)
            loads.append(os.getloadavg())
        report(
            configs, machine, "python -m bench.bench_cluster " + " ".join(sys.argv[1:] if argv is None else argv), loads
        )
        pairs = [(configs[1], configs[2])]
        for n in range(args.pairs):
            print(f"· pair {n + 2}: 1 node, then 2 nodes, each started afresh", flush=True)
            pairs.append(measure_pair(cluster, pairs[0], people, args))
        report_pairs(pairs, os.getloadavg())
    finally:
        cluster.stop(("workorder-api",))
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

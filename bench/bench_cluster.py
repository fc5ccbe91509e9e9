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

Every configuration is **warmed up** first (``--warm-up`` sign-ins and refreshes, unmeasured): a node
that was just started spends its first hundred sign-ins compiling (JIT) and filling its caches, and in
the 2-node configuration the second node is such a node. The Keycloak JVMs' **idle CPU** (JGroups,
Infinispan, GC with no request at all) is measured over ``--idle`` seconds and printed beside, and the
2-node column says how HAProxy split the sign-ins' requests between the nodes.

    .venv/bin/python -m bench.bench_cluster                 # about 8 minutes on 2 cores
    .venv/bin/python -m bench.bench_cluster --sign-ins 40 --requests 200 --warm-up 20
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from bench.bench_signin import cpu_seconds
from devstack.cluster import Cluster, ClusterLayout
from devstack.form_login import FormLogin, LoginPage, loopback_client
from devstack.haproxy import SLOWSTART_S
from devstack.haproxy_admin import HAProxyAdmin
from devstack.keycloak_server import free_port
from devstack.load import SignInFailed, sign_in
from devstack.processes import Service
from sso.catalog import WORKBENCH_CLIENT_ID
from sso.oidc.pkce import code_challenge, new_code_verifier
from tests.support.realms import TestRealm, create_test_realm

#: Keycloak's sizing guide, per vCPU.
GUIDE_SIGN_INS_PER_S = 15.0
GUIDE_REFRESHES_PER_S = 120.0
OPERATIONS = ("sign-in", "refresh", "api", "page")


@dataclass
class Measure:
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    failed: int = 0
    cpu: dict[str, float] = field(default_factory=dict)

    def per_second(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def percentile(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100)[q - 1]


@dataclass
class Config:
    name: str
    issuer: str
    workbench_url: str
    pids: dict[str, int]
    results: dict[str, Measure] = field(default_factory=dict)
    #: Keycloak JVMs' CPU with no request, seconds of CPU per second
    idle_cpu: float = 0.0
    #: requests HAProxy sent to each node during the measured sign-ins (empty without the balancer)
    split: dict[str, int] = field(default_factory=dict)
    #: time.monotonic() when the last node to join has its full share in HAProxy (after its slowstart)
    full_share_at: float = 0.0


def run(operation: Callable[[int], None], total: int, workers: int, pids: dict[str, int]) -> Measure:
    """``total`` calls of ``operation(i)`` on ``workers`` threads; CPU of every server process around it."""
    measure = Measure()
    lock = threading.Lock()
    counter = iter(range(total))

    def work() -> None:
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            started = time.perf_counter()
            try:
                operation(index)
            except (AssertionError, httpx.HTTPError, RuntimeError, SignInFailed):
                with lock:
                    measure.failed += 1
                continue
            with lock:
                measure.latencies.append(time.perf_counter() - started)

    before = {role: cpu_seconds(pid) for role, pid in pids.items()}
    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    measure.wall = time.perf_counter() - started
    measure.cpu = {role: cpu_seconds(pid) - before[role] for role, pid in pids.items()}
    return measure


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


def measure_config(
    config: Config,
    realm: TestRealm,
    people: list[tuple[str, str]],
    args: argparse.Namespace,
    balancer: HAProxyAdmin | None,
) -> None:
    keycloak_base = config.issuer.split("/realms/")[0]
    secret = realm.settings.workbench_client_secret

    def one_sign_in(i: int) -> None:
        username, password = people[i % len(people)]
        with loopback_client(follow_redirects=False) as client:
            sign_in(client, config.workbench_url, keycloak_base, username, password)

    warm = run(one_sign_in, args.warm_up, args.workers, {})  # unmeasured: JIT, caches, connection pools
    if warm.failed:
        print(f"  warm-up: {warm.failed} of {args.warm_up} sign-ins failed", flush=True)

    time.sleep(max(0.0, config.full_share_at - time.monotonic()))
    keycloak_pids = {role: pid for role, pid in config.pids.items() if role.startswith("keycloak")}
    before = {role: cpu_seconds(pid) for role, pid in keycloak_pids.items()}
    time.sleep(args.idle)
    config.idle_cpu = sum(cpu_seconds(pid) - before[role] for role, pid in keycloak_pids.items()) / args.idle
    nodes = [role.removeprefix("keycloak-") for role in keycloak_pids] if balancer else []
    before_split = {n: balancer.server("keycloak", f"kc{n}").total for n in nodes} if balancer else {}
    config.results["sign-in"] = run(one_sign_in, args.sign_ins, args.workers, config.pids)
    if balancer:
        config.split = {f"kc{n}": balancer.server("keycloak", f"kc{n}").total - before_split[n] for n in nodes}

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

    run(one_refresh, args.warm_up, args.workers, {})  # unmeasured
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


def report(configs: list[Config], machine: str, command: str, loads: list[tuple[float, float, float]]) -> None:
    print(f"\ncommand: {command}\nmachine: {machine}")
    print(
        "load average (1/5/15 min) at each configuration's end: "
        + "; ".join(f"{c.name}: {a:.2f}/{b:.2f}/{d:.2f}" for c, (a, b, d) in zip(configs, loads, strict=True))
    )
    width = 22
    print(f"\n{'':34}" + "".join(f"{c.name:>{width}}" for c in configs))

    def row(label: str, values: list[str]) -> None:
        print(f"{label:34}" + "".join(f"{v:>{width}}" for v in values))

    for op in OPERATIONS:
        ms = [c.results[op] for c in configs]
        row(f"{op}: per second", [f"{m.per_second():.1f}" for m in ms])
        row(
            f"{op}: p50 / p95 / p99 ms",
            [f"{m.percentile(50) * 1e3:.0f}/{m.percentile(95) * 1e3:.0f}/{m.percentile(99) * 1e3:.0f}" for m in ms],
        )
        row(f"{op}: Keycloak CPU ms each", [f"{_cpu(m, 'keycloak') / max(1, len(m.latencies)) * 1e3:.1f}" for m in ms])
        row(
            f"{op}: workbench+LB CPU ms each",
            [f"{(_cpu(m, 'workbench') + _cpu(m, 'haproxy')) / max(1, len(m.latencies)) * 1e3:.1f}" for m in ms],
        )
        row(f"{op}: failed", [str(m.failed) for m in ms])
    row("Keycloak idle CPU ms per second", [f"{c.idle_cpu * 1e3:.0f}" for c in configs])
    row(
        "sign-in requests per node",
        [" / ".join(f"{n} {v}" for n, v in c.split.items()) if c.split else "-" for c in configs],
    )
    print(
        f"\nsizing guide: {1e3 / GUIDE_SIGN_INS_PER_S:.1f} ms Keycloak CPU per password sign-in, "
        f"{1e3 / GUIDE_REFRESHES_PER_S:.1f} ms per refresh (15 and 120 per vCPU per second)"
    )
    one, two = configs[-2].results["sign-in"], configs[-1].results["sign-in"]
    ratio = two.per_second() / one.per_second() if one.per_second() else 0.0
    cpu_one = _cpu(one, "keycloak") / max(1, len(one.latencies))
    cpu_two = _cpu(two, "keycloak") / max(1, len(two.latencies))
    per_cpu = cpu_one / cpu_two if cpu_two else 0.0
    print(
        f"2 nodes / 1 node behind the LB: sign-ins/s ×{ratio:.2f} at this many browsers (a closed loop: "
        f"latency-bound); Keycloak CPU per sign-in {cpu_one * 1e3:.1f} → {cpu_two * 1e3:.1f} ms, so sign-ins "
        f"per CPU-second ×{per_cpu:.2f}; target (not slower than 15 % at the same CPU) → "
        f"{'met' if per_cpu >= 0.85 else 'NOT met'}"
    )


def _cpu(measure: Measure, role: str) -> float:
    return sum(v for k, v in measure.cpu.items() if k.startswith(role))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sign-ins", type=int, default=60, help="sign-ins per configuration")
    parser.add_argument(
        "--requests", type=int, default=300, help="refreshes, API calls and page views per configuration"
    )
    parser.add_argument("--workers", type=int, default=4, help="concurrent browsers")
    parser.add_argument("--users", type=int, default=20, help="people in the bench realm")
    parser.add_argument(
        "--warm-up", type=int, default=60, help="unmeasured sign-ins and refreshes per configuration first"
    )
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
            if balanced and nodes == 1:
                baseline_node.stop()
                cluster.node(0).start()
            if nodes == 2:
                cluster.node(1).start()
                cluster.wait_for_members(2)
                cluster.wait_in_balancer(1)
            keycloak_url = cluster.public_url if balanced else cluster.node_url(0)
            issuer = f"{keycloak_url}/realms/{realm.name}"
            workbench_url = cluster.workbench_url if balanced else direct_url
            services(issuer, workbench_url, 2 if balanced else 1)
            config = Config(name, issuer, workbench_url, server_pids(cluster, nodes, 2 if balanced else 1, balanced))
            if nodes == 2:  # node 2 just came in: measure once HAProxy gives it its full share
                config.full_share_at = time.monotonic() + SLOWSTART_S
            print(f"· {name}: measuring", flush=True)
            measure_config(config, realm, people, args, cluster.balancer if balanced else None)
            configs.append(config)
            loads.append(os.getloadavg())
        report(
            configs, machine, "python -m bench.bench_cluster " + " ".join(sys.argv[1:] if argv is None else argv), loads
        )
    finally:
        cluster.stop(("workorder-api",))
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

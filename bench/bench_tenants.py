"""How many property companies one Keycloak holds: the cost of one realm per tenant as tenants grow.

For each step (default 1, 50, 200 realms of 200 generated staff each, provisioned as ``wuye-sso
provision apply`` does) one Keycloak node on PostgreSQL (the cluster's build) is restarted and measured:

* start time (process start → ``/health/ready``) and heap used after start (``jcmd GC.heap_info``);
* sign-in latency in one realm (median of full form sign-ins, fresh browser each);
* a no-op provisioning re-plan of one realm (read + plan, nothing to change);
* the admin API's realm listing (``GET /admin/realms``, what the admin console loads first).

Heavy (the 200-realm step generates 40,000 accounts): run it once, late. ``--steps 1,10,30 --staff 50``
for a scaled-down run.

    .venv/bin/python -m bench.bench_tenants
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.bench_provision import apply_roster, new_realm_settings, replan
from bench.roster_generator import generate, write_yaml
from devstack.cluster import Cluster, ClusterLayout
from devstack.form_login import FormLogin, LoginPage, loopback_client
from devstack.keycloak_server import KeycloakEndpoint
from devstack.toolchain import find_java
from provisioning.realm_import import master_admin
from provisioning.realm_template import RealmSettings
from provisioning.validation import load_desired
from sso.catalog import WORKBENCH_CLIENT_ID
from sso.oidc.pkce import code_challenge, new_code_verifier


@dataclass
class Step:
    realms: int
    accounts: int
    start_s: float
    heap_mb: float
    sign_in_ms: float
    replan_s: float
    listing_ms: float


def heap_used_mb(java_pid: int) -> float:
    """Heap in use after a full GC (``jcmd GC.run`` then ``GC.heap_info``), in MiB."""
    jcmd = find_java().home / "bin" / "jcmd"
    subprocess.run([str(jcmd), str(java_pid), "GC.run"], capture_output=True, check=False, timeout=60)
    info = subprocess.run(
        [str(jcmd), str(java_pid), "GC.heap_info"], capture_output=True, text=True, check=False, timeout=60
    ).stdout
    match = re.search(r"used (\d+)K", info)
    return int(match.group(1)) / 1024 if match else float("nan")


def sign_in_ms(endpoint: KeycloakEndpoint, settings: RealmSettings, username: str, password: str, times: int) -> float:
    issuer = f"{endpoint.base_url}/realms/{settings.realm}"
    latencies = []
    for _ in range(times):
        query = urlencode({
            "client_id": WORKBENCH_CLIENT_ID, "response_type": "code", "scope": "openid",
            "redirect_uri": f"{settings.workbench_url}/auth/callback", "state": secrets.token_hex(8),
            "code_challenge": code_challenge(new_code_verifier()), "code_challenge_method": "S256",
        })  # fmt: skip
        url = f"{issuer}/protocol/openid-connect/auth?{query}"
        with loopback_client(follow_redirects=False) as client:
            started = time.perf_counter()
            flow = FormLogin(client, endpoint.base_url)
            page = flow.open(url)
            assert isinstance(page, LoginPage), f"no login page: HTTP {page.status_code} {page.headers.get('location')}"
            done = flow.submit(username=username, password=password, credentialId="")
            assert not isinstance(done, LoginPage), done.error
            latencies.append(time.perf_counter() - started)
    return statistics.median(latencies) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="1,50,200", help="realm counts to measure, ascending")
    parser.add_argument("--staff", type=int, default=200, help="staff per realm")
    parser.add_argument("--sign-ins", type=int, default=10)
    args = parser.parse_args(argv)
    steps = [int(s) for s in args.steps.split(",")]
    root = Path(tempfile.mkdtemp(prefix="wuye-bench-tenants-"))
    root.chmod(0o755)  # PostgreSQL runs as the postgres user
    cluster = Cluster(root, ClusterLayout.fresh(nodes=1, workbenches=1))
    results: list[Step] = []
    try:
        cluster.database = cluster.postgres.start()
        node = cluster.node(0, hostname=cluster.node_url(0))
        node.start()
        endpoint = node.endpoint()
        company = generate(args.staff, sites=2, tenant="bench", company="基准物业")
        write_yaml(company, root / "roster.yaml")
        desired = load_desired(root / "roster.yaml")
        measured: RealmSettings | None = None
        realms: list[str] = []
        for target in steps:
            while len(realms) < target:
                settings = new_realm_settings(endpoint, f"t{len(realms):03d}")
                apply_roster(endpoint, settings.realm, desired, root)
                realms.append(settings.realm)
                if measured is None:
                    measured = settings
                    admin = master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password)
                    admin.change_current_realm(settings.realm)
                    admin.update_realm(settings.realm, {"browserFlow": "wuye browser"})  # password only: no SMS step
                    probe_id = admin.get_user_id("wy0001")
                    assert probe_id is not None
                    admin.set_user_password(probe_id, "Tenant-bench-2026", temporary=False)
                    admin.update_user(probe_id, {"requiredActions": []})
                print(f"\r· {len(realms)} realms", end="", flush=True)
            assert measured is not None
            node.stop()
            started = time.monotonic()
            node.start()
            start_s = time.monotonic() - started
            java = node.java_pid()
            assert java is not None
            heap = heap_used_mb(java)
            signin = sign_in_ms(endpoint, measured, "wy0001", "Tenant-bench-2026", args.sign_ins)
            replan_s = statistics.median(replan(endpoint, measured.realm, desired)[0] for _ in range(3))
            admin = master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password)
            admin.get_realms()  # signs in first
            listing = []
            for _ in range(3):
                t0 = time.perf_counter()
                admin.get_realms()  # GET /admin/realms: what the admin console loads first
                listing.append(time.perf_counter() - t0)
            results.append(
                Step(
                    len(realms),
                    len(realms) * args.staff,
                    start_s,
                    heap,
                    signin,
                    replan_s,
                    statistics.median(listing) * 1000,
                )
            )
            print(f"\n{results[-1]}", flush=True)
        load = os.getloadavg()
        print(f"\ncommand: python -m bench.bench_tenants {' '.join(sys.argv[1:] if argv is None else argv)}")
        heap_option = os.environ.get("WUYE_KEYCLOAK_HEAP", "-Xms128m -Xmx1g")
        print(
            f"machine: {platform.node()} · {os.cpu_count()} CPU · Keycloak heap {heap_option} · "
            f"load average {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}"
        )
        print(
            "\n| realms | accounts | start (s) | heap after start (MiB) | sign-in p50 (ms) | no-op re-plan of one realm (s) "
            "| GET /admin/realms (ms) |\n|---|---|---|---|---|---|---|"
        )
        for s in results:
            print(
                f"| {s.realms} | {s.accounts} | {s.start_s:.1f} | {s.heap_mb:.0f} | {s.sign_in_ms:.0f} | "
                f"{s.replan_s:.2f} | {s.listing_ms:.0f} |"
            )
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

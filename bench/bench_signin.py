"""Full sign-ins per second through the workbench, and whose CPU they cost: the workbench's against Keycloak's.

One run prints, side by side:

* **baseline**: the same authorization-code + PKCE sign-in driven straight at Keycloak by the bench
  client (authorize → form → code → token exchange), no workbench in the path;
* **workbench**: a full sign-in through the workbench, run as its own uvicorn process
  (``/auth/login`` → Keycloak's form → ``/auth/callback`` → home page).

Each sign-in uses a fresh cookie jar, so Keycloak checks the password every time (no SSO shortcut).
CPU comes from ``/proc/<pid>/stat`` (utime + stime) of the Keycloak JVM and of the workbench process,
read before and after each phase. The target: the workbench spends at most 10 % of the flow's CPU.

    .venv/bin/python bench/bench_signin.py                      # starts its own Keycloak (quiet numbers)
    .venv/bin/python bench/bench_signin.py --keycloak-url http://127.0.0.1:8080 --keycloak-pid PID
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from bench.parallel import in_parallel
from devstack.form_login import FormLogin, LoginPage, loopback_client
from devstack.keycloak_server import KeycloakEndpoint, free_port
from provisioning.realm_import import create_tenant, master_admin
from provisioning.realm_template import RealmSettings
from sso.catalog import WORKBENCH_CLIENT_ID
from sso.oidc.pkce import code_challenge, new_code_verifier

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _own_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found.append(int(child))
            found.extend(_descendants(int(child)))
    return found


#: HotSpot's JIT compiler threads (their ``comm``, cut to 15 characters by the kernel).
JIT_THREADS = ("C1 CompilerThre", "C2 CompilerThre")


def jit_seconds_by_thread(pid: int) -> dict[int, float]:
    """CPU seconds of each live JIT compiler thread of a process and its descendants, by thread id: a fresh
    Keycloak JVM spends a third of its CPU compiling in its first minutes, a long-running one almost none."""
    found: dict[int, float] = {}
    for each in (pid, *_descendants(pid)):
        with suppress(FileNotFoundError):
            for task in Path(f"/proc/{each}/task").iterdir():
                with suppress(FileNotFoundError):
                    if (task / "comm").read_text().strip().startswith(JIT_THREADS):
                        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                        found[int(task.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return found


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its live descendants (``kc.sh`` runs the JVM as a child), in seconds."""
    total = 0.0
    for each in (pid, *_descendants(pid)):
        with suppress(FileNotFoundError):
            total += _own_cpu(each)
    return total


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    wall: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.latencies)


class CountingClient:
    """A fresh loopback client per sign-in; counts requests per host:port."""

    def __init__(self) -> None:
        self.client = loopback_client(event_hooks={"request": [self._count]})
        self.requests = 0

    def _count(self, request: httpx.Request) -> None:
        self.requests += 1

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()


def sign_in_via_workbench(workbench_url: str, keycloak_url: str, username: str, password: str) -> int:
    with CountingClient() as counting:
        client = counting.client
        flow = FormLogin(client, keycloak_url)
        step = flow.open(f"{workbench_url}/auth/login?next=/")
        assert isinstance(step, LoginPage), "no login page"
        redirect = flow.submit(username=username, password=password, credentialId="")
        assert not isinstance(redirect, LoginPage), f"sign-in stopped: {redirect.error}"
        answer = client.get(redirect.headers["location"])
        assert answer.status_code == 303, f"callback answered {answer.status_code}"
        home = client.get(f"{workbench_url}/")
        assert home.status_code == 200 and username.upper() in home.text, "home page not shown"
        return counting.requests


def sign_in_direct(keycloak_url: str, realm: RealmSettings, username: str, password: str) -> int:
    issuer = f"{keycloak_url}/realms/{realm.realm}"
    redirect_uri = f"{realm.workbench_url}/auth/callback"
    verifier, state = new_code_verifier(), secrets.token_urlsafe(16)
    query = urlencode({
        "client_id": WORKBENCH_CLIENT_ID, "response_type": "code", "scope": "openid", "redirect_uri": redirect_uri,
        "state": state, "nonce": secrets.token_urlsafe(16), "code_challenge": code_challenge(verifier),
        "code_challenge_method": "S256",
    })  # fmt: skip
    with CountingClient() as counting:
        flow = FormLogin(counting.client, keycloak_url)
        step = flow.open(f"{issuer}/protocol/openid-connect/auth?{query}")
        assert isinstance(step, LoginPage)
        redirect = flow.submit(username=username, password=password, credentialId="")
        assert not isinstance(redirect, LoginPage), f"sign-in stopped: {redirect.error}"
        params = parse_qs(urlsplit(redirect.headers["location"]).query)
        assert params["state"] == [state]
        tokens = counting.client.post(
            f"{issuer}/protocol/openid-connect/token",
            data={
                "grant_type": "authorization_code",
                "code": params["code"][0],
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            auth=(WORKBENCH_CLIENT_ID, realm.workbench_client_secret),
        )
        assert tokens.status_code == 200 and "id_token" in tokens.json()
        return counting.requests


def run_phase(name: str, sign_in: Callable[[str, str], int], users: list[tuple[str, str]], total: int,
              workers: int, pids: dict[str, int]) -> Phase:  # fmt: skip
    phase = Phase(name)
    lock = threading.Lock()

    def call(index: int) -> None:
        username, password = users[index % len(users)]
        started = time.perf_counter()
        requests = sign_in(username, password)
        elapsed = time.perf_counter() - started
        with lock:
            phase.latencies.append(elapsed)
            phase.requests += requests

    before = {role: cpu_seconds(pid) for role, pid in pids.items()}
    client_before = time.process_time()
    phase.wall = in_parallel(call, total, workers)
    phase.cpu = {role: cpu_seconds(pid) - before[role] for role, pid in pids.items()}
    phase.cpu["client"] = time.process_time() - client_before  # the bench's own httpx + form parsing
    return phase


def create_bench_realm(
    endpoint: KeycloakEndpoint, workbench_url: str, users: int
) -> tuple[RealmSettings, list[tuple[str, str]]]:
    master = master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password)
    # the plain password flow (no SMS step, no OTP for staff)
    settings = create_tenant(
        master, f"bench-{secrets.token_hex(4)}", "压测物业 Bench Property", workbench_url=workbench_url,
        browser_flow="wuye browser",
    )  # fmt: skip
    master.change_current_realm(settings.realm)
    staff_role = master.get_realm_role("staff")
    pool = []
    for i in range(users):
        username, password = f"b{i:04d}", f"Bench-{secrets.token_hex(4)}7"
        user_id = master.create_user({
            "username": username, "enabled": True, "firstName": "测", "lastName": "试",
            "attributes": {"employee_no": [username.upper()], "display_name": [f"测试{i}"]},
            "credentials": [{"type": "password", "value": password, "temporary": False}],
        })  # fmt: skip
        master.assign_realm_roles(user_id, [staff_role])
        pool.append((username, password))
    return settings, pool


@contextmanager
def workbench_process(settings: RealmSettings, keycloak_url: str, port: int) -> Iterator[int]:
    env = dict(os.environ)
    env.update({
        "WUYE_ISSUER": f"{keycloak_url}/realms/{settings.realm}", "WUYE_WORKBENCH_URL": settings.workbench_url,
        "WUYE_WORKBENCH_CLIENT_SECRET": settings.workbench_client_secret, "PYTHONPATH": str(ROOT),
    })  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "wuye_sso", "workbench", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{settings.workbench_url}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"workbench did not start: {process.stderr.read().decode() if process.stderr else ''}"
                )
            time.sleep(0.1)
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def keycloak(args: argparse.Namespace) -> Iterator[tuple[KeycloakEndpoint, int]]:
    if args.keycloak_url:
        from devstack.keycloak_modes import external_endpoint

        os.environ["KEYCLOAK_URL"] = args.keycloak_url
        if not args.keycloak_pid:
            raise SystemExit("--keycloak-url needs --keycloak-pid (the JVM's pid, to read its CPU time)")
        yield external_endpoint(), args.keycloak_pid
        return
    from devstack.keycloak_modes import local_server

    with tempfile.TemporaryDirectory(prefix="bench-keycloak-") as folder:
        server = local_server(Path(folder))
        endpoint = server.start()
        try:
            pid = server.running_pid()
            assert pid is not None
            yield endpoint, pid
        finally:
            server.stop()


def report(phases: list[Phase], machine: str) -> None:
    print(f"\nmachine: {machine}")
    header = f"{'':34}" + "".join(f"{p.name:>16}" for p in phases)
    print(header)

    def row(label: str, values: list[str]) -> None:
        print(f"{label:34}" + "".join(f"{v:>16}" for v in values))

    row("sign-ins", [str(p.count) for p in phases])
    row("sign-ins per second", [f"{p.count / p.wall:.1f}" for p in phases])
    row("median latency (ms)", [f"{statistics.median(p.latencies) * 1000:.0f}" for p in phases])
    row("p90 latency (ms)", [f"{statistics.quantiles(p.latencies, n=10)[-1] * 1000:.0f}" for p in phases])
    row("HTTP requests per sign-in", [f"{p.requests / p.count:.1f}" for p in phases])
    row("Keycloak CPU per sign-in (ms)", [f"{p.cpu['keycloak'] / p.count * 1000:.1f}" for p in phases])
    row(
        "workbench CPU per sign-in (ms)",
        [f"{p.cpu['workbench'] / p.count * 1000:.1f}" if p.name == "workbench" else "-" for p in phases],
    )
    row("bench client CPU per sign-in (ms)", [f"{p.cpu['client'] / p.count * 1000:.1f}" for p in phases])
    share = [
        f"{p.cpu['workbench'] / (p.cpu['workbench'] + p.cpu['keycloak']) * 100:.1f} %" if p.name == "workbench" else "-"
        for p in phases
    ]
    row("workbench share of flow CPU", share)
    base, wb = phases[0], phases[1]
    print(f"\nthroughput ratio workbench/baseline: {(wb.count / wb.wall) / (base.count / base.wall):.2f}")
    target = wb.cpu["workbench"] / (wb.cpu["workbench"] + wb.cpu["keycloak"])
    print(
        f"target: workbench ≤ 10 % of the flow's CPU → {'met' if target <= 0.10 else 'NOT met'} ({target * 100:.1f} %)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sign-ins", type=int, default=200, help="sign-ins per phase (after warm-up)")
    parser.add_argument("--workers", type=int, default=4, help="concurrent browsers")
    parser.add_argument("--users", type=int, default=20, help="size of the user pool")
    parser.add_argument("--keycloak-url")
    parser.add_argument("--keycloak-pid", type=int)
    args = parser.parse_args(argv)
    machine = f"{platform.node()} · {os.cpu_count()} CPU · {platform.processor() or platform.machine()} · Python {platform.python_version()}"
    port = free_port()
    with keycloak(args) as (endpoint, keycloak_pid):
        workbench_url = f"http://127.0.0.1:{port}"
        settings, users = create_bench_realm(endpoint, workbench_url, args.users)
        print(f"realm {settings.realm}: {len(users)} users; Keycloak pid {keycloak_pid} at {endpoint.base_url}")
        with workbench_process(settings, endpoint.base_url, port) as workbench_pid:
            pids = {"keycloak": keycloak_pid, "workbench": workbench_pid}

            def direct(u, p):
                return sign_in_direct(endpoint.base_url, settings, u, p)

            def via_workbench(u, p):
                return sign_in_via_workbench(workbench_url, endpoint.base_url, u, p)

            warm = max(10, args.sign_ins // 10)
            run_phase("warm-up", direct, users, warm, args.workers, pids)
            run_phase("warm-up", via_workbench, users, warm, args.workers, pids)
            baseline = run_phase("baseline", direct, users, args.sign_ins, args.workers, pids)
            workbench = run_phase("workbench", via_workbench, users, args.sign_ins, args.workers, pids)
        report([baseline, workbench], machine)
        master = master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password)
        master.delete_realm(settings.realm)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

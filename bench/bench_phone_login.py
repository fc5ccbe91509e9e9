"""Keycloak CPU per sign-in by mobile number against sign-in by username (工号), same realm, 10,000 staff.

Run: ``.venv/bin/python -m bench.bench_phone_login [--users 10000] [--rounds 11] [--per-round 12]``.

Starts its own local Keycloak with our extension, creates a realm from the template with ``--users`` accounts
(each with a ``phone_number`` attribute; only the few that sign in get a password, hashing 10,000 passwords would
measure Argon2, not the lookup), binds a copy of our browser flow without the SMS step, and signs in through the
login form with the HTTP driver. Each round signs in ``--per-round`` times by username, then as many times by
phone (in a different written form each time), reading the Keycloak JVM's CPU time (utime + stime from
``/proc/<pid>/stat``) before and after each batch. Prints per-sign-in medians, the ratio, and the target (≤ 10 %).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

from devstack.form_login import FormLogin, loopback_client
from devstack.keycloak_modes import local_server
from provisioning.realm_import import create_tenant, master_admin

PASSWORD = "Bench2026pass"
BENCH_FLOW = "bench identifier browser"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def jvm_pid(launcher_pid: int) -> int:
    """kc.sh starts java as a child: find the java process under the launcher (or the launcher itself)."""
    pids = [launcher_pid]
    seen = set()
    while pids:
        pid = pids.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmdline and cmdline[0].endswith(b"java"):
            return pid
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            pids.extend(int(c) for c in task.read_text().split())
    raise RuntimeError(f"no java process under pid {launcher_pid}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15 of stat)


def phone_of(i: int) -> str:
    return f"+86139{i:08d}"


def phone_forms(e164: str) -> list[str]:
    national = e164[3:]
    return [
        national,
        f"{national[:3]} {national[3:7]} {national[7:]}",
        f"+86 {national[:3]}-{national[3:7]}-{national[7:]}",
        f"0086{national}",
    ]


class Admin:
    def __init__(self, base_url: str, username: str, password: str, realm: str) -> None:
        self.base = base_url
        self.realm = realm
        token = httpx.post(
            f"{base_url}/realms/master/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": "admin-cli", "username": username, "password": password},
            timeout=30,
        ).json()["access_token"]
        self.client = httpx.Client(
            base_url=f"{base_url}/admin/realms/{realm}", headers={"Authorization": f"Bearer {token}"}, timeout=120
        )

    def import_users(self, users: list[dict[str, object]]) -> None:
        r = self.client.post("/partialImport", json={"ifResourceExists": "SKIP", "users": users})
        r.raise_for_status()

    def bind_flow_without_sms(self) -> None:
        r = self.client.post("/authentication/flows/wuye sms browser/copy", json={"newName": BENCH_FLOW})
        r.raise_for_status()
        executions = self.client.get(f"/authentication/flows/{BENCH_FLOW}/executions").json()
        for e in executions:
            if e.get("providerId") == "wuye-sms-otp":
                e["requirement"] = "DISABLED"
                self.client.put(f"/authentication/flows/{BENCH_FLOW}/executions", json=e).raise_for_status()
        realm = self.client.get("").json()
        realm["browserFlow"] = BENCH_FLOW
        self.client.put("", json={"browserFlow": BENCH_FLOW}).raise_for_status()


def make_users(total: int, signers: int, batch: int, admin: Admin) -> None:
    began = time.monotonic()
    for start in range(0, total, batch):
        users = []
        for i in range(start, min(start + batch, total)):
            user: dict[str, object] = {
                "username": f"wy{i:06d}",
                "enabled": True,
                "email": f"wy{i:06d}@bench.example.com",
                "emailVerified": True,
                "firstName": "员工",
                "lastName": "测",
                "attributes": {"phone_number": [phone_of(i)], "employee_no": [f"WY{i:06d}"], "wuye_managed": ["true"]},
            }
            if i < signers:
                user["credentials"] = [{"type": "password", "value": PASSWORD, "temporary": False}]
            users.append(user)
        admin.import_users(users)
        done = min(start + batch, total)
        if done % 2000 == 0 or done == total:
            print(f"  {done} users ({done / (time.monotonic() - began):.0f}/s)", flush=True)


def sign_in(base_url: str, realm: str, identifier: str) -> None:
    params = {
        "client_id": "staff-workbench",
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": "http://127.0.0.1:8000/auth/callback",
        "state": secrets.token_hex(8),
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    with loopback_client() as client:
        flow = FormLogin(client, base_url)
        flow.open(f"{base_url}/realms/{realm}/protocol/openid-connect/auth?{urlencode(params)}")
        result = flow.submit(username=identifier, password=PASSWORD, credentialId="")
        if not isinstance(result, httpx.Response) or "code=" not in result.headers.get("location", ""):
            raise RuntimeError(f"sign-in with {identifier!r} did not succeed: {getattr(result, 'error', result)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--per-round", type=int, default=12)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args(argv)
    signers = args.per_round

    instance = Path(tempfile.mkdtemp(prefix="wuye-bench-phone-"))
    server = local_server(instance)
    endpoint = server.start()
    try:
        pid = jvm_pid(server.running_pid() or 0)
        realm = "bench-phone"
        create_tenant(
            master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password), realm, "基准物业 Bench"
        )
        admin = Admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password, realm)
        print(
            f"Keycloak pid {pid} at {endpoint.base_url}; creating {args.users} users in batches of {args.batch}",
            flush=True,
        )
        make_users(args.users, signers, args.batch, admin)
        admin.bind_flow_without_sms()

        # warm-up: JIT, caches, both paths
        for i in range(signers):
            sign_in(endpoint.base_url, realm, f"wy{i:06d}")
            sign_in(endpoint.base_url, realm, phone_forms(phone_of(i))[i % 4])

        by_username: list[float] = []
        by_phone: list[float] = []
        for r in range(args.rounds):
            for kind in ("username", "phone") if r % 2 == 0 else ("phone", "username"):
                before = cpu_seconds(pid)
                for i in range(args.per_round):
                    who = f"WY{i:06d}" if kind == "username" else phone_forms(phone_of(i))[(i + r) % 4]
                    sign_in(endpoint.base_url, realm, who)
                per = (cpu_seconds(pid) - before) / args.per_round
                (by_username if kind == "username" else by_phone).append(per)
            print(
                f"  round {r + 1}: username {by_username[-1] * 1000:.1f} ms CPU/sign-in, "
                f"phone {by_phone[-1] * 1000:.1f} ms CPU/sign-in",
                flush=True,
            )

        mu, mp = statistics.median(by_username), statistics.median(by_phone)

        def spread(values: list[float]) -> str:
            q = statistics.quantiles(values, n=4)
            return f"IQR {q[0] * 1000:.1f}-{q[2] * 1000:.1f} ms"

        ratio = mp / mu
        result = {
            "users": args.users,
            "rounds": args.rounds,
            "sign_ins_per_round": args.per_round,
            "median_cpu_ms_by_username": round(mu * 1000, 1),
            "median_cpu_ms_by_phone": round(mp * 1000, 1),
            "ratio_phone_to_username": round(ratio, 3),
            "target": "<= 1.10",
        }
        print()
        print(f"{'sign-in by':<12}{'median Keycloak CPU per sign-in':>34}")
        print(f"{'username':<12}{mu * 1000:>31.1f} ms   ({spread(by_username)})")
        print(f"{'phone':<12}{mp * 1000:>31.1f} ms   ({spread(by_phone)})")
        print(
            f"ratio phone/username: {ratio:.3f} ({(ratio - 1) * 100:+.1f} %), target ≤ +10 %: "
            f"{'met' if ratio <= 1.10 else 'NOT met'}"
        )
        print(json.dumps(result, ensure_ascii=False))
        return 0 if ratio <= 1.10 else 1
    finally:
        server.stop()
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())

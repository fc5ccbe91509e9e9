"""Provisioning at scale: first apply, no-op re-plan with drift, one-time passwords, beside the naive ways.

Run: ``.venv/bin/python -m bench.bench_provision`` (10,000 staff) or ``--quick`` (1,000). It starts its own
Keycloak (local distribution, H2) unless ``--keycloak-url`` is given, and prints every figure with its
request count beside the baseline measured in the same run:
- naive first sync: python-keycloak, one call per user, role and group (timed on a sample);
- keycloak-config-cli-style read: per user, the user, its role mappings, its groups (timed on a sample,
  extrapolated to the roster);
and wuye-sso's own: first apply (partialImport batches), the same with SMS activation (``--activation sms``: no
password, the SMS queued in Keycloak) and how fast Keycloak's drain sends them, no-op re-plan (snapshot + events),
the same re-plan after drift made by hand, the full-read fallback, and first apply with one-time passwords.
``--activation-only`` runs the activation comparison alone (naive loop, no password, SMS, one-time passwords).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.activation import drain, sms_first_apply
from bench.baselines import drift_by_hand, naive_sync
from bench.roster_generator import generate, write_yaml
from devstack.keycloak_server import KeycloakEndpoint
from devstack.sms_outbox import SmsOutbox
from provisioning.activation import Activation
from provisioning.actual import ActualState
from provisioning.applier import Applier, ApplyOptions
from provisioning.audit import AuditLog
from provisioning.desired import DesiredState
from provisioning.keycloak_gateway import Credentials, KeycloakGateway
from provisioning.passwords import CredentialsFile
from provisioning.planner import make_plan
from provisioning.realm_import import create_tenant, master_admin
from provisioning.realm_template import RealmSettings
from provisioning.state_reader import read_actual
from provisioning.validation import load_desired
from sso import catalog

console = Console(width=None if Console().is_terminal else 200)


@dataclass
class Figure:
    name: str
    value: str
    requests: str
    baseline: str = ""
    ratio: str = ""


@contextmanager
def keycloak(url: str | None) -> Iterator[KeycloakEndpoint]:
    if url:
        user, password = os.environ["KEYCLOAK_ADMIN_USERNAME"], os.environ["KEYCLOAK_ADMIN_PASSWORD"]
        yield KeycloakEndpoint(url, user, password, "external")
        return
    from devstack.keycloak_modes import local_server

    with tempfile.TemporaryDirectory(prefix="bench-provision-") as folder:
        server = local_server(Path(folder))
        console.print("starting a Keycloak of our own for the benchmark …")
        try:
            yield server.start()
        finally:
            server.stop()


def new_realm(endpoint: KeycloakEndpoint, label: str) -> str:
    return new_realm_settings(endpoint, label).realm


def new_realm_settings(endpoint: KeycloakEndpoint, label: str) -> RealmSettings:
    return create_tenant(
        master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password),
        f"bench-{label}-{secrets.token_hex(3)}",
        "基准物业 Bench Property",
    )


def gateway(endpoint: KeycloakEndpoint, realm: str, provisioner_secret: str | None = None) -> KeycloakGateway:
    if provisioner_secret:
        credentials = Credentials("client", client_id=catalog.PROVISIONER_CLIENT_ID, client_secret=provisioner_secret)
    else:
        credentials = Credentials("admin", username=endpoint.admin_username, password=endpoint.admin_password)
    return KeycloakGateway(endpoint.base_url, realm, credentials, concurrency=4)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def apply_roster(
    endpoint: KeycloakEndpoint,
    realm: str,
    desired: DesiredState,
    workdir: Path,
    passwords: bool = False,
    provisioner_secret: str | None = None,
    create_workers: int = ApplyOptions.create_workers,
    activation: Activation = Activation.ONE_TIME_PASSWORD,
) -> tuple[float, int, ActualState]:
    """Plan and apply as ``wuye-sso provision apply`` does; returns (seconds, requests, state before)."""
    with gateway(endpoint, realm, provisioner_secret) as gw:
        started = time.perf_counter()
        actual = read_actual(gw, desired)
        plan = make_plan(desired, actual, "bench")
        credentials = CredentialsFile(workdir / f"credentials-{realm}.csv") if passwords else None
        applier = Applier(
            gw,
            actual,
            AuditLog(workdir / f"audit-{realm}.jsonl", "bench", realm),
            ApplyOptions(activation=activation, credentials=credentials, create_workers=create_workers),
        )
        report = applier.apply(plan, recheck=lambda: read_actual(gw, desired))
        seconds = time.perf_counter() - started
        if report.failures or report.skipped:
            raise RuntimeError(f"bench apply failed: {report.failures[:3]} skipped {report.skipped[:3]}")
        return seconds, gw.requests, actual


def per_user_read(endpoint: KeycloakEndpoint, realm: str, actual_ids: list[str]) -> tuple[float, int]:
    """keycloak-config-cli's way to learn an account's state: the user, its role mappings, its groups."""
    with gateway(endpoint, realm) as gw:
        gw.get("/users", max=1)  # sign in before timing
        before = gw.requests
        started = time.perf_counter()
        for user_id in actual_ids:
            gw.get(f"/users/{user_id}")
            gw.get(f"/users/{user_id}/role-mappings/realm")
            gw.get(f"/users/{user_id}/groups")
        return time.perf_counter() - started, gw.requests - before


def replan(endpoint: KeycloakEndpoint, realm: str, desired: DesiredState, full: bool = False) -> tuple[float, int, Any]:
    with gateway(endpoint, realm) as gw:
        gw.subject  # sign in before timing  # noqa: B018
        before = gw.requests
        started = time.perf_counter()
        actual = read_actual(gw, desired, full=full)
        plan = make_plan(desired, actual, "bench")
        return time.perf_counter() - started, gw.requests - before, (plan, actual)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 staff instead of 10,000")
    parser.add_argument("--staff", type=int)
    parser.add_argument(
        "--keycloak-url", help="use this Keycloak (KEYCLOAK_ADMIN_USERNAME/PASSWORD) instead of starting one"
    )
    parser.add_argument("--naive-sample", type=int, default=500)
    parser.add_argument("--read-sample", type=int, default=1000)
    parser.add_argument("--password-sample", type=int)
    parser.add_argument(
        "--activation-only",
        action="store_true",
        help="only first applies: no password, SMS activation (and its drain), one-time passwords; the naive loop",
    )
    parser.add_argument(
        "--paths-only",
        action="store_true",
        help="only the first apply as master admin beside the provisioner service account (and the naive loop)",
    )
    parser.add_argument(
        "--create-workers",
        type=int,
        default=ApplyOptions.create_workers,
        help="creates in flight on the provisioner's one-by-one path (default %(default)s)",
    )
    parser.add_argument(
        "--drain-bound", type=float, default=600, help="seconds to wait for the drain to empty the queue"
    )
    args = parser.parse_args(argv)
    staff = args.staff or (1000 if args.quick else 10_000)
    password_sample = args.password_sample or (200 if args.quick else 1000)
    figures: list[Figure] = []

    with tempfile.TemporaryDirectory(prefix="bench-roster-") as folder, keycloak(args.keycloak_url) as endpoint:
        work = Path(folder)
        company = generate(staff, sites=max(2, staff // 250), tenant="bench", company="基准物业")
        write_yaml(company, work / "roster.yaml")
        desired = load_desired(work / "roster.yaml")
        console.print(f"roster: {staff} staff, {len(company.sites)} sites; Keycloak {endpoint.base_url}")

        naive_s, naive_requests = naive_sync(
            endpoint, new_realm(endpoint, "naive"), desired, min(args.naive_sample, staff)
        )
        naive_rate = min(args.naive_sample, staff) / naive_s
        console.print(f"naive sync of a {min(args.naive_sample, staff)}-user sample: {naive_rate:.0f} users/s")

        realm = new_realm(endpoint, "main")
        apply_s, apply_requests, _ = apply_roster(endpoint, realm, desired, work)
        rate = staff / apply_s
        figures.append(
            Figure(
                f"first apply of {staff} (no passwords)",
                f"{rate:.0f} users/s ({apply_s:.1f} s)",
                f"{apply_requests}",
                f"naive {naive_rate:.0f} users/s on {min(args.naive_sample, staff)} ({naive_requests} requests)",
                f"{rate / naive_rate:.1f}×",
            )
        )
        console.print(figures[-1])
        outbox = SmsOutbox().start()
        try:
            sms_realm = new_realm(endpoint, "sms")
            sms_s, sms_requests, sent = sms_first_apply(endpoint, sms_realm, desired, work, outbox, apply_roster)
            # no password again, after it: the database grows with every realm, so the SMS run is compared with
            # the mean of a no-password run before it and one after it
            again_s, _, _ = apply_roster(endpoint, new_realm(endpoint, "nopw-after"), desired, work)
            bracket = (rate + staff / again_s) / 2
            figures.append(
                Figure(
                    f"first apply of {staff} with --activation sms (SMS queued, not waited on)",
                    f"{staff / sms_s:.0f} users/s ({sms_s:.1f} s); the drain sent {sent} SMS meanwhile",
                    f"{sms_requests}",
                    f"no passwords {rate:.0f} users/s before it, {staff / again_s:.0f} after it; naive "
                    f"{naive_rate:.0f}/s",
                    f"{(staff / sms_s) / bracket:.2f}× no-password (mean of both), {(staff / sms_s) / naive_rate:.1f}× naive",
                )
            )
            console.print(figures[-1])
            if args.activation_only:
                figures.append(one_time_passwords(endpoint, desired, work, password_sample))
                console.print(figures[-1])
                drained = drain(endpoint, sms_realm, outbox, staff, bound_s=args.drain_bound)
                figures.append(Figure("drain of the activation queue into the dev outbox", drained, "-"))
                console.print(figures[-1])
                return print_table(figures, staff, endpoint)
        finally:
            outbox.stop()
        figures.append(provisioner_path(endpoint, desired, work, staff, rate, naive_rate, args.create_workers))
        console.print(figures[-1])
        if args.paths_only:
            return print_table(figures, staff, endpoint)

        leavers = sorted(desired.users)[-10:]
        after_leavers = DesiredState(
            desired.tenant,
            desired.company_name,
            desired.sites,
            {u: d for u, d in desired.users.items() if u not in leavers},
            frozenset(),
        )
        apply_roster(endpoint, realm, after_leavers, work)

        runs = [replan(endpoint, realm, after_leavers) for _ in range(3)]
        noop_s = statistics.median(r[0] for r in runs)
        noop_requests = runs[0][1]
        plan, actual = runs[-1][2]
        assert plan.empty, "the no-op re-plan found changes"
        ids = [u.id for u in actual.users.values()][: args.read_sample]
        sample_s, sample_requests = per_user_read(endpoint, realm, ids)
        per_user_s = sample_s / len(ids) * len(actual.users)
        figures.append(
            Figure(
                f"no-op re-plan of {len(actual.users)} (median of 3)",
                f"{noop_s:.2f} s",
                f"{noop_requests} ({actual.read_mode}, attributes read {actual.attributes_read})",
                f"per-user read {per_user_s:.0f} s (extrapolated from {len(ids)}: {sample_s:.1f} s, "
                f"{sample_requests} requests; {3 * len(actual.users)} for all)",
                f"{per_user_s / noop_s:.0f}×",
            )
        )
        console.print(figures[-1])

        drift_by_hand(endpoint, realm, after_leavers, leavers[0])
        drift_s, drift_requests, (drift_plan, drift_actual) = replan(endpoint, realm, after_leavers)
        kinds = {(c.kind, c.target if c.kind == "update" else "") for a in drift_plan.accounts for c in a.changes}
        expected = {
            ("update", catalog.PHONE_ATTRIBUTE),
            ("update", "lastName"),
            ("revoke", ""),
            ("leave", ""),
            ("disable", ""),
        }
        noticed = len(expected & kinds)
        figures.append(
            Figure(
                "re-plan after 5 kinds of drift by hand",
                f"{drift_s:.2f} s, noticed {noticed}/5",
                f"{drift_requests} (attributes read {drift_actual.attributes_read})",
                f"per-user read {per_user_s:.0f} s",
                f"{per_user_s / drift_s:.0f}×",
            )
        )
        console.print(figures[-1])

        full_s, full_requests, _ = replan(endpoint, realm, after_leavers, full=True)
        figures.append(
            Figure(
                "re-plan, full-read fallback (no snapshot)",
                f"{full_s:.1f} s",
                f"{full_requests}",
                f"per-user read {per_user_s:.0f} s",
                f"{per_user_s / full_s:.1f}×",
            )
        )
        console.print(figures[-1])

        figures.append(one_time_passwords(endpoint, desired, work, password_sample))
        console.print(figures[-1])

    return print_table(figures, staff, endpoint)


def one_time_passwords(endpoint: KeycloakEndpoint, desired: DesiredState, work: Path, sample_size: int) -> Figure:
    """A sample applied with one-time passwords beside the same sample without (hashing is the difference)."""
    sample = dict(list(desired.users.items())[:sample_size])
    small = DesiredState(desired.tenant, desired.company_name, desired.sites, sample, frozenset())
    without_s, without_requests, _ = apply_roster(endpoint, new_realm(endpoint, "nopw"), small, work)
    with_s, with_requests, _ = apply_roster(endpoint, new_realm(endpoint, "pw"), small, work, passwords=True)
    share = max(0.0, 1 - without_s / with_s)
    return Figure(
        f"first apply of {sample_size} with one-time passwords",
        f"{sample_size / with_s:.0f} users/s ({with_s:.1f} s); hashing ≈ {share:.0%} of the time",
        f"{with_requests}",
        f"same {sample_size} without passwords: {sample_size / without_s:.0f} users/s ({without_requests} requests)",
        f"{without_s / with_s:.2f}×",
    )


def provisioner_path(
    endpoint: KeycloakEndpoint,
    desired: DesiredState,
    work: Path,
    staff: int,
    admin_rate: float,
    naive_rate: float,
    create_workers: int,
) -> Figure:
    """The least-privilege path IT uses daily: no partialImport (manage-realm), so concurrent creates with
    groups in the create call and one role mapping each."""
    settings = new_realm_settings(endpoint, "svc")
    service_s, service_requests, _ = apply_roster(
        endpoint,
        settings.realm,
        desired,
        work,
        create_workers=create_workers,
        provisioner_secret=settings.provisioner_client_secret,
    )
    rate = staff / service_s
    return Figure(
        f"first apply of {staff} as the provisioner service account",
        f"{rate:.0f} users/s ({service_s:.1f} s), {create_workers} creates in flight",
        f"{service_requests}",
        f"master admin (partialImport) {admin_rate:.0f} users/s; naive {naive_rate:.0f}/s",
        f"{rate / admin_rate:.2f}× admin, {rate / naive_rate:.1f}× naive",
    )


def print_table(figures: list[Figure], staff: int, endpoint: KeycloakEndpoint) -> int:
    load = os.getloadavg()
    table = Table(
        title=f"wuye-sso provisioning, {staff} staff, Keycloak {endpoint.base_url} ({os.cpu_count()} cores, "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})"
    )
    for column in ("figure", "wuye-sso", "requests", "baseline (same run)", "ratio"):
        table.add_column(column)
    for f in figures:
        table.add_row(f.name, f.value, f.requests, f.baseline, f.ratio)
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

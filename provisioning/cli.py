"""``wuye-sso provision validate|plan|apply ROSTER``: the roster becomes Keycloak accounts.

Exit codes: ``Exit`` below (docs/PROVISIONING.md shows the same table to people).
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import os
import socket
import sys
from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from provisioning.activation import Activation
from provisioning.actual import ActualState, MissingGroup
from provisioning.applier import Applier, ApplyOptions, RealmChanged
from provisioning.audit import AuditLog
from provisioning.desired import DesiredState
from provisioning.keycloak_gateway import Credentials, KeycloakGateway, Unauthorized, Unavailable
from provisioning.marker import LockHeld
from provisioning.passwords import CredentialsFile
from provisioning.plan import ChangeKind, NewAccountPlan, Plan
from provisioning.plan_render import render_plan, render_report
from provisioning.planner import make_plan
from provisioning.realm_import import ensure_realm, master_admin, realm_exists
from provisioning.realm_template import RealmSettings
from provisioning.roster import RosterError
from provisioning.state_reader import read_actual
from provisioning.user_profile import ProfileConfig, UserProfile
from provisioning.validation import load_desired
from sso import catalog


class Exit(IntEnum):
    """Every way the command ends; each expected error maps to one of these, here and nowhere else."""

    OK = 0  # applied, or nothing to do
    FAILED = 1  # invalid roster (nothing applied), a collision with an existing account, or failed changes
    PENDING = 2  # ``plan``: changes pending
    STALE_PLAN = 3  # a saved plan refused: the realm or the roster changed since it was made
    MASS_DISABLE = 4  # would disable more than MASS_DISABLE_SHARE of the managed accounts
    LOCKED = 5  # another apply holds the realm's lock
    UNREACHABLE = 6  # Keycloak unreachable, or no credentials, or credentials refused
    NOT_CONFIRMED = 7  # the operator did not confirm
    CONTRADICTORY = 8  # options that contradict each other (e.g. ``--activation sms --credentials-file``)


OK, FAILED, PENDING, STALE_PLAN, MASS_DISABLE, LOCKED, UNREACHABLE, NOT_CONFIRMED, CONTRADICTORY = Exit
MASS_DISABLE_SHARE = 0.20


class NoCredentials(Exception):
    """No Keycloak credentials in the environment."""


class ContradictoryOptions(Exception):
    """Two options ask for different things; the message names both."""


class MassDisable(Exception):
    """Re-planned under the lock, the roster would now disable too many accounts."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wuye-sso provision", description="The HR roster becomes Keycloak accounts.")
    commands = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, keycloak: bool = True) -> None:
        p.add_argument("roster", type=Path, help="roster file: .yaml, .csv or .xlsx")
        p.add_argument("--tenant", help="realm to provision (overrides the roster's tenant)")
        if keycloak:
            p.add_argument("--keycloak-url", default=os.environ.get("KEYCLOAK_URL", "http://127.0.0.1:8080"))
            p.add_argument(
                "--admin",
                action="store_true",
                help="use the master admin (KEYCLOAK_ADMIN_USERNAME/PASSWORD) even if WUYE_PROVISIONER_CLIENT_SECRET is set",
            )
            p.add_argument(
                "--full-read", action="store_true", help="read every account's attributes (ignore the snapshot)"
            )
            p.add_argument("--json", action="store_true", help="machine-readable output on stdout")

    validate = commands.add_parser("validate", help="check a roster and report every problem")
    common(validate, keycloak=False)
    validate.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    plan = commands.add_parser("plan", help="show what apply would change; exit 2 when changes are pending")
    common(plan)
    plan.add_argument("--out", type=Path, help="save the plan as JSON for `apply --plan`")
    plan.add_argument("--show", type=int, default=200, help="accounts to list (default 200)")
    apply = commands.add_parser("apply", help="apply the roster (shows the plan, asks unless --yes)")
    common(apply)
    for p in (plan, apply):
        p.add_argument(
            "--activation",
            choices=[a.value for a in Activation],
            help="how joiners get in the first time: sms (no password; Keycloak queues an activation SMS), "
            "one-time-password (written to --credentials-file; the default), invite (Keycloak's actions e-mail)",
        )
    apply.add_argument("--plan", type=Path, help="apply exactly this saved plan; refused if the realm changed since")
    apply.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    apply.add_argument("--invite", action="store_true", help="the same as --activation invite")
    apply.add_argument(
        "--credentials-file", type=Path, help="where one-time passwords go (mode 0600); not with --activation sms"
    )
    apply.add_argument(
        "--audit-log",
        type=Path,
        default=Path("wuye-provisioning-audit.jsonl"),
        help="JSON lines, one per change, appended (default %(default)s)",
    )
    apply.add_argument(
        "--allow-mass-disable",
        action="store_true",
        help=f"allow disabling more than {MASS_DISABLE_SHARE * 100:.0f}%% of managed accounts",
    )
    apply.add_argument(
        "--operator",
        default=f"{getpass.getuser()}@{socket.gethostname()}",
        help="who applies, for the audit log and the lock (default %(default)s)",
    )
    apply.add_argument("--show", type=int, default=200, help="accounts to list (default 200)")
    apply.add_argument("--batch-size", type=int, default=25, help="accounts per partialImport (default 25)")
    apply.add_argument("--workers", type=int, default=3, help="requests in flight (default 3)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    json_out = getattr(args, "json", False)
    console = Console(stderr=json_out, soft_wrap=True, highlight=False)
    try:
        desired = load_desired(args.roster, tenant=args.tenant)
    except RosterError as exc:
        return _roster_problems(exc, args, console)
    try:
        args.activation = chosen_activation(args)
    except ContradictoryOptions as exc:
        console.print(f"[red]{exc}[/]")
        return CONTRADICTORY
    if args.command == "validate":
        active = sum(1 for u in desired.users.values() if u.active)
        if json_out:
            print(
                json.dumps(
                    {
                        "ok": True,
                        "tenant": desired.tenant,
                        "company": desired.company_name,
                        "sites": len(desired.sites),
                        "people": len(desired.users),
                        "active": active,
                        "not_started": len(desired.not_started),
                    },
                    ensure_ascii=False,
                )
            )
        console.print(
            f"{args.roster}: valid. Realm {desired.tenant} ({desired.company_name}), {len(desired.sites)} sites, "
            f"{len(desired.users)} people ({active} active, {len(desired.users) - active} leaving)."
        )
        return OK
    try:
        return _plan_or_apply(args, desired, console)
    except Unauthorized as exc:
        console.print(f"[red]Keycloak refused the credentials: {exc}[/]")
        return UNREACHABLE
    except NoCredentials as exc:
        console.print(f"[red]{exc}[/]")
        return UNREACHABLE
    except Unavailable as exc:
        console.print(f"[red]Keycloak is not answering at {args.keycloak_url}: {exc}[/]")
        return UNREACHABLE
    except LockHeld as exc:
        console.print(f"[red]{exc}[/]")
        return LOCKED
    except RealmChanged as exc:
        console.print(f"[red]Refused: {exc}.[/]")
        return STALE_PLAN
    except MassDisable as exc:
        console.print(f"[red]Refused: {exc}[/]")
        return MASS_DISABLE
    except MissingGroup as exc:
        console.print(f"[red]Nothing applied: {exc}[/]")
        return FAILED
    except RosterError as exc:
        return _roster_problems(exc, args, console)


def _roster_problems(exc: RosterError, args: argparse.Namespace, console: Console) -> int:
    for problem in exc.problems:
        console.print(f"[red]{problem}[/]", highlight=False)
    count = len(exc.problems)
    console.print(f"{count} problem{'s' if count > 1 else ''} in {args.roster}: nothing applied.")
    if getattr(args, "json", False):
        print(json.dumps({"ok": False, "problems": [str(p) for p in exc.problems]}, ensure_ascii=False))
    return FAILED


def chosen_activation(args: argparse.Namespace) -> Activation:
    """The one activation mode of this run, from ``--activation`` and the older ``--invite`` and
    ``--credentials-file``; options that ask for two different modes are refused, naming both."""
    chosen = Activation(args.activation) if getattr(args, "activation", None) else None
    invite, credentials_file = getattr(args, "invite", False), getattr(args, "credentials_file", None)
    if invite and chosen not in (None, Activation.INVITE):
        raise ContradictoryOptions(f"--invite contradicts --activation {chosen}: choose one way in for joiners")
    if credentials_file is not None and chosen is Activation.SMS:
        raise ContradictoryOptions(
            f"--credentials-file {credentials_file} contradicts --activation sms: SMS activation gives joiners no "
            "password (use --activation one-time-password for a credentials file)"
        )
    return chosen or (Activation.INVITE if invite else Activation.ONE_TIME_PASSWORD)


def credentials_from_env(force_admin: bool) -> Credentials:
    secret = os.environ.get("WUYE_PROVISIONER_CLIENT_SECRET")
    if secret and not force_admin:
        return Credentials("client", client_id=catalog.PROVISIONER_CLIENT_ID, client_secret=secret)
    return admin_credentials_from_env()


def admin_credentials_from_env() -> Credentials:
    user, password = os.environ.get("KEYCLOAK_ADMIN_USERNAME"), os.environ.get("KEYCLOAK_ADMIN_PASSWORD")
    if not user or not password:
        raise NoCredentials(
            "No Keycloak credentials: set WUYE_PROVISIONER_CLIENT_SECRET (the realm's provisioner service account) "
            "or KEYCLOAK_ADMIN_USERNAME and KEYCLOAK_ADMIN_PASSWORD (master admin; also needed to create a realm)."
        )
    return Credentials("admin", username=user, password=password)


def _plan_or_apply(args: argparse.Namespace, desired: DesiredState, console: Console) -> int:
    gateway = KeycloakGateway(
        args.keycloak_url,
        desired.tenant,
        credentials_from_env(args.admin),
        concurrency=max(4, getattr(args, "workers", 3)),
    )
    with gateway:
        exists = realm_exists(args.keycloak_url, desired.tenant)
        if exists:  # Keycloak's own rules for names and e-mails, as this realm has them
            config: ProfileConfig = gateway.get("/users/profile")
            desired = load_desired(
                args.roster,
                tenant=args.tenant,
                profile=UserProfile.from_config(config, f"realm {desired.tenant}'s user profile"),
            )
        actual = read_actual(gateway, desired, full=args.full_read) if exists else None
        if args.command == "apply" and args.plan:
            plan = Plan.load(args.plan)
            if plan.realm != desired.tenant:
                raise RealmChanged(f"the saved plan is for realm {plan.realm}, the roster for {desired.tenant}")
            if plan.roster_sha256 and plan.roster_sha256 != _sha256(args.roster):
                raise RealmChanged(f"{args.roster} changed since {args.plan} was made from it")
            if exists != plan.realm_exists or (actual is not None and actual.fingerprint() != plan.fingerprint):
                raise RealmChanged(f"realm {plan.realm} changed since {args.plan} was made")
        else:
            plan = make_plan(desired, actual, str(args.roster))
            plan.roster_sha256 = _sha256(args.roster)
        if args.json and args.command == "plan":
            print(
                json.dumps(
                    {
                        "plan": plan.to_json(),
                        "summary": plan.summary(),
                        "activation": args.activation.value,
                        "read": _read_info(actual),
                        "requests": gateway.requests,
                        "writes": gateway.writes,
                    },
                    ensure_ascii=False,
                )
            )
        if not (args.json and args.command == "plan"):
            render_plan(plan, console, show=args.show, activation=args.activation)
            if actual is not None:
                console.print(
                    f"[dim]read {len(actual.users)} managed accounts ({actual.read_mode}: {actual.read_reason}; "
                    f"attributes of {actual.attributes_read} read) in {gateway.requests} requests[/]"
                )
        if args.command == "plan":
            if args.out:
                plan.save(args.out)  # 0600: it holds mobiles and e-mails
                console.print(f"plan saved to {args.out}")
            if plan.conflicts:
                console.print(
                    f"[red]Refused: {len(plan.conflicts)} roster entries collide with existing accounts "
                    "(listed above); apply leaves them out and applies the rest.[/]"
                )
                return FAILED
            return OK if plan.empty else PENDING
        return _apply(args, desired, plan, actual, gateway, console)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _apply(
    args: argparse.Namespace,
    desired: DesiredState,
    plan: Plan,
    actual: ActualState | None,
    gateway: KeycloakGateway,
    console: Console,
) -> int:
    audit = AuditLog(args.audit_log, f"{args.operator} as {gateway.credentials.operator}", desired.tenant)
    if plan.empty:
        report = None
        if actual is not None:  # leavers' sessions are checked on every run, even with nothing else to do
            sweeper = Applier(gateway, actual, audit, ApplyOptions(workers=args.workers))
            sweeper.sign_out_disabled()
            audit.close()
            if sweeper.report.signed_out or sweeper.report.failures:
                report = sweeper.report
                if not args.json:
                    render_report(report, console)
        console.print("Nothing to apply." if not plan.conflicts else "Nothing else to apply.")
        if args.json:
            print(
                json.dumps(
                    {
                        "ok": not plan.conflicts,
                        "summary": plan.summary(),
                        "report": report.as_json() if report else None,
                        "read": _read_info(actual),
                        "conflicts": [str(c) for c in plan.conflicts],
                        "requests": gateway.requests,
                        "writes": gateway.writes,
                    },
                    ensure_ascii=False,
                )
            )
        return FAILED if plan.conflicts or (report and report.failures) else OK
    if plan.disable_share > MASS_DISABLE_SHARE and not args.allow_mass_disable:
        console.print(
            f"[red]Refused: this roster would disable {plan.count(ChangeKind.DISABLE)} of {plan.managed_accounts} managed "
            f"accounts ({plan.disable_share:.0%} > {MASS_DISABLE_SHARE:.0%}). A truncated export? "
            "If it is meant, run again with --allow-mass-disable.[/]"
        )
        return MASS_DISABLE
    if not args.yes:
        if not sys.stdin.isatty():
            console.print("[red]Not applied: confirm with --yes when not running in a terminal.[/]")
            return NOT_CONFIRMED
        if input("Apply these changes? 执行这些变更? [y/N] ").strip().lower() not in ("y", "yes", "是"):
            console.print("Not applied.")
            return NOT_CONFIRMED
    if actual is None:
        actual = _create_realm(args, desired, gateway, console)
    credentials = None
    activation: Activation = args.activation
    if activation is Activation.ONE_TIME_PASSWORD or (
        activation is Activation.INVITE
        and any(isinstance(a, NewAccountPlan) and not a.new.email for a in plan.accounts)
    ):
        # one file per realm by default, so a re-run after a kill finds the passwords its predecessor wrote
        credentials = CredentialsFile(args.credentials_file or Path(f"{desired.tenant}.credentials.csv"))
    options = ApplyOptions(
        activation=activation,
        credentials=credentials,
        batch_size=args.batch_size,
        workers=args.workers,
        lock_holder=args.operator,
    )
    total = len(plan.accounts)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=args.json or not console.is_terminal or total < 20,
    ) as progress:
        task = progress.add_task("applying", total=total)
        applier = Applier(gateway, actual, audit, options, progress=lambda n: progress.advance(task, n))
        report = applier.apply(
            plan,
            recheck=lambda: read_actual(gateway, desired, full=args.full_read),
            replan=None if args.plan else lambda now: _replan(args, desired, now),
        )
    if args.json:
        print(
            json.dumps(
                {
                    "ok": not (report.failures or report.skipped or plan.conflicts),
                    "summary": plan.summary(),
                    "report": report.as_json(),
                    "conflicts": [str(c) for c in plan.conflicts],
                    "requests": gateway.requests,
                    "writes": gateway.writes,
                    "credentials_file": str(credentials.path) if credentials and credentials.written else None,
                },
                ensure_ascii=False,
            )
        )
    else:
        render_report(report, console)
        if credentials is not None and credentials.written:
            console.print(f"one-time passwords: {credentials.path}")
        for conflict in plan.conflicts:
            console.print(f"[red]not applied, conflict: {conflict}[/]")
    return FAILED if report.failures or report.skipped or plan.conflicts else OK


def _replan(args: argparse.Namespace, desired: DesiredState, now: ActualState) -> Plan:
    """A plain apply found the realm changed since its plan: plan again (the mass-disable guard still holds)."""
    plan = make_plan(desired, now, str(args.roster))
    if plan.disable_share > MASS_DISABLE_SHARE and not args.allow_mass_disable:
        raise MassDisable(
            f"planned again under the lock, this roster would disable {plan.count(ChangeKind.DISABLE)} of "
            f"{plan.managed_accounts} managed accounts; run again with --allow-mass-disable if it is meant."
        )
    return plan


def _create_realm(
    args: argparse.Namespace, desired: DesiredState, gateway: KeycloakGateway, console: Console
) -> ActualState:
    admin = admin_credentials_from_env()
    settings = RealmSettings.with_random_secrets(
        desired.tenant, desired.company_name, provisioner_client_secret=gateway.credentials.client_secret
    )
    ensure_realm(master_admin(args.keycloak_url, admin.username, admin.password), settings)
    console.print(f"created realm {desired.tenant} from the realm template")
    return read_actual(gateway, desired)


def _read_info(actual: ActualState | None) -> dict[str, object] | None:
    if actual is None:
        return None
    return {
        "mode": actual.read_mode,
        "reason": actual.read_reason,
        "managed_accounts": len(actual.users),
        "attributes_read": actual.attributes_read,
        "accounts_read": actual.accounts_read[:50],
    }


if __name__ == "__main__":
    raise SystemExit(main())

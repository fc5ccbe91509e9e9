"""``wuye-sso stack up|down|status``: the whole local stack with sample data, in one command.

``up`` starts, each only if not already running: the SMTP sink, the SMS outbox, Keycloak (local
distribution with our extension), the sample tenant's realm from the template, the sample roster
provisioned, the work-order API and the workbench; then prints where everything is.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.errors import SetupError
from devstack.keycloak_modes import chosen_mode, external_endpoint, local_server
from devstack.keycloak_server import KeycloakEndpoint, stop_instance
from devstack.paths import PROJECT_ROOT, state_dir
from devstack.processes import Service, ServiceRunner

log = logging.getLogger("wuye.stack")

#: The roster `up` provisions: the sample company, or your own with WUYE_STACK_ROSTER=path/to/roster.yaml.
SAMPLE_ROSTER = Path(os.environ.get("WUYE_STACK_ROSTER") or PROJECT_ROOT / "examples" / "roster.yaml")


@dataclass(frozen=True)
class Ports:
    keycloak: int = int(os.environ.get("KEYCLOAK_HTTP_PORT", "8080"))
    keycloak_management: int = int(os.environ.get("KEYCLOAK_MANAGEMENT_PORT", "9000"))
    workbench: int = int(os.environ.get("WUYE_WORKBENCH_PORT", "8000"))
    workorder_api: int = int(os.environ.get("WUYE_WORKORDER_API_PORT", "8001"))
    smtp: int = int(os.environ.get("WUYE_SMTP_PORT", "2525"))
    sms_outbox: int = int(os.environ.get("WUYE_SMS_OUTBOX_PORT", "8025"))


def stack_secrets(root: Path) -> dict[str, str]:
    """Client secrets of the dev stack, made once and kept in a 0600 file (never printed)."""
    path = root / "secrets.json"
    names = (
        "workbench_client_secret",
        "workorder_api_client_secret",
        "provisioner_client_secret",
        "helpdesk_client_secret",
    )
    if path.exists():
        values: dict[str, str] = json.loads(path.read_text())
        if all(name in values for name in names):
            return values
    else:
        values = {}
    values.update({name: secrets.token_urlsafe(24) for name in names if name not in values})
    path.touch(mode=0o600)
    path.write_text(json.dumps(values))
    return values


def sample_tenant() -> tuple[str, str]:
    """(realm, company name) of the sample roster."""
    data = _sample_roster()
    return str(data["tenant"]), str(data.get("company") or data["tenant"])


def _keycloak(root: Path, ports: Ports) -> tuple[KeycloakEndpoint, object | None]:
    mode = chosen_mode()
    log.info("Keycloak mode: %s", mode)
    if mode == "external":
        return external_endpoint(), None
    if mode != "local":
        raise SetupError(
            "`stack up` runs Keycloak from the local distribution or uses KEYCLOAK_URL.",
            "Unset WUYE_KEYCLOAK_MODE, or point KEYCLOAK_URL at your server.",
        )
    server = local_server(root / "keycloak", ports.keycloak, ports.keycloak_management)
    return server.start(), server


def up(ports: Ports) -> int:
    root = state_dir()
    runner = ServiceRunner(root)
    keys = stack_secrets(root)
    realm, _ = sample_tenant()
    workbench_url = f"http://127.0.0.1:{ports.workbench}"
    api_url = f"http://127.0.0.1:{ports.workorder_api}"
    outbox_url = start_sinks(runner, ports, root / "mail")
    print(
        f"· starting Keycloak on 127.0.0.1:{ports.keycloak} (first run fetches and builds it: about a minute)",
        flush=True,
    )
    endpoint, local = _keycloak(root, ports)
    credentials = root / "credentials" / f"{realm}.csv"
    sample_company(
        endpoint, keys, workbench_url, ports, credentials, "from realm-export/realm-template.json", activation="sms"
    )
    issuer = f"{endpoint.base_url}/realms/{realm}"
    start_workorder_api(runner, ports, issuer, keys)
    runner.start(
        Service(
            "workbench",
            ("-m", "wuye_sso", "workbench", "--port", str(ports.workbench)),
            ports.workbench,
            env=(
                ("WUYE_ISSUER", issuer),
                ("WUYE_WORKBENCH_URL", workbench_url),
                ("WUYE_WORKBENCH_CLIENT_SECRET", keys["workbench_client_secret"]),
                ("WUYE_WORKORDER_API_URL", api_url),
                ("WUYE_HELPDESK_CLIENT_SECRET", keys["helpdesk_client_secret"]),
                ("WUYE_AUDIT_LOG", str(root / "logs" / "audit.jsonl")),
                ("WUYE_PROVISIONING_AUDIT_LOG", str(state_dir() / "logs" / "provisioning-audit.jsonl")),
            ),
        )
    )
    admin_password = root / "keycloak" / "admin-password" if local else None
    _print_summary(endpoint, realm, workbench_url, api_url, outbox_url, ports, root, admin_password)
    return 0


def start_sinks(runner: ServiceRunner, ports: Ports, mail_dir: Path) -> str:
    """The dev mail sink and SMS outbox (Keycloak sends codes there); returns the outbox's URL."""
    outbox_url = f"http://127.0.0.1:{ports.sms_outbox}"
    runner.start(Service("smtp-sink", ("-m", "devstack.smtp_sink", str(ports.smtp), str(mail_dir)), ports.smtp))
    runner.start(
        Service(
            "sms-outbox",
            ("-m", "devstack.sms_outbox", "--port", str(ports.sms_outbox)),
            ports.sms_outbox,
            health_url=f"{outbox_url}/api/messages",
        )
    )
    os.environ.setdefault("WUYE_SMS_OUTBOX_URL", f"{outbox_url}/messages")
    return outbox_url


def sample_company(
    endpoint: KeycloakEndpoint,
    keys: dict[str, str],
    workbench_url: str,
    ports: Ports,
    credentials: Path,
    how: str,
    activation: str = "one-time-password",
) -> None:
    """The sample tenant's realm from the template (once) and its roster provisioned, through ``endpoint``;
    ``activation`` is ``provision apply --activation`` (``sms``: no passwords, the SMS land in the dev outbox)."""
    from provisioning.realm_import import ensure_realm, master_admin
    from provisioning.realm_template import RealmSettings

    realm, company = sample_tenant()
    settings = RealmSettings(
        realm=realm,
        company_name=company,
        workbench_url=workbench_url,
        workbench_client_secret=keys["workbench_client_secret"],
        workorder_api_client_secret=keys["workorder_api_client_secret"],
        provisioner_client_secret=keys["provisioner_client_secret"],
        helpdesk_client_secret=keys["helpdesk_client_secret"],
        smtp_host="127.0.0.1",
        smtp_port=str(ports.smtp),
    )
    admin = master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password)
    if ensure_realm(admin, settings):
        print(f"· created realm {realm} ({company}) {how}", flush=True)
    _provision_sample(endpoint, keys, credentials, activation)


def start_workorder_api(runner: ServiceRunner, ports: Ports, issuer: str, keys: dict[str, str]) -> None:
    realm, _ = sample_tenant()
    runner.start(
        Service(
            "workorder-api",
            ("-m", "wuye_sso", "workorder-api", "--port", str(ports.workorder_api), "--demo", _demo_sites(realm)),
            ports.workorder_api,
            env=(
                ("WUYE_WORKORDER_API_ISSUERS", issuer),
                ("WUYE_WORKORDER_API_CLIENT_SECRET", keys["workorder_api_client_secret"]),
            ),
        )
    )


def _provision_sample(endpoint: KeycloakEndpoint, keys: dict[str, str], credentials: Path, activation: str) -> None:
    from provisioning import cli as provision_cli

    os.environ["KEYCLOAK_ADMIN_USERNAME"] = endpoint.admin_username
    os.environ["KEYCLOAK_ADMIN_PASSWORD"] = endpoint.admin_password
    os.environ["WUYE_PROVISIONER_CLIENT_SECRET"] = keys["provisioner_client_secret"]
    credentials.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    code = provision_cli.main(
        [
            "apply",
            str(SAMPLE_ROSTER),
            "--yes",
            "--keycloak-url",
            endpoint.base_url,
            "--activation",
            activation,
            *(("--credentials-file", str(credentials)) if activation == "one-time-password" else ()),
            "--audit-log",
            str(state_dir() / "logs" / "provisioning-audit.jsonl"),
        ]
    )
    if code not in (0, 2):
        raise SetupError(f"Provisioning the sample roster failed (exit {code}).", "See the messages above.")


def _print_summary(
    endpoint: KeycloakEndpoint,
    realm: str,
    workbench_url: str,
    api_url: str,
    outbox_url: str,
    ports: Ports,
    root: Path,
    admin_password: Path | None,
) -> None:
    sample_user = _first_sample_user()
    where_password = f"   admin password: {admin_password}" if admin_password else ""
    keycloak_log = root / "keycloak" / "keycloak.log" if admin_password else "(external server)"
    print(
        "\nwuye-sso is up\n"
        f"  工作台 Staff workbench      {workbench_url}\n"
        f"  Keycloak (realm {realm})   {endpoint.base_url}/admin/master/console/#/{realm}{where_password}\n"
        f"  Work-order API             {api_url}/openapi.json\n"
        f"  SMS outbox (dev)           {outbox_url}\n"
        f"  Mail sink (dev)            smtp://127.0.0.1:{ports.smtp}, messages in {root / 'mail'}\n"
        f"  Logs                       {root / 'logs'}, Keycloak: {keycloak_log}\n\n"
        f"Sample login: 工号 {sample_user}; no password yet: on the sign-in page choose 首次登录 / 激活账号 and take\n"
        f"the code from the SMS outbox ({outbox_url}), where the activation SMS of every sample person land.\n"
        "Stop everything with `make down`.",
        flush=True,
    )


def _sample_roster() -> dict[str, Any]:
    import yaml

    roster: dict[str, Any] = yaml.safe_load(SAMPLE_ROSTER.read_text(encoding="utf-8"))
    return roster


def _first_sample_user() -> str:
    """An ordinary engineer (no second factor beyond the SMS code): the gentlest first sign-in to try."""
    people = _sample_roster().get("staff", [])
    for person in people:
        if person.get("rank") == "staff" and person.get("status", "active") == "active":
            return f"{person['employee_no']} ({person['name']}, {', '.join(person.get('departments', []))})"
    return str(people[0]["employee_no"]) if people else "?"


def _demo_sites(realm: str) -> str:
    return f"{realm}:" + ",".join(site["code"] for site in _sample_roster().get("sites", []))


def down() -> int:
    root = state_dir()
    runner = ServiceRunner(root)
    for name in ("workbench", "workorder-api", "sms-outbox", "smtp-sink"):
        if runner.stop(name):
            print(f"· stopped {name}")
    if stop_instance(root / "keycloak"):
        print("· stopped Keycloak")
    from devstack.cluster_stack import down_cluster

    for name in down_cluster():
        print(f"· stopped {name} (cluster)")
    return 0


def status() -> int:
    runner = ServiceRunner(state_dir())
    for name in ("smtp-sink", "sms-outbox", "workorder-api", "workbench"):
        pid = runner.pid(name)
        print(f"{name:14} {f'running (pid {pid})' if pid else 'stopped'}")
    from devstack.cluster_stack import status_cluster

    for name, state in status_cluster():
        print(f"cluster {name:14} {state}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wuye-sso stack", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("up", "down", "status", "rolling-restart"))
    parser.add_argument(
        "--nodes",
        type=int,
        default=1,
        help="Keycloak nodes; 2 or more: a cluster on PostgreSQL behind HAProxy (make up-cluster)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        if args.action == "up" and args.nodes > 1:
            from devstack.cluster_stack import up_cluster

            return up_cluster(args.nodes, Ports())
        if args.action == "up":
            return up(Ports())
        if args.action == "rolling-restart":
            from devstack.cluster_stack import rolling_restart_cluster

            return rolling_restart_cluster()
        if args.action == "down":
            return down()
        return status()
    except SetupError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 1

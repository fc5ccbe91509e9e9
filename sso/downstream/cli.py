"""``wuye-sso downstream apply FILE --realm R``: create or correct the declared systems' clients.

Each client's secret is written to ``<secrets-dir>/<client_id>.client-secret`` (mode 0600), never printed.
Exit codes: 0 applied, 1 Keycloak refused, 2 bad declaration or arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakError

from sso.downstream.apply import apply_system
from sso.downstream.declaration import DeclarationError, load_systems


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wuye-sso downstream", description="Downstream systems as OIDC clients.")
    commands = parser.add_subparsers(dest="command", required=True)
    apply = commands.add_parser("apply", help="create or correct the clients declared in FILE")
    apply.add_argument("file", type=Path, help="YAML with systems: (see examples/downstream.yaml)")
    apply.add_argument("--realm", required=True, help="tenant realm, e.g. lvcheng")
    apply.add_argument("--keycloak-url", default=os.environ.get("KEYCLOAK_URL", "http://127.0.0.1:8080"))
    apply.add_argument(
        "--secrets-dir",
        type=Path,
        default=Path(".wuye/secrets"),
        help="where <client_id>.client-secret files go, mode 0600 (default %(default)s)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        systems = load_systems(args.file)
    except DeclarationError as exc:
        print(exc, file=sys.stderr)
        return 2
    username, password = os.environ.get("KEYCLOAK_ADMIN_USERNAME"), os.environ.get("KEYCLOAK_ADMIN_PASSWORD")
    if not username or not password:
        print("Set KEYCLOAK_ADMIN_USERNAME and KEYCLOAK_ADMIN_PASSWORD (a master-realm admin).", file=sys.stderr)
        return 2
    admin = KeycloakAdmin(connection=KeycloakOpenIDConnection(
        server_url=args.keycloak_url, username=username, password=password, realm_name=args.realm,
        user_realm_name="master", client_id="admin-cli",
    ))  # fmt: skip
    args.secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        for system in systems:
            secret = apply_system(admin, system)
            target = args.secrets_dir / f"{system.client_id}.client-secret"
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secret + "\n")
            print(f"{system.client_id}: applied; secret in {target}")
    except KeycloakError as exc:
        print(f"Keycloak refused: {exc}", file=sys.stderr)
        return 1
    return 0

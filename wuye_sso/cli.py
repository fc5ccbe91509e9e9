"""``wuye-sso <command> ...``: dispatch to the package that owns the command (``fn(argv) -> int``)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

#: command → (module, function, one-line help). Each function takes the remaining argv and returns an exit code.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "stack": ("devstack.stack", "main", "bring the local stack up or down (Keycloak, mail and SMS sinks, workbench)"),
    "provision": ("provisioning.cli", "main", "validate, plan and apply an HR roster to Keycloak"),
    "workbench": ("sso.workbench.serve", "main", "serve the staff workbench (uvicorn)"),
    "workorder-api": ("sso.workorder_api.serve", "main", "serve the sample work-order API (uvicorn)"),
    "audit": ("sso.audit_cli", "main", "verify the hash-chained audit log; export events and audit lines by date"),
    "downstream": (
        "sso.downstream.cli",
        "main",
        "declare downstream systems (oauth2-proxy, legacy apps) as OIDC clients",
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help") or args[0] not in COMMANDS:
        width = max(len(c) for c in COMMANDS)
        lines = [f"  {name.ljust(width)}  {help_}" for name, (_, _, help_) in COMMANDS.items()]
        print("usage: wuye-sso <command> [options]\n\ncommands:\n" + "\n".join(lines))
        return 0 if args and args[0] in ("-h", "--help") else 2
    module, function, _ = COMMANDS[args[0]]
    handler = getattr(importlib.import_module(module), function)
    return int(handler(args[1:]))


if __name__ == "__main__":
    raise SystemExit(main())

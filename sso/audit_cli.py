"""``wuye-sso audit verify FILE`` and ``wuye-sso audit export --since D --until D --format jsonl|csv``.

``verify`` walks the hash chain (``sso.audit_chain``) and names the first line where it breaks (exit 1), or
prints the line count and head hash to note down (exit 0). ``export`` writes, for a date range, Keycloak's login
and admin events (read through the realm's ``helpdesk`` service account: ``WUYE_HELPDESK_CLIENT_SECRET`` and
``WUYE_ISSUER`` or ``WUYE_KEYCLOAK_URL`` + ``WUYE_REALM``) and the lines of the given audit logs, as JSON lines or
formula-safe CSV.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from sso.audit_chain import verify
from sso.csv_safe import csv_text
from sso.workbench.helpdesk import timeline
from sso.workbench.helpdesk.keycloak_api import (
    AdminApiError,
    JsonObject,
    KeycloakAdminApi,
)
from sso.workbench.helpdesk.settings import HELPDESK_CLIENT_ID

EXPORT_FIELDS = ("time", "source", "what", "who", "user_id", "detail")
PAGE = 1000


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _verify(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.exists():
        print(f"wuye-sso audit verify: {path}: no such file", file=sys.stderr)
        return 2
    verdict = verify(path)
    if verdict.intact:
        print(f"{path}: intact, {verdict.lines} lines, head {verdict.head}")
        return 0
    for problem in verdict.problems:
        print(f"{path}: {problem}", file=sys.stderr)
    print(
        f"{path}: TAMPERED: {len(verdict.problems)} problem(s); first at line {verdict.problems[0].line}",
        file=sys.stderr,
    )
    return 1


async def _paged(fetch: str, api: KeycloakAdminApi, since: dt.date, until: dt.date) -> list[JsonObject]:
    out: list[JsonObject] = []
    call = api.events if fetch == "events" else api.admin_events
    while True:
        batch = await call(PAGE, dateFrom=since.isoformat(), dateTo=until.isoformat(), first=str(len(out)))
        out.extend(batch)
        if len(batch) < PAGE:
            return out


async def _keycloak_entries(issuer: str, secret: str, since: dt.date, until: dt.date) -> list[timeline.Entry]:
    async with httpx.AsyncClient(timeout=60) as http:
        api = KeycloakAdminApi(issuer, HELPDESK_CLIENT_ID, secret, http)
        logins, admins = await asyncio.gather(_paged("events", api, since, until), _paged("admin", api, since, until))
    return timeline.login_entries(logins) + timeline.admin_entries(admins)


def _issuer(env: dict[str, str] | os._Environ[str]) -> str | None:
    if env.get("WUYE_ISSUER"):
        return env["WUYE_ISSUER"].rstrip("/")
    if env.get("WUYE_KEYCLOAK_URL") and env.get("WUYE_REALM"):
        return f"{env['WUYE_KEYCLOAK_URL'].rstrip('/')}/realms/{env['WUYE_REALM']}"
    return None


def _export(args: argparse.Namespace) -> int:
    since, until = args.since, args.until
    if until < since:
        print("wuye-sso audit export: --until is before --since", file=sys.stderr)
        return 2
    entries: list[timeline.Entry] = []
    if not args.no_keycloak:
        issuer, secret = _issuer(os.environ), os.environ.get("WUYE_HELPDESK_CLIENT_SECRET", "")
        if issuer is None or not secret:
            print(
                "wuye-sso audit export: set WUYE_HELPDESK_CLIENT_SECRET and WUYE_ISSUER (or WUYE_KEYCLOAK_URL and "
                "WUYE_REALM), or pass --no-keycloak",
                file=sys.stderr,
            )
            return 2
        try:
            entries += asyncio.run(_keycloak_entries(issuer, secret, since, until))
        except AdminApiError as exc:
            print(f"wuye-sso audit export: Keycloak: {exc}", file=sys.stderr)
            return 1
    for path in args.log:
        if not path.exists():
            print(f"wuye-sso audit export: {path}: no such file", file=sys.stderr)
            return 2
        entries += timeline.file_entries(
            path, args.log_source.get(str(path), "helpdesk" if "helpdesk" in path.name else "audit")
        )
    start = dt.datetime.combine(since, dt.time.min, dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, dt.UTC)
    rows = [e.row() for e in sorted(entries, key=lambda e: e.at) if start <= e.at < end]
    out = args.output.open("w", encoding="utf-8", newline="") if args.output else sys.stdout
    try:
        if args.format == "csv":
            out.write(csv_text([[r[f] for f in EXPORT_FIELDS] for r in rows], header=EXPORT_FIELDS))
        else:
            for r in rows:
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
    finally:
        if args.output:
            out.close()
    print(f"exported {len(rows)} entries ({since} … {until})", file=sys.stderr)
    return 0


def _log_arg(text: str) -> Path:
    return Path(text.split("=", 1)[1] if "=" in text else text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wuye-sso audit", description="Verify and export the audit trail.")
    commands = parser.add_subparsers(dest="command", required=True)
    v = commands.add_parser("verify", help="check the hash chain of an audit log; name the first broken line")
    v.add_argument("file", type=Path)
    e = commands.add_parser("export", help="Keycloak's events and the audit logs for a date range")
    e.add_argument("--since", type=_date, required=True, help="first day (YYYY-MM-DD, UTC)")
    e.add_argument("--until", type=_date, required=True, help="last day, included")
    e.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    e.add_argument(
        "--log",
        action="append",
        default=[],
        metavar="[SOURCE=]FILE",
        help="an audit log to include (repeat): e.g. helpdesk=wuye-audit.jsonl provisioning=…",
    )
    e.add_argument("--output", type=Path, help="write here instead of standard output")
    e.add_argument("--no-keycloak", action="store_true", help="only the audit logs, not Keycloak's events")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command == "verify":
        return _verify(args)
    raw_logs = args.log
    args.log = [_log_arg(x) for x in raw_logs]
    args.log_source = {str(_log_arg(x)): x.split("=", 1)[0] for x in raw_logs if "=" in x}
    return _export(args)

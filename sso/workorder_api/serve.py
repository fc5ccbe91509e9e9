"""``wuye-sso workorder-api``: serve the sample work-order API with uvicorn.

    wuye-sso workorder-api --issuer http://127.0.0.1:8080/realms/lvcheng [--demo lvcheng:lvyuan,xixi]

Flags override the ``WUYE_WORKORDER_API_*`` variables (see ``sso.workorder_api.settings``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace

import uvicorn

from sso.workorder_api.app import create_app
from sso.workorder_api.settings import SettingsError, WorkorderApiSettings
from sso.workorder_api.store import WorkOrderStore, seed_demo


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wuye-sso workorder-api", description="Serve the sample work-order API.")
    parser.add_argument("--issuer", action="append", default=[], help="trusted realm issuer URL (repeatable)")
    parser.add_argument("--host", help="listen address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default 8001)")
    parser.add_argument(
        "--demo", action="append", default=[], metavar="TENANT:SITE[,SITE]",
        help="seed a few open orders for these sites of a tenant (repeatable)",
    )  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = WorkorderApiSettings.from_env()
        if args.issuer:
            settings = replace(settings, issuers=tuple(i.rstrip("/") for i in args.issuer))
        if args.host:
            settings = replace(settings, host=args.host)
        if args.port:
            settings = replace(settings, port=args.port)
        settings.check()
        store = WorkOrderStore()
        for demo in args.demo:
            tenant, _, sites = demo.partition(":")
            if not tenant or not sites:
                raise SettingsError(f"--demo {demo!r}: expected TENANT:SITE[,SITE]")
            seed_demo(store, tenant, [s for s in sites.split(",") if s])
    except SettingsError as exc:
        print(f"wuye-sso workorder-api: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings.verifier(), store)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

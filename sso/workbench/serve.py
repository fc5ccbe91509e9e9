"""``wuye-sso workbench [--host H] [--port P]``: serve the workbench with uvicorn, settings from ``WUYE_*``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

import uvicorn

from sso.workbench.app import create_app
from sso.workbench.helpdesk.settings import HelpdeskSettings
from sso.workbench.settings import SettingsError, WorkbenchSettings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wuye-sso workbench", description="Serve the staff workbench (物业工作台).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help="default: the port of WUYE_WORKBENCH_URL, else 8000")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        settings = WorkbenchSettings.from_env()
    except SettingsError as exc:
        print(f"wuye-sso workbench: {exc}", file=sys.stderr)
        return 2
    port = args.port or urlsplit(settings.public_url).port or 8000
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"物业工作台 Staff workbench: {settings.public_url} (issuer {settings.issuer})", flush=True)
    uvicorn.run(
        create_app(settings, helpdesk=HelpdeskSettings.from_env()),
        host=args.host,
        port=port,
        log_level=args.log_level,
        access_log=False,  # the callback's query carries the authorization code; AccessLog logs paths only
        proxy_headers=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

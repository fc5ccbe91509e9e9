"""Plain ASGI middleware: security headers on every response, and a request log without query strings.

The query string of ``/auth/callback`` carries the authorization code, so the log names only method,
path, status and duration (uvicorn's own access log is off).
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("sso.workbench.access")


class SecurityHeaders:
    """No caching of per-user pages (the back button must not show a page after sign-out), no framing."""

    def __init__(self, app: ASGIApp, issuer: str) -> None:
        self.app = app
        parts = urlsplit(issuer)
        keycloak_origin = f"{parts.scheme}://{parts.netloc}"
        # form-action also governs the redirect after the sign-out form (to Keycloak's logout page).
        self.csp = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
            f"frame-ancestors 'none'; base-uri 'none'; form-action 'self' {keycloak_origin}"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not is_static:
                    headers["Cache-Control"] = "no-store"
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Content-Security-Policy", self.csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            log.info("%s %s %d %.1fms", scope["method"], scope["path"], status, (time.perf_counter() - started) * 1000)

"""``create_app(settings) -> Starlette``: the staff workbench (物业工作台).

Discovery and keys are fetched lazily, so the app starts while Keycloak is down; every request that
needs Keycloak and cannot reach it gets the 503 "登录服务暂不可用" page, and the next request after
Keycloak returns works again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from sso.oidc import ProviderUnavailable
from sso.workbench.helpdesk.settings import HelpdeskSettings
from sso.workbench.middleware import AccessLog, SecurityHeaders
from sso.workbench.routes import accounts, auth, devices, pages
from sso.workbench.sessions import SessionStore, SessionStoreUnavailable
from sso.workbench.settings import WorkbenchSettings
from sso.workbench.state import STATIC_DIR, Workbench
from sso.workbench.views import message

log = logging.getLogger(__name__)


async def _provider_unavailable(request: Request, exc: Exception) -> Response:
    log.warning("Keycloak unavailable: %s", exc)
    return _retry_page(request, "sign-in-unavailable")


async def _sessions_unavailable(request: Request, exc: Exception) -> Response:
    """Redis away (restarting): the same retry page as for Keycloak; sessions are kept, the next request works."""
    log.warning("session store unavailable: %s (%s)", exc, exc.__cause__)  # the cause says which Redis error
    return _retry_page(request, "sessions-unavailable")


def _retry_page(request: Request, page_id: str) -> Response:
    response = message(
        request, 503, "unavailable.title", "unavailable.body", page_id=page_id,
        action_url=(request.url.path + (f"?{request.url.query}" if request.url.query else "")) if request.method == "GET" else "/",
    )  # fmt: skip
    response.headers["Retry-After"] = "5"
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return message(request, 404, "not_found.title", "not_found.title", page_id="not-found", action_url="/")
    return Response(status_code=status)


def create_app(
    settings: WorkbenchSettings, store: SessionStore | None = None, helpdesk: HelpdeskSettings | None = None
) -> Starlette:
    wb = Workbench.build(settings, store)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await wb.close()

    app = Starlette(
        routes=[
            *auth.routes,
            *accounts.routes,
            *pages.routes,
            *devices.routes,
            Mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static"),
        ],
        middleware=[Middleware(AccessLog), Middleware(SecurityHeaders, issuer=settings.issuer)],
        exception_handlers={
            ProviderUnavailable: _provider_unavailable,
            SessionStoreUnavailable: _sessions_unavailable,
            HTTPException: _http_error,
        },
        lifespan=lifespan,
    )
    app.state.workbench = wb
    accounts.install(app.state, helpdesk)
    return app

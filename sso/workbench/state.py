"""What the workbench's routes share: settings, the relying party, the session store, templates, HTTP clients."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from sso.jwks import JwksCache
from sso.oidc import RelyingParty, RelyingPartyConfig
from sso.workbench.sessions import SessionStore, store_for
from sso.workbench.settings import WorkbenchSettings
from sso.workbench.workorders import WorkorderClient

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


@dataclass
class Workbench:
    settings: WorkbenchSettings
    relying_party: RelyingParty
    store: SessionStore
    http: httpx.AsyncClient
    jwks: JwksCache
    templates: Jinja2Templates
    workorders: WorkorderClient | None

    @classmethod
    def build(cls, settings: WorkbenchSettings, store: SessionStore | None = None) -> Workbench:
        http = httpx.AsyncClient(timeout=settings.http_timeout_seconds)
        jwks = JwksCache(
            settings.issuer,
            http=httpx.Client(timeout=settings.http_timeout_seconds),
            min_refetch_interval=settings.jwks_min_refetch_seconds,
        )
        relying_party = RelyingParty(
            RelyingPartyConfig(
                issuer=settings.issuer,
                client_id=settings.client_id,
                client_secret=settings.client_secret,
                redirect_uri=settings.redirect_uri,
            ),
            http,
            jwks,
        )
        relying_party.discovery.retry_after = settings.discovery_retry_seconds
        workorders = WorkorderClient(settings.workorder_api_url, http) if settings.workorder_api_url else None
        return cls(
            settings=settings,
            relying_party=relying_party,
            store=store if store is not None else store_for(settings.redis_url),
            http=http,
            jwks=jwks,
            templates=Jinja2Templates(directory=str(TEMPLATES_DIR)),
            workorders=workorders,
        )

    async def close(self) -> None:
        await self.http.aclose()
        self.jwks.close()
        await self.store.close()


def workbench(request: Request) -> Workbench:
    workbench: Workbench = request.app.state.workbench
    return workbench

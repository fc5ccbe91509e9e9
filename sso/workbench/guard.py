"""Who is asking: the session behind the cookie, its tokens refreshed silently, and the principal they give.

* No cookie, unknown id, idle or absolute expiry → not signed in (the page redirects to sign-in).
* Access token about to expire → refreshed with the refresh token before the page is served; the
  new idle expiry is Keycloak's ``refresh_expires_in``. A refused refresh (session ended at
  Keycloak, user disabled) ends the workbench session too: back to sign-in, not an error page.
* Keycloak unreachable during a refresh: serve with the current access token while it is valid,
  otherwise 503 (``ProviderUnavailable`` reaches the app's handler).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sso.oidc import GrantRejected, ProviderUnavailable, TokenRejected
from sso.principal import Principal, principal_from_claims
from sso.workbench import cookies, step_up
from sso.workbench.sessions import WorkbenchSession
from sso.workbench.state import Workbench, workbench

log = logging.getLogger(__name__)

_refresh_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


@dataclass(frozen=True)
class Visit:
    session_id: str
    session: WorkbenchSession
    principal: Principal


async def current_visit(request: Request, refresh: bool = True) -> Visit | None:
    wb = workbench(request)
    session_id = cookies.read(request, cookies.SESSION, wb.settings)
    if not session_id:
        return None
    session = await wb.store.get(session_id)
    if session is None:
        return None
    if refresh and session.access_expires_at - time.time() < wb.settings.refresh_leeway_seconds:
        refreshed = await _refresh(wb, session_id, session)
        if refreshed is None:
            return None
        session = refreshed
    return Visit(session_id, session, principal_from_claims(session.claims))


async def _refresh(
    wb: Workbench, session_id: str, session: WorkbenchSession, force: bool = False
) -> WorkbenchSession | None:
    lock = _refresh_locks.setdefault(session_id, asyncio.Lock())
    async with lock:
        latest = await wb.store.get(session_id)
        if latest is None:
            return None
        if not force and latest.access_expires_at - time.time() >= wb.settings.refresh_leeway_seconds:
            return latest  # another request refreshed it while we waited
        if latest.refresh_token is None:
            await wb.store.delete(session_id)
            return None
        try:
            refreshed = await wb.relying_party.refresh(latest.refresh_token, latest.subject, latest.nonce)
        except (GrantRejected, TokenRejected) as exc:
            log.info("refresh refused (%s): workbench session ended", exc)
            await wb.store.delete(session_id)
            return None
        except ProviderUnavailable:
            if latest.access_expires_at > time.time():
                log.warning("Keycloak unreachable for refresh; serving with the current access token")
                return latest
            raise
        tokens = refreshed.tokens
        latest.access_token = tokens.access_token
        latest.access_expires_at = tokens.access_expires_at
        latest.refresh_token = tokens.refresh_token or latest.refresh_token
        if tokens.refresh_expires_at is not None:
            latest.idle_expires_at = tokens.refresh_expires_at
        if tokens.id_token is not None:
            latest.id_token = tokens.id_token
            latest.amr = step_up.methods(refreshed.id_claims.get("amr"))
        latest.claims = refreshed.access_claims
        await wb.store.save(session_id, latest)
        return latest


async def fresh_visit(request: Request, visit: Visit) -> Visit | None:
    """The visit with its tokens refreshed at Keycloak now, for actions that must not trust a permission up to an
    access token's lifetime old (the help desk's); ``None`` when Keycloak ended the session."""
    session = await _refresh(workbench(request), visit.session_id, visit.session, force=True)
    return None if session is None else Visit(visit.session_id, session, principal_from_claims(session.claims))


def sign_in_redirect(request: Request) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/auth/login?next={quote(here, safe='')}", status_code=303)

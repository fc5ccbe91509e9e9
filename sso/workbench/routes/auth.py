"""Sign-in (authorization code + PKCE), sign-out (RP-initiated logout) and back-channel logout."""

from __future__ import annotations

import logging
import secrets
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sso.oidc import AuthorizationResponseRejected, GrantRejected, ProviderUnavailable, TokenRejected
from sso.principal import principal_from_claims
from sso.workbench import cookies, csrf, step_up
from sso.workbench.guard import current_visit
from sso.workbench.return_to import safe_return_to
from sso.workbench.sessions import PENDING_TTL, WorkbenchSession
from sso.workbench.state import workbench
from sso.workbench.views import message, render, translator

log = logging.getLogger(__name__)


def _sign_in_failed(request: Request, status_code: int = 400) -> Response:
    return message(
        request, status_code, "signin_failed.title", "signin_failed.body", page_id="sign-in-failed",
        action_url="/auth/login", action_key="sign_in",
    )  # fmt: skip


async def login(request: Request) -> Response:
    """Start a sign-in: remember state/nonce/verifier server-side, bound to this browser; go to Keycloak."""
    wb = workbench(request)
    return_to = safe_return_to(request.query_params.get("next"))
    prompt = "login" if request.query_params.get("prompt") == "login" else None
    stepping_up = request.query_params.get("step_up") == "1"
    url, pending = await wb.relying_party.start_sign_in(
        return_to, ui_locales=translator(request).language, prompt=prompt, step_up=stepping_up
    )
    binding = cookies.read(request, cookies.LOGIN_BINDING, wb.settings) or secrets.token_urlsafe(32)
    await wb.store.put_pending(pending, binding)
    response = RedirectResponse(url, status_code=303)
    cookies.put(response, cookies.LOGIN_BINDING, binding, wb.settings, max_age=PENDING_TTL)
    return response


async def callback(request: Request) -> Response:
    """Finish a sign-in: one-time state for this browser, code exchange, ID token checks, a new session."""
    wb = workbench(request)
    params = request.query_params
    if "error" in params:
        log.info("sign-in returned error %r", params.get("error"))
        return _sign_in_failed(request)
    state, code = params.get("state"), params.get("code")
    binding = cookies.read(request, cookies.LOGIN_BINDING, wb.settings)
    if not state or not code or not binding:
        return _sign_in_failed(request)
    pending = await wb.store.take_pending(state, binding)
    if pending is None:
        log.info("callback with an unknown, used or foreign state refused")
        return _sign_in_failed(request)
    try:
        signed_in = await wb.relying_party.finish_sign_in(pending, code, iss=params.get("iss"))
    except AuthorizationResponseRejected as exc:
        log.warning("authorization response refused: %s", exc)
        return _sign_in_failed(request)
    except GrantRejected as exc:
        log.info("code exchange refused: %s", exc.error)
        return _sign_in_failed(request)
    except TokenRejected as exc:
        log.warning("token refused at sign-in: %s", exc.check)
        return _sign_in_failed(request)
    principal = principal_from_claims(signed_in.access_claims)
    if not principal.is_staff:
        log.info("sign-in of a non-staff account refused (物业版)")
        return render(request, "owner_refused.html", status_code=403, owner_app_url=wb.settings.owner_app_url)
    old_session_id = cookies.read(request, cookies.SESSION, wb.settings)
    if old_session_id:
        await wb.store.delete(old_session_id)  # a fresh id at every sign-in (no session fixation)
    now = time.time()
    tokens = signed_in.tokens
    session = WorkbenchSession(
        subject=signed_in.subject,
        keycloak_sid=signed_in.session_id,
        id_token=tokens.id_token or "",
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        access_expires_at=tokens.access_expires_at,
        idle_expires_at=tokens.refresh_expires_at or now + wb.settings.max_session_seconds,
        absolute_expires_at=now + wb.settings.max_session_seconds,
        nonce=pending.nonce,
        csrf_token=csrf.new_token(),
        claims=signed_in.access_claims,
        created_at=now,
        amr=step_up.methods(signed_in.id_claims.get("amr")),
        stepped_up=pending.step_up,
    )
    session_id = await wb.store.create(session)
    response = RedirectResponse(pending.return_to, status_code=303)
    cookies.put(response, cookies.SESSION, session_id, wb.settings)
    return response


async def logout(request: Request) -> Response:
    """Sign out (POST + CSRF token): end the local session, then RP-initiated logout at Keycloak."""
    wb = workbench(request)
    visit = await current_visit(request, refresh=False)
    if visit is None:
        response: Response = RedirectResponse("/signed-out", status_code=303)
        cookies.clear(response, cookies.SESSION, wb.settings)
        return response
    form = await request.form()
    if not csrf.valid(visit.session, form.get(csrf.FIELD)):
        log.warning("sign-out without a valid CSRF token refused")
        return message(request, 403, "csrf.title", "csrf.body", page_id="csrf-refused", action_url="/")
    await wb.store.delete(visit.session_id)
    try:
        target = await wb.relying_party.end_session_url(
            visit.session.id_token or None, wb.settings.post_logout_redirect_uri, translator(request).language
        )
    except ProviderUnavailable:
        log.warning("Keycloak unreachable at sign-out: local session ended, Keycloak's left to expire")
        target = "/signed-out"
    response = RedirectResponse(target, status_code=303)
    cookies.clear(response, cookies.SESSION, wb.settings)
    return response


async def backchannel_logout(request: Request) -> Response:
    """OIDC Back-Channel Logout 1.0 §2.5-2.8: verify the logout token, end the matching sessions."""
    wb = workbench(request)
    headers = {"Cache-Control": "no-store"}
    form = await request.form()
    token = form.get("logout_token")
    if not isinstance(token, str):
        return JSONResponse({"error": "invalid_request", "error_description": "no logout_token"}, 400, headers)
    try:
        logout_request = await wb.relying_party.verify_logout_token(token)
    except TokenRejected as exc:
        log.warning("logout token refused: %s", exc.check)
        return JSONResponse(
            {"error": "invalid_request", "error_description": f"{exc.check} check failed"}, 400, headers
        )
    ended = await wb.store.end_sessions(logout_request.session_id, logout_request.subject)
    log.info("back-channel logout ended %d workbench session(s)", ended)
    return Response(status_code=200, headers=headers)


async def signed_out(request: Request) -> Response:
    return message(
        request, 200, "signed_out.title", "signed_out.body", page_id="signed-out", action_url="/", action_key="sign_in"
    )


routes = [
    Route("/auth/login", login, methods=["GET"]),
    Route("/auth/callback", callback, methods=["GET"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/auth/backchannel-logout", backchannel_logout, methods=["POST"]),
    Route("/signed-out", signed_out, methods=["GET"]),
]

"""Self-service "forget my trusted devices" (忘记已信任的设备): one button on the home page.

It asks Keycloak's account API to sign the person out of every session, this one included
(``DELETE {issuer}/account/sessions?current=true`` with their own access token); the extension's event listener
``wuye-forget-devices`` then gives the account a new device epoch, so every browser that was trusted ("no code for
30 days") is asked for a code again. The workbench holds no admin rights for this; the person's own token
(``manage-account``, audience ``account``) is enough.
"""

from __future__ import annotations

import logging

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sso.workbench import cookies, csrf
from sso.workbench.guard import current_visit
from sso.workbench.state import workbench
from sso.workbench.views import message

log = logging.getLogger(__name__)


async def forget_devices(request: Request) -> Response:
    """POST + CSRF token: sign out everywhere through Keycloak, which forgets every trusted browser."""
    wb = workbench(request)
    visit = await current_visit(request)
    if visit is None:
        return RedirectResponse("/auth/login", status_code=303)
    form = await request.form()
    if not csrf.valid(visit.session, form.get(csrf.FIELD)):
        log.warning("forget-devices without a valid CSRF token refused")
        return message(request, 403, "csrf.title", "csrf.body", page_id="csrf-refused", action_url="/")
    try:
        # Accept: JSON picks the account REST API; without it the same path is the account console's page (405)
        answer = await wb.http.delete(
            f"{wb.settings.issuer}/account/sessions?current=true",
            headers={"Authorization": f"Bearer {visit.session.access_token}", "Accept": "application/json"},
        )
    except httpx.HTTPError as exc:
        log.warning("Keycloak unreachable at forget-devices: %s", exc.__class__.__name__)
        answer = None
    if answer is None or answer.status_code != 204:
        log.warning("forget-devices refused by Keycloak: %s", answer.status_code if answer else "no answer")
        return message(
            request,
            502,
            "devices.failed.title",
            "devices.failed.body",
            page_id="devices-not-forgotten",
            action_url="/",
            warn=True,
        )
    await wb.store.delete(visit.session_id)
    log.info("trusted devices forgotten and every session ended for subject %s", visit.session.subject)
    response = message(
        request,
        200,
        "devices.forgotten.title",
        "devices.forgotten.body",
        page_id="devices-forgotten",
        action_url="/",
        action_key="sign_in",
    )
    cookies.clear(response, cookies.SESSION, wb.settings)
    return response


routes = [Route("/account/forget-devices", forget_devices, methods=["POST"])]

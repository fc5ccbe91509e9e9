"""The IT help desk at ``/accounts``: search, a person's page, confirmed and audited actions, daily lists.

Every request checks ``admin.accounts`` on the server, whatever the page showed: a staff member gets the
无权限 page, a forged action post gets 403 and an audit line. Keycloak is reached only through the realm's
``helpdesk`` service account (``sso.workbench.helpdesk.keycloak_api``), so another tenant's people are out of reach.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sso import catalog
from sso.audit_chain import AuditChain
from sso.csv_safe import csv_text
from sso.workbench import csrf
from sso.workbench.guard import Visit, fresh_visit, sign_in_redirect
from sso.workbench.helpdesk import lists, lookup
from sso.workbench.helpdesk.actions import ACTIONS, audit_record, perform, refusal
from sso.workbench.helpdesk.keycloak_api import (
    AdminApiError,
    KeycloakAdminApi,
    NotFound,
)
from sso.workbench.helpdesk.person import report
from sso.workbench.helpdesk.settings import HelpdeskSettings
from sso.workbench.helpdesk.times import when
from sso.workbench.routes.pages import _forbidden, _page, staff_page
from sso.workbench.state import workbench
from sso.workbench.views import message, translator

log = logging.getLogger(__name__)
AREA = next(a for a in catalog.AREAS if a.id == "accounts")
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Helpdesk:
    settings: HelpdeskSettings
    api: KeycloakAdminApi
    chain: AuditChain


def install(app_state: State, helpdesk_settings: HelpdeskSettings | None) -> None:
    """Attach the help desk to the app (``None``: not configured, the pages say so)."""
    app_state.helpdesk_settings = helpdesk_settings
    app_state.helpdesk = None


def _helpdesk(request: Request) -> Helpdesk | None:
    state = request.app.state
    if state.helpdesk is None and state.helpdesk_settings is not None:
        wb = workbench(request)
        s: HelpdeskSettings = state.helpdesk_settings
        state.helpdesk = Helpdesk(
            s, KeycloakAdminApi(wb.settings.issuer, s.client_id, s.client_secret, wb.http), AuditChain(s.audit_log)
        )
    helpdesk: Helpdesk = state.helpdesk
    return helpdesk


def _view(request: Request, visit: Visit, template: str, status_code: int = 200, **context: object) -> Response:
    """A help-desk page: ``tr(zh, en)`` picks the visitor's language, ``when`` shows a time in Beijing time."""
    zh = translator(request).is_zh

    def tr(chinese: str, english: str) -> str:
        return chinese if zh else english

    return _page(request, visit, template, status_code, tr=tr, when=when, **context)


HelpdeskPage = Callable[[Request, Visit, Helpdesk], Awaitable[Response]]


def helpdesk_page(page: HelpdeskPage) -> Callable[[Request], Awaitable[Response]]:
    """Signed-in staff (``staff_page``), then ``admin.accounts`` on every request; refusals of posts are audited."""

    async def checked(request: Request, visit: Visit) -> Response:
        hd = _helpdesk(request)
        if request.method == "POST":  # an action: the permission as Keycloak sees it now, not as the token said
            fresh = await fresh_visit(request, visit)
            if fresh is None:
                return sign_in_redirect(request)
            visit = fresh
        if not visit.principal.has(AREA.permission):
            if request.method == "POST" and hd is not None:
                hd.chain.append(
                    audit_record(
                        visit.principal,
                        request.path_params.get("action", "?"),
                        request.path_params.get("user_id", ""),
                        "",
                        "",
                        "refused: no admin.accounts",
                    )
                )
                log.warning("help-desk action refused: %s lacks admin.accounts", visit.principal.employee_no)
            return _forbidden(request, visit, AREA)
        if hd is None:
            return message(request, 503, "helpdesk.title", "helpdesk.unconfigured", page_id="helpdesk-unconfigured")
        try:
            return await page(request, visit, hd)
        except NotFound:
            return message(
                request, 404, "not_found.title", "not_found.title", page_id="not-found", action_url=AREA.path
            )
        except AdminApiError as exc:
            log.error("help desk: Keycloak call failed: %s", exc)
            return message(
                request,
                503,
                "unavailable.title",
                "unavailable.body",
                page_id="helpdesk-unavailable",
                action_url=AREA.path,
            )

    return staff_page(checked)


async def search(request: Request, visit: Visit, hd: Helpdesk) -> Response:
    text = request.query_params.get("q", "")[:100]
    kind, people = (await lookup.find(hd.api, text)) if text.strip() else (None, [])
    return _view(
        request,
        visit,
        "accounts.html",
        area=AREA,
        query=text,
        kind=kind,
        people=people,
        lists=lists.LISTS.values(),
        default_days=DEFAULT_DAYS,
    )


async def person(request: Request, visit: Visit, hd: Helpdesk) -> Response:
    r = await report(hd.api, request.path_params["user_id"], hd.settings.audit_log, hd.settings.provisioning_audit_log)
    return _view(
        request,
        visit,
        "account_person.html",
        area=AREA,
        r=r,
        actions=[a for a, _ in ACTIONS.values()],
        done=ACTIONS.get(request.query_params.get("done", ""), (None,))[0],
        catalog=catalog,
    )


async def confirm(request: Request, visit: Visit, hd: Helpdesk) -> Response:
    action = ACTIONS.get(request.path_params["action"])
    if action is None:
        return message(request, 404, "not_found.title", "not_found.title", page_id="not-found", action_url=AREA.path)
    user = await hd.api.user(request.path_params["user_id"])
    refused = await refusal(hd.api, action[0], user)
    return _view(
        request,
        visit,
        "account_confirm.html",
        409 if refused else 200,
        area=AREA,
        action=action[0],
        person=lookup.summary(user),
        error=False,
        refused=refused,
    )


async def act(request: Request, visit: Visit, hd: Helpdesk) -> Response:
    action, user_id = request.path_params["action"], request.path_params["user_id"]
    form = await request.form()
    if not csrf.valid(visit.session, form.get(csrf.FIELD)):
        hd.chain.append(audit_record(visit.principal, action, user_id, "", "", "refused: bad CSRF token"))
        return message(request, 403, "csrf.title", "csrf.body", page_id="csrf-refused", action_url=AREA.path)
    if action not in ACTIONS:
        return message(request, 404, "not_found.title", "not_found.title", page_id="not-found", action_url=AREA.path)
    raw = await hd.api.user(user_id)  # NotFound for anyone outside this realm
    user = lookup.summary(raw)
    page = {"area": AREA, "action": ACTIONS[action][0], "person": user}
    reason = str(form.get("reason") or "").strip()[:500]
    refused = await refusal(hd.api, ACTIONS[action][0], raw)
    if refused is not None:  # a stale page or a forged post: nothing is sent, and the attempt is on record
        hd.chain.append(
            audit_record(visit.principal, action, user_id, user.username, reason, f"refused: {refused.code}")
        )
        return _view(request, visit, "account_confirm.html", 409, **page, error=False, refused=refused)
    if not reason:
        return _view(request, visit, "account_confirm.html", 400, **page, error=True, refused=None)
    await perform(hd.api, hd.chain, visit.principal, action, user_id, user.username, reason)
    log.info("help desk: %s by %s on %s", action, visit.principal.employee_no, user.username)
    return RedirectResponse(f"{AREA.path}/people/{user_id}?done={action}", status_code=303)


async def daily_list(request: Request, visit: Visit, hd: Helpdesk) -> Response:
    spec = lists.LISTS.get(request.path_params["list_id"])
    if spec is None:
        return message(request, 404, "not_found.title", "not_found.title", page_id="not-found", action_url=AREA.path)
    try:
        days = max(0, min(3650, int(request.query_params.get("days") or DEFAULT_DAYS)))
    except ValueError:
        days = DEFAULT_DAYS
    rows = await lists.BUILDERS[spec.id](hd.api, dt.datetime.now(dt.UTC), days)
    if request.query_params.get("format") == "csv":
        body = csv_text(lists.csv_rows(rows), header=lists.CSV_HEADER)
        name = f"{hd.api.realm}-{spec.id}-{dt.date.today().isoformat()}.csv"
        return Response(
            "\ufeff" + body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
        )
    return _view(request, visit, "account_list.html", area=AREA, spec=spec, rows=rows, days=days)


routes = [
    Route(AREA.path, helpdesk_page(search), methods=["GET"]),
    Route(f"{AREA.path}/people/{{user_id}}", helpdesk_page(person), methods=["GET"]),
    Route(f"{AREA.path}/people/{{user_id}}/{{action}}", helpdesk_page(confirm), methods=["GET"]),
    Route(f"{AREA.path}/people/{{user_id}}/{{action}}", helpdesk_page(act), methods=["POST"]),
    Route(f"{AREA.path}/lists/{{list_id}}", helpdesk_page(daily_list), methods=["GET"]),
]

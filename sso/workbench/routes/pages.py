"""What a signed-in employee sees: home, the areas their permissions open, the 无权限 and 物业版 pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sso import catalog
from sso.workbench import cookies, i18n, step_up
from sso.workbench.guard import Visit, current_visit, sign_in_redirect
from sso.workbench.return_to import safe_return_to
from sso.workbench.state import workbench
from sso.workbench.views import department_labels, message, rank_label, render, translator
from sso.workbench.workorders import WorkordersUnavailable

Page = Callable[[Request, Visit], Awaitable[Response]]


def staff_page(page: Page) -> Callable[[Request], Awaitable[Response]]:
    """Signed in (else to sign-in) and staff (else the 物业版 refusal) before the page runs."""

    async def endpoint(request: Request) -> Response:
        visit = await current_visit(request)
        if visit is None:
            return sign_in_redirect(request)
        if not visit.principal.is_staff:
            return render(
                request, "owner_refused.html", status_code=403, owner_app_url=workbench(request).settings.owner_app_url
            )
        return await page(request, visit)

    return endpoint


def _page(request: Request, visit: Visit, template: str, status_code: int = 200, **context: object) -> Response:
    t = translator(request)
    return render(
        request,
        template,
        status_code=status_code,
        principal=visit.principal,
        csrf_token=visit.session.csrf_token,
        rank_label=rank_label(t, visit.principal),
        department_labels=department_labels(t, visit.principal),
        **context,
    )


async def home(request: Request, visit: Visit) -> Response:
    wb = workbench(request)
    areas = [a for a in catalog.AREAS if visit.principal.has(a.permission)]
    return _page(
        request,
        visit,
        "home.html",
        areas=areas,
        site_labels="、".join(visit.principal.site_label(code) for code in sorted(visit.principal.sites)),
        account_signing_in_url=f"{wb.settings.issuer}/account/account-security/signing-in",
    )


def _forbidden(request: Request, visit: Visit, area: catalog.Area) -> Response:
    return _page(request, visit, "forbidden.html", 403, area=area, permission=catalog.PERMISSIONS[area.permission])


def _second_factor_needed(request: Request, visit: Visit, area: catalog.Area) -> Response | None:
    """Step-up (``sso.workbench.step_up``): a sensitive area in a session without a second factor goes through a
    fresh sign-in and comes back here; if that sign-in still gave none, say so instead of looping."""
    if not step_up.needs_step_up(area, visit.session.amr):
        return None
    again = f"/auth/login?step_up=1&next={quote(area.path, safe='')}"
    if visit.session.stepped_up:
        return message(request, 403, "step_up.title", "step_up.body", page_id="second-factor-required",
                       action_url=again, action_key="step_up.again")  # fmt: skip
    return RedirectResponse(again, status_code=303)


def area_page(area: catalog.Area) -> Page:
    async def page(request: Request, visit: Visit) -> Response:
        if not visit.principal.has(area.permission):
            return _forbidden(request, visit, area)
        return _second_factor_needed(request, visit, area) or _page(request, visit, "area.html", area=area)

    return page


_WORKORDERS = next(a for a in catalog.AREAS if a.id == "workorders")


async def workorders(request: Request, visit: Visit) -> Response:
    if not visit.principal.has(_WORKORDERS.permission):
        return _forbidden(request, visit, _WORKORDERS)
    client = workbench(request).workorders
    orders, unavailable = [], client is None
    if client is not None:
        try:
            orders = await client.list(visit.session.access_token)
        except WorkordersUnavailable:
            unavailable = True
    return _page(request, visit, "workorders.html", area=_WORKORDERS, workorders=orders, unavailable=unavailable)


async def switch_language(request: Request) -> Response:
    wb = workbench(request)
    language = request.path_params["language"]
    response = RedirectResponse(safe_return_to(request.query_params.get("next")), status_code=303)
    if language in i18n.LANGUAGES:
        cookies.put(response, cookies.LANGUAGE, language, wb.settings, max_age=365 * 24 * 3600)
    return response


async def healthz(request: Request) -> Response:
    """Liveness for the dev stack: answers without Keycloak (the workbench runs while Keycloak is away)."""
    return JSONResponse({"status": "ok"})


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/", staff_page(home), methods=["GET"]),
    Route(_WORKORDERS.path, staff_page(workorders), methods=["GET"]),
    *[Route(a.path, staff_page(area_page(a)), methods=["GET"]) for a in catalog.AREAS if a.id != "workorders"],
    Route("/lang/{language}", switch_language, methods=["GET"]),
]

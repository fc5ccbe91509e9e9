"""Rendering pages: the language, the signed-in principal and the CSRF token reach every template."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sso import catalog
from sso.principal import Principal
from sso.workbench import cookies, i18n
from sso.workbench.state import workbench


def translator(request: Request) -> i18n.Translator:
    wb = workbench(request)
    return i18n.Translator(
        i18n.choose(cookies.read(request, cookies.LANGUAGE, wb.settings), wb.settings.default_language)
    )


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    principal: Principal | None = None,
    csrf_token: str | None = None,
    **context: Any,
) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return workbench(request).templates.TemplateResponse(
        request,
        template,
        {"t": translator(request), "principal": principal, "csrf_token": csrf_token, "here": here, **context},
        status_code=status_code,
    )


def message(
    request: Request,
    status_code: int,
    title_key: str,
    body_key: str,
    *,
    page_id: str,
    action_url: str | None = None,
    action_key: str = "retry",
    warn: bool = False,
) -> Response:
    return render(
        request,
        "message.html",
        status_code=status_code,
        title_key=title_key,
        body_key=body_key,
        page_id=page_id,
        action_url=action_url,
        action_key=action_key,
        warn=warn,
    )


def rank_label(t: i18n.Translator, principal: Principal) -> str:
    rank = catalog.RANKS.get(principal.rank or "")
    return t.label(rank.label) if rank else t("common.none")


def department_labels(t: i18n.Translator, principal: Principal) -> str:
    names = [
        t.label(catalog.DEPARTMENTS[d].label) if d in catalog.DEPARTMENTS else d for d in sorted(principal.departments)
    ]
    return "、".join(names) if t.is_zh else ", ".join(names)

"""The workbench's cookies: names and attributes in one place.

Session cookie: opaque id only, ``HttpOnly``, ``SameSite=Lax`` (the callback is a top-level GET from
Keycloak, which Lax allows), ``Path=/``, no ``Domain``; under HTTPS also ``Secure`` and the
``__Host-`` prefix, which makes the browser refuse it from a sub-domain or over plain HTTP.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from sso.workbench.settings import WorkbenchSettings

SESSION = "wuye_session"
#: Ties a pending sign-in to the browser that started it (login CSRF, RFC 6749 §10.12).
LOGIN_BINDING = "wuye_login"
LANGUAGE = "wuye_lang"


def cookie_name(base: str, settings: WorkbenchSettings) -> str:
    return f"__Host-{base}" if settings.secure_cookies else base


def read(request: Request, base: str, settings: WorkbenchSettings) -> str | None:
    return request.cookies.get(cookie_name(base, settings))


def put(response: Response, base: str, value: str, settings: WorkbenchSettings, max_age: int | None = None) -> None:
    response.set_cookie(
        cookie_name(base, settings),
        value,
        max_age=max_age,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )


def clear(response: Response, base: str, settings: WorkbenchSettings) -> None:
    response.delete_cookie(
        cookie_name(base, settings), path="/", secure=settings.secure_cookies, httponly=True, samesite="lax"
    )

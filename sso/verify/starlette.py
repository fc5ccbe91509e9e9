"""Starlette adapter: bearer tokens in, ``Principal`` out, RFC 6750 answers for everything refused.

Put a ``sso.verify.TokenVerifier`` on ``app.state.token_verifier`` and decorate endpoints::

    @requires("workorder.view")
    async def list_orders(request: Request) -> Response:
        principal = current_principal(request)

    @requires("workorder.handle", introspect=True)   # sees a revoked session at once (RFC 7662)
    async def handle(request: Request) -> Response: ...

Answers (RFC 6750 §3):

* no ``Authorization: Bearer`` header → 401, ``WWW-Authenticate: Bearer realm="<audience>"`` (no error code, §3.1);
* a token we refuse → 401, ``WWW-Authenticate: Bearer realm=…, error="invalid_token", error_description="<reason>"``;
* a valid token without the permission → 403, ``error="insufficient_scope", scope="<permission>"``;
* keys or introspection unreachable and nothing cached → 503 with ``Retry-After`` (never a false 401).

Bodies are JSON: ``{"error", "error_description", "reason"?, "missing_permission"?, "message": {"zh", "en"}}``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from sso import catalog
from sso.principal import Principal
from sso.verify.errors import InsufficientScope, InvalidToken, VerificationError, VerifierUnavailable
from sso.verify.verifier import TokenVerifier

Endpoint = Callable[[Request], Awaitable[Response]]

#: Attribute of ``app.state`` holding the ``TokenVerifier``.
VERIFIER_STATE = "token_verifier"
#: Attribute of ``request.state`` where the authenticated ``Principal`` is put.
PRINCIPAL_STATE = "principal"

#: RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash, ASCII only).
_UNSAFE_HEADER_CHARS = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")


def bearer_token(connection: HTTPConnection) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (RFC 6750 §2.1), or ``None``."""
    header = connection.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    token = value.strip()
    # the token's own syntax is checked by the verifier (strict base64url); here only the framing
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


def verifier_of(connection: HTTPConnection) -> TokenVerifier:
    verifier = getattr(connection.app.state, VERIFIER_STATE, None)
    if not isinstance(verifier, TokenVerifier):
        raise TypeError(f"app.state.{VERIFIER_STATE} must hold a sso.verify.TokenVerifier")
    return verifier


async def authenticate(connection: HTTPConnection, *permissions: str, introspect: bool = False) -> Principal:
    """The verified principal holding every one of ``permissions``; raises ``VerificationError``."""
    token = bearer_token(connection)
    if token is None:
        raise InvalidToken("missing_token", "no bearer token")
    verifier = verifier_of(connection)
    principal = await (verifier.averify_active(token) if introspect else verifier.averify(token))
    for permission in permissions:
        if not principal.has(permission):
            raise InsufficientScope(permission)
    return principal


def requires(*permissions: str, introspect: bool = False) -> Callable[[Endpoint], Endpoint]:
    """Decorate an endpoint: only a valid token whose holder has all ``permissions`` reaches it."""
    for permission in permissions:
        if permission not in catalog.PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r} (see sso/catalog.py PERMISSIONS)")

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            try:
                principal = await authenticate(request, *permissions, introspect=introspect)
            except VerificationError as exc:
                return error_response(exc, realm=verifier_of(request).audience)
            setattr(request.state, PRINCIPAL_STATE, principal)
            return await endpoint(request)

        return guarded

    return decorate


def current_principal(connection: HTTPConnection) -> Principal:
    """The principal ``requires`` authenticated for this request."""
    principal = getattr(connection.state, PRINCIPAL_STATE, None)
    if not isinstance(principal, Principal):
        raise TypeError("no principal on this request: is the endpoint decorated with @requires(...)?")
    return principal


def error_response(error: VerificationError, realm: str) -> JSONResponse:
    """The RFC 6750 answer for a refused or undecidable request."""
    if isinstance(error, InsufficientScope):
        label = catalog.PERMISSIONS.get(error.permission)
        zh = label.label.zh if label else error.permission
        en = label.label.en if label else error.permission
        description = f"missing permission {error.permission}"
        challenge = _challenge(realm, error="insufficient_scope", error_description=description, scope=error.permission)
        body = {
            "error": "insufficient_scope",
            "error_description": description,
            "missing_permission": error.permission,
            "message": {"zh": f"您没有“{zh}”权限({error.permission})", "en": f"You lack the permission “{en}”"},
        }
        return JSONResponse(body, status_code=403, headers={"WWW-Authenticate": challenge})
    if isinstance(error, InvalidToken):
        message = {
            "zh": "登录凭证无效或已过期,请重新登录",
            "en": "Your sign-in is invalid or has expired; sign in again",
        }
        if error.reason == "missing_token":
            body = {"error": "unauthorized", "error_description": "bearer token required", "message": message}
            return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": _challenge(realm)})
        challenge = _challenge(realm, error="invalid_token", error_description=error.reason)
        body = {
            "error": "invalid_token",
            "error_description": error.description,
            "reason": error.reason,
            "message": message,
        }
        return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": challenge})
    if isinstance(error, VerifierUnavailable):
        body = {
            "error": "temporarily_unavailable",
            "error_description": "the sign-in service cannot be reached to check the token",
            "message": {
                "zh": "认证服务暂时不可用,请稍后重试",
                "en": "The sign-in service is unavailable; try again shortly",
            },
        }
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    raise TypeError(f"unexpected verification error {type(error).__name__}")


def _challenge(realm: str, **params: str) -> str:
    """``Bearer realm="…", error="…"``, each value restricted to the characters RFC 6750 allows."""
    parts = [f'realm="{_header_safe(realm)}"'] + [f'{k}="{_header_safe(v)}"' for k, v in params.items()]
    return "Bearer " + ", ".join(parts)


def _header_safe(value: str) -> str:
    return _UNSAFE_HEADER_CHARS.sub("", value)[:200]

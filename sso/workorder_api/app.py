"""The work-order API as a Starlette app: ``create_app(verifier)``.

Every ``/api`` route trusts only access tokens for audience ``workorder-api`` (``sso.verify``). Who
sees what: staff see the orders of their sites (``groups`` ``/sites/<code>``), an ``admin`` sees every
site of the tenant; the tenant is the token's realm, so companies never see each other's orders.
Handling an order needs ``workorder.handle``; with introspection credentials it is also checked with
Keycloak at once, so a leaver whose sessions were ended cannot close orders with a still-unexpired token.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sso import strict_json
from sso.principal import Principal
from sso.verify import TokenVerifier
from sso.verify.starlette import VERIFIER_STATE, current_principal, requires
from sso.workorder_api.openapi import openapi_document
from sso.workorder_api.store import STATUSES, AlreadyHandled, Person, WorkOrderStore

M = TypeVar("M", bound=BaseModel)

#: Our request bodies are flat objects; anything nested deeper is refused before validation.
MAX_BODY_DEPTH = 8


class NewWorkOrder(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    site: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    location: str = Field(default="", max_length=200)


class Handling(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    resolution: str = Field(min_length=1, max_length=2000)


def visible_sites(principal: Principal) -> frozenset[str] | None:
    """Sites whose orders the principal sees; ``None`` means all of the tenant's (administrators)."""
    return None if principal.rank == "admin" else principal.sites


def create_app(
    verifier: TokenVerifier, store: WorkOrderStore | None = None, *, introspect_on_handle: bool | None = None
) -> Starlette:
    """The API; ``introspect_on_handle`` defaults to whether the verifier has introspection credentials."""
    store = store or WorkOrderStore()
    introspect = verifier.can_introspect() if introspect_on_handle is None else introspect_on_handle
    if introspect and not verifier.can_introspect():
        raise ValueError("introspect_on_handle needs introspection credentials for every trusted issuer")

    @requires("workorder.view")
    async def list_orders(request: Request) -> Response:
        principal = current_principal(request)
        status = request.query_params.get("status")
        if status not in (None, *STATUSES):
            return _error(422, "invalid_request", "status must be 'open' or 'handled'", field="status")
        orders = store.list(principal.tenant, visible_sites(principal), status)
        return JSONResponse({"tenant": principal.tenant, "count": len(orders), "items": [o.as_json() for o in orders]})

    @requires("workorder.view")
    async def create_order(request: Request) -> Response:
        principal = current_principal(request)
        parsed = await _body(request, NewWorkOrder)
        if isinstance(parsed, Response):
            return parsed
        sites = visible_sites(principal)
        if sites is not None and parsed.site not in sites:
            return _error(403, "site_not_allowed", f"you are not assigned to site {parsed.site!r}", field="site")
        order = store.create(
            principal.tenant, parsed.site, parsed.title, _person(principal), parsed.description, parsed.location
        )
        return JSONResponse(order.as_json(), status_code=201, headers={"Location": f"/api/workorders/{order.id}"})

    @requires("workorder.view")
    async def get_order(request: Request) -> Response:
        principal = current_principal(request)
        order = store.get(principal.tenant, request.path_params["order_id"], visible_sites(principal))
        if order is None:
            return _error(404, "not_found", "no such work order at your sites")
        return JSONResponse(order.as_json())

    @requires("workorder.handle", introspect=introspect)
    async def handle_order(request: Request) -> Response:
        principal = current_principal(request)
        order_id = request.path_params["order_id"]
        if store.get(principal.tenant, order_id, visible_sites(principal)) is None:
            return _error(404, "not_found", "no such work order at your sites")
        parsed = await _body(request, Handling)
        if isinstance(parsed, Response):
            return parsed
        try:
            order = store.handle(principal.tenant, order_id, _person(principal), parsed.resolution)
        except AlreadyHandled:
            return _error(409, "already_handled", f"work order {order_id} was handled already")
        return JSONResponse(order.as_json())

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(server_url=str(request.base_url).rstrip("/")))

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app = Starlette(
        routes=[
            Route("/api/workorders", list_orders, methods=["GET"]),
            Route("/api/workorders", create_order, methods=["POST"]),
            Route("/api/workorders/{order_id}", get_order, methods=["GET"]),
            Route("/api/workorders/{order_id}/handle", handle_order, methods=["POST"]),
            Route("/openapi.json", openapi, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
    setattr(app.state, VERIFIER_STATE, verifier)
    app.state.store = store
    return app


def _person(principal: Principal) -> Person:
    return Person(principal.employee_no, principal.name)


async def _body(request: Request, model: type[M]) -> M | Response:
    """The one place request bodies are read: malformed JSON (bad syntax, not UTF-8, too deep) is a 400."""
    try:
        data: Any = strict_json.loads(await request.body(), max_depth=MAX_BODY_DEPTH)
    except strict_json.MalformedJson as exc:
        return _error(400, "invalid_request", f"body must be JSON: {exc}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        return _error(422, "invalid_request", f"{field}: {first['msg']}", field=field)


def _error(status: int, error: str, description: str, field: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": error, "error_description": description}
    if field:
        body["field"] = field
    return JSONResponse(body, status_code=status)

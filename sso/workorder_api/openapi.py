"""The OpenAPI 3.1 description of the work-order API, served at ``/openapi.json``.

Written out by hand (the API is small) so it is the contract the workbench's 工单 page reads:
``GET /api/workorders`` → ``WorkOrderList``.
"""

from __future__ import annotations

from typing import Any

_PERSON = {
    "type": "object",
    "required": ["employee_no", "name"],
    "properties": {
        "employee_no": {"type": "string", "description": "工号 as HR writes it", "examples": ["E1001"]},
        "name": {"type": "string", "description": "display name", "examples": ["王小明"]},
    },
}

_LABEL = {
    "type": "object",
    "required": ["zh", "en"],
    "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
}

_WORK_ORDER = {
    "type": "object",
    "required": ["id", "site", "title", "description", "location", "status", "status_label", "created_at",
                 "reported_by", "handled_at", "handled_by", "resolution"],
    "properties": {
        "id": {"type": "string", "examples": ["WO-000042"]},
        "site": {"type": "string", "description": "site (项目/小区) code, as in the /sites/<code> group",
                 "examples": ["lvyuan"]},
        "title": {"type": "string", "examples": ["电梯异响 Lift makes a noise"]},
        "description": {"type": "string"},
        "location": {"type": "string", "examples": ["3栋1单元"]},
        "status": {"type": "string", "enum": ["open", "handled"]},
        "status_label": {"type": "string", "description": "status for display, Chinese then English",
                         "examples": ["待处理 Open", "已处理 Handled"]},
        "created_at": {"type": "string", "format": "date-time", "description": "UTC, ISO 8601 with Z"},
        "reported_by": {"$ref": "#/components/schemas/Person"},
        "handled_at": {"type": ["string", "null"], "format": "date-time"},
        "handled_by": {"oneOf": [{"$ref": "#/components/schemas/Person"}, {"type": "null"}]},
        "resolution": {"type": ["string", "null"]},
    },
}  # fmt: skip

_WORK_ORDER_LIST = {
    "type": "object",
    "required": ["tenant", "count", "items"],
    "properties": {
        "tenant": {"type": "string", "description": "realm of the caller's token", "examples": ["lvcheng"]},
        "count": {"type": "integer", "minimum": 0},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/WorkOrder"}, "description": "newest first"},
    },
}

_NEW_WORK_ORDER = {
    "type": "object",
    "required": ["site", "title"],
    "additionalProperties": False,
    "properties": {
        "site": {"type": "string", "minLength": 1, "maxLength": 64, "description": "one of the caller's sites"},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 2000},
        "location": {"type": "string", "maxLength": 200},
    },
}

_HANDLING = {
    "type": "object",
    "required": ["resolution"],
    "additionalProperties": False,
    "properties": {"resolution": {"type": "string", "minLength": 1, "maxLength": 2000}},
}

_ERROR = {
    "type": "object",
    "required": ["error", "error_description"],
    "properties": {
        "error": {"type": "string", "description": "invalid_token, insufficient_scope, invalid_request, not_found, …"},
        "error_description": {"type": "string"},
        "reason": {"type": "string", "description": "why a token was refused (expired, wrong_audience, …)"},
        "missing_permission": {"type": "string"},
        "field": {"type": "string", "description": "the request field at fault"},
        "message": {"$ref": "#/components/schemas/Label"},
    },
}


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def _responses(ok: str, ok_schema: str, *extra: str) -> dict[str, Any]:
    described = {
        "400": "body is not JSON",
        "401": 'no bearer token, or a token refused (WWW-Authenticate: Bearer error="invalid_token")',
        "403": 'missing permission (WWW-Authenticate: Bearer error="insufficient_scope", scope=…) or site not yours',
        "404": "no such work order at your sites",
        "409": "already handled",
        "422": "a field is invalid (field names it)",
        "503": "Keycloak unreachable and nothing cached can decide",
    }
    responses: dict[str, Any] = {ok: {"description": "OK", "content": _json(ok_schema)}}
    for code in ("401", "403", "503", *extra):
        responses[code] = {"description": described[code], "content": _json("Error")}
    return responses


def openapi_document(server_url: str | None = None) -> dict[str, Any]:
    """The description; ``server_url`` is where this instance answers."""
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "工单服务 Work-order API (wuye-sso sample downstream service)",
            "version": "1.0.0",
            "description": (
                "Trusts Keycloak access tokens with audience `workorder-api` (the workbench relays the user's "
                "token). Staff see their sites' orders; administrators see all sites of their tenant. "
                "Permissions are the `permissions` claim (staff-workbench client roles)."
            ),
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/workorders": {
                "get": {
                    "operationId": "listWorkOrders",
                    "summary": "工单列表 Work orders at the caller's sites (needs workorder.view)",
                    "parameters": [{"name": "status", "in": "query", "required": False,
                                    "schema": {"type": "string", "enum": ["open", "handled"]}}],
                    "responses": _responses("200", "WorkOrderList", "422"),
                },
                "post": {
                    "operationId": "createWorkOrder",
                    "summary": "报修 Report a work order at one of the caller's sites (needs workorder.view)",
                    "requestBody": {"required": True, "content": _json("NewWorkOrder")},
                    "responses": _responses("201", "WorkOrder", "400", "422"),
                },
            },
            "/api/workorders/{order_id}": {
                "get": {
                    "operationId": "getWorkOrder",
                    "summary": "One work order (needs workorder.view)",
                    "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": _responses("200", "WorkOrder", "404"),
                }
            },
            "/api/workorders/{order_id}/handle": {
                "post": {
                    "operationId": "handleWorkOrder",
                    "summary": "处理工单 Close a work order (needs workorder.handle; checked with Keycloak when "
                               "introspection is configured)",
                    "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True, "content": _json("Handling")},
                    "responses": _responses("200", "WorkOrder", "400", "404", "409", "422"),
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                           "description": "Keycloak access token of staff-workbench, aud includes workorder-api"}
            },
            "schemas": {
                "Label": _LABEL,
                "Person": _PERSON,
                "WorkOrder": _WORK_ORDER,
                "WorkOrderList": _WORK_ORDER_LIST,
                "NewWorkOrder": _NEW_WORK_ORDER,
                "Handling": _HANDLING,
                "Error": _ERROR,
            },
        },
    }  # fmt: skip
    if server_url:
        document["servers"] = [{"url": server_url}]
    return document

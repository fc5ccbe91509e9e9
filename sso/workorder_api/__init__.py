"""The sample downstream service: a work-order (工单) API trusting the workbench's access tokens.

``create_app(verifier, store)`` (``app.py``) builds the Starlette app; ``serve.main`` runs it
(``wuye-sso workorder-api``). The OpenAPI description is served at ``/openapi.json``.

Contract with the workbench's 工单 page (token relay)::

    GET {WUYE_WORKORDER_API_URL}/api/workorders[?status=open|handled]
    Authorization: Bearer <the signed-in user's access token>

    200 {"tenant": "lvcheng", "count": 1, "items": [
          {"id": "WO-000001", "site": "lvyuan", "title": "电梯异响", "description": "", "location": "3栋1单元",
           "status": "open", "status_label": "待处理 Open",
           "created_at": "2026-11-26T03:00:00Z", "reported_by": {"employee_no": "E1001", "name": "王小明"},
           "handled_at": null, "handled_by": null, "resolution": null}]}
    401 {"error": "invalid_token", "reason": "expired", ...}  + WWW-Authenticate: Bearer error="invalid_token"
    403 {"error": "insufficient_scope", "missing_permission": "workorder.view", ...}
    503 {"error": "temporarily_unavailable", ...}  (Keycloak unreachable and no cached keys)

Items are newest first and limited to the caller's sites (administrators: all sites of the tenant).
Also: ``POST /api/workorders`` {site, title, description?, location?} → 201 WorkOrder;
``GET /api/workorders/{id}``; ``POST /api/workorders/{id}/handle`` {resolution} (needs
``workorder.handle``) → 200 WorkOrder, 409 if already handled.
"""

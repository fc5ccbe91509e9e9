"""The work-order API, called with real workbench tokens: staff see their sites' orders, handlers close them.

Two companies (realms) are trusted by one API instance; each sees only its own orders. The
handle endpoint asks Keycloak (introspection) so a leaver is stopped at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from sso.principal import Principal
from sso.verify import IntrospectionClient, TokenVerifier, TrustedIssuer
from sso.workorder_api.app import create_app, visible_sites
from sso.workorder_api.openapi import openapi_document
from tests.support.realms import TestRealm
from tests.verify.keycloak_tokens import WorkbenchTokens, sign_in

PASSWORD = "Orders-pass-2026"
INTROSPECTION_CACHE = 1.0


def add_site(realm: TestRealm, code: str) -> None:
    admin = realm.admin()
    sites = admin.get_group_by_path("/sites")
    admin.create_group({"name": code, "attributes": {"name_zh": [code]}}, parent=sites["id"])


@pytest.fixture(scope="module")
def company(realm: TestRealm) -> TestRealm:
    for code in ("lvyuan", "xixi"):
        add_site(realm, code)
    return realm


@pytest.fixture(scope="module")
def rival(realm_factory: Callable[..., TestRealm]) -> TestRealm:
    """Another property company on the same Keycloak, with a site of the same code."""
    rival = realm_factory()
    add_site(rival, "lvyuan")
    return rival


@pytest.fixture(scope="module")
def people(company: TestRealm) -> dict[str, WorkbenchTokens]:
    """Sign each colleague in once: a clerk and two engineers (one per site)."""
    posts = {
        "e5001": ("/sites/lvyuan",),
        "e5002": ("/departments/engineering", "/sites/lvyuan"),
        "e5003": ("/departments/engineering", "/sites/xixi"),
        "e5004": ("/departments/engineering", "/sites/lvyuan"),
    }
    tokens = {}
    for username, groups in posts.items():
        company.create_user(username, PASSWORD, groups=groups)
        tokens[username] = sign_in(company, username, PASSWORD)
    return tokens


@pytest.fixture(scope="module")
def api(company: TestRealm, rival: TestRealm) -> Iterator[TestClient]:
    trusted = [
        TrustedIssuer(r.issuer, IntrospectionClient("workorder-api", r.settings.workorder_api_client_secret))
        for r in (company, rival)
    ]
    verifier = TokenVerifier(trusted, audience="workorder-api", introspection_cache_seconds=INTROSPECTION_CACHE)
    with TestClient(create_app(verifier)) as client:
        yield client
    verifier.close()


def as_user(tokens: WorkbenchTokens) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.access_token}"}


def report(api: TestClient, tokens: WorkbenchTokens, site: str, title: str = "电梯异响") -> httpx.Response:
    return api.post("/api/workorders", headers=as_user(tokens), json={"site": site, "title": title, "location": "3栋"})


def test_staff_report_an_order_at_their_site_and_see_it_listed(
    api: TestClient, people: dict[str, WorkbenchTokens], company: TestRealm
) -> None:
    created = report(api, people["e5001"], "lvyuan", "楼道灯不亮 Stairwell light out")
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["status"] == "open" and order["reported_by"] == {"employee_no": "E5001", "name": "王小明"}
    listed = api.get("/api/workorders", headers=as_user(people["e5001"])).json()
    assert listed["tenant"] == company.name
    assert order["id"] in [o["id"] for o in listed["items"]]


def test_staff_see_only_their_own_sites_orders(api: TestClient, people: dict[str, WorkbenchTokens]) -> None:
    at_xixi = report(api, people["e5003"], "xixi", "西溪 水管破裂").json()
    at_lvyuan = report(api, people["e5002"], "lvyuan", "绿苑 门禁故障").json()
    lvyuan_view = {o["id"] for o in api.get("/api/workorders", headers=as_user(people["e5001"])).json()["items"]}
    xixi_view = {o["id"] for o in api.get("/api/workorders", headers=as_user(people["e5003"])).json()["items"]}
    assert at_lvyuan["id"] in lvyuan_view and at_xixi["id"] not in lvyuan_view
    assert at_xixi["id"] in xixi_view and at_lvyuan["id"] not in xixi_view
    hidden = api.get(f"/api/workorders/{at_xixi['id']}", headers=as_user(people["e5001"]))
    assert hidden.status_code == 404


def test_staff_cannot_report_at_a_site_they_are_not_assigned_to(
    api: TestClient, people: dict[str, WorkbenchTokens]
) -> None:
    response = report(api, people["e5001"], "xixi")
    assert response.status_code == 403
    assert response.json() == {
        "error": "site_not_allowed",
        "error_description": "you are not assigned to site 'xixi'",
        "field": "site",
    }


def test_an_engineer_handles_an_order_once(api: TestClient, people: dict[str, WorkbenchTokens]) -> None:
    order = report(api, people["e5001"], "lvyuan", "下水道堵塞 Drain blocked").json()
    url = f"/api/workorders/{order['id']}/handle"
    done = api.post(url, headers=as_user(people["e5002"]), json={"resolution": "已疏通 Cleared"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "handled"
    assert done.json()["handled_by"]["employee_no"] == "E5002"
    again = api.post(url, headers=as_user(people["e5002"]), json={"resolution": "again"})
    assert again.status_code == 409
    open_only = api.get("/api/workorders?status=open", headers=as_user(people["e5001"])).json()["items"]
    assert order["id"] not in [o["id"] for o in open_only]


def test_a_clerk_without_workorder_handle_gets_403_naming_it(
    api: TestClient, people: dict[str, WorkbenchTokens]
) -> None:
    order = report(api, people["e5001"], "lvyuan").json()
    response = api.post(
        f"/api/workorders/{order['id']}/handle", headers=as_user(people["e5001"]), json={"resolution": "x"}
    )
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    assert 'scope="workorder.handle"' in response.headers["www-authenticate"]
    assert response.json()["missing_permission"] == "workorder.handle"


def test_an_engineer_cannot_handle_another_sites_order(api: TestClient, people: dict[str, WorkbenchTokens]) -> None:
    order = report(api, people["e5002"], "lvyuan").json()
    response = api.post(
        f"/api/workorders/{order['id']}/handle", headers=as_user(people["e5003"]), json={"resolution": "x"}
    )
    assert response.status_code == 404


def test_invalid_fields_are_named(api: TestClient, people: dict[str, WorkbenchTokens]) -> None:
    response = api.post("/api/workorders", headers=as_user(people["e5001"]), json={"site": "lvyuan", "title": ""})
    assert response.status_code == 422
    assert response.json()["field"] == "title"
    response = api.get("/api/workorders?status=closed", headers=as_user(people["e5001"]))
    assert response.status_code == 422 and response.json()["field"] == "status"


def test_another_company_never_sees_our_orders(
    api: TestClient, people: dict[str, WorkbenchTokens], rival: TestRealm
) -> None:
    ours = report(api, people["e5001"], "lvyuan", "我司工单 Our order").json()
    rival.create_user("e6001", PASSWORD, groups=("/sites/lvyuan",))
    theirs = sign_in(rival, "e6001", PASSWORD)
    listed = api.get("/api/workorders", headers=as_user(theirs))
    assert listed.status_code == 200
    assert listed.json()["tenant"] == rival.name
    assert listed.json()["items"] == [] and listed.json()["count"] == 0
    assert api.get(f"/api/workorders/{ours['id']}", headers=as_user(theirs)).status_code == 404


def test_a_token_from_an_untrusted_realm_is_refused(api: TestClient, realm_factory: Callable[..., TestRealm]) -> None:
    stranger_realm = realm_factory()
    stranger_realm.create_user("e7001", PASSWORD)
    stranger = sign_in(stranger_realm, "e7001", PASSWORD)
    response = api.get("/api/workorders", headers=as_user(stranger))
    assert response.status_code == 401
    assert response.json()["reason"] == "untrusted_issuer"


def test_a_leaver_cannot_close_orders_once_keycloak_ends_their_sessions(
    api: TestClient, people: dict[str, WorkbenchTokens], company: TestRealm
) -> None:
    leaver = people["e5004"]
    order = report(api, people["e5001"], "lvyuan", "离职测试 Leaver test").json()
    admin = company.admin()
    user_id = str(admin.get_user_id("e5004"))
    admin.update_user(user_id, {"enabled": False})
    admin.user_logout(user_id)
    time.sleep(INTROSPECTION_CACHE + 0.1)
    response = api.post(f"/api/workorders/{order['id']}/handle", headers=as_user(leaver), json={"resolution": "x"})
    assert response.status_code == 401
    assert response.json()["reason"] == "inactive"
    # reading stays local (no Keycloak call per request): the token is honoured until it expires
    assert api.get("/api/workorders", headers=as_user(leaver)).status_code == 200


def test_the_openapi_description_documents_what_the_api_answers(
    api: TestClient, people: dict[str, WorkbenchTokens]
) -> None:
    document = api.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/api/workorders",
        "/api/workorders/{order_id}",
        "/api/workorders/{order_id}/handle",
    }
    listed = api.get("/api/workorders", headers=as_user(people["e5001"])).json()
    assert listed["items"], "earlier stories reported orders at lvyuan"
    assert_shape(listed, "WorkOrderList", openapi_document())


def assert_shape(value: Any, schema_name: str, document: dict[str, Any]) -> None:
    """Every required property of the schema is present, recursively through $refs and arrays."""
    schema = document["components"]["schemas"][schema_name]
    assert set(schema.get("required", [])) <= set(value), (
        f"{schema_name}: missing {set(schema['required']) - set(value)}"
    )
    assert set(value) <= set(schema["properties"]), (
        f"{schema_name}: undocumented {set(value) - set(schema['properties'])}"
    )
    for name, prop in schema["properties"].items():
        ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
        if ref is None or value.get(name) is None:
            continue
        items = value[name] if prop.get("type") == "array" else [value[name]]
        for item in items:
            assert_shape(item, ref.rsplit("/", 1)[1], document)


def test_administrators_see_every_site_and_staff_only_theirs() -> None:
    def holder(*ranks: str) -> Principal:
        return Principal(
            "s", "t", "E1", "王", frozenset(ranks), frozenset(), frozenset(), frozenset({"lvyuan"}), frozenset(ranks)
        )

    assert visible_sites(holder("staff", "supervisor", "manager", "admin")) is None
    assert visible_sites(holder("staff", "supervisor", "manager")) == {"lvyuan"}
    assert visible_sites(holder()) == {"lvyuan"}

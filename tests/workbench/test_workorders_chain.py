"""The chain browser → workbench → work-order API: the workbench relays the employee's own access token,
and the API shows only the orders of the employee's sites."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from devstack.form_login import loopback_client
from devstack.keycloak_server import free_port
from sso.catalog import WORKORDER_API_CLIENT_ID
from sso.verify import TokenVerifier
from sso.workorder_api.app import create_app as create_api
from sso.workorder_api.store import Person, WorkOrderStore
from tests.workbench.conftest import WorkbenchStack
from tests.workbench.http_login import sign_in
from tests.workbench.server import serving


@pytest.fixture(scope="module")
def chain(make_stack: Callable[..., WorkbenchStack]) -> Iterator[tuple[WorkbenchStack, WorkOrderStore]]:
    api_port = free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    stack = make_stack(workorder_api_url=api_url)
    orders = WorkOrderStore()
    verifier = TokenVerifier([stack.realm.issuer], audience=WORKORDER_API_CLIENT_ID)
    with serving(create_api(verifier, orders), api_port):
        yield stack, orders


def test_an_employee_sees_the_work_orders_of_their_site(chain: tuple[WorkbenchStack, WorkOrderStore]) -> None:
    stack, orders = chain
    reporter = Person(employee_no="K0001", name="客服小李")
    orders.create(stack.realm.name, "lvyuan", "3号楼电梯异响", reporter)
    orders.create(stack.realm.name, "other-site", "别的小区的工单", reporter)
    employee = stack.employee(departments=("engineering",), sites=("lvyuan",), site_names={"lvyuan": "绿园小区"})
    with loopback_client() as client:
        sign_in(client, stack.url, stack.keycloak_url, *employee)
        page = client.get(f"{stack.url}/workorders")
        assert page.status_code == 200
        assert "3号楼电梯异响" in page.text
        assert "别的小区的工单" not in page.text
        # the site column shows the site's name (claim site_names), not its code
        assert '<td data-site="lvyuan">绿园小区</td>' in page.text
        home = client.get(f"{stack.url}/")
        assert home.status_code == 200
        assert '<dd id="sites">绿园小区</dd>' in home.text


def test_the_page_says_the_service_is_unavailable_when_the_api_is_down(
    make_stack: Callable[..., WorkbenchStack],
) -> None:
    stack = make_stack(workorder_api_url=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    with loopback_client() as client:
        sign_in(client, stack.url, stack.keycloak_url, *stack.employee())
        page = client.get(f"{stack.url}/workorders")
        assert page.status_code == 200
        assert "工单服务暂不可用" in page.text


@pytest.mark.browser
def test_in_the_browser_the_work_orders_page_lists_the_sites_orders(
    chain: tuple[WorkbenchStack, WorkOrderStore],
) -> None:
    from playwright.sync_api import expect

    from tests.workbench.browser_login import chromium, screenshot, submit_credentials

    stack, orders = chain
    orders.create(stack.realm.name, "jinxiu", "地下车库照明故障", Person(employee_no="K0002", name="客服小张"))
    username, password = stack.employee(
        departments=("engineering",), sites=("jinxiu",), site_names={"jinxiu": "锦绣花园"}
    )
    with chromium() as browser:
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{stack.url}/workorders")
        submit_credentials(page, username, password)
        page.wait_for_url(f"{stack.url}/workorders")
        expect(page.locator("#workorders")).to_contain_text("地下车库照明故障")
        expect(page.locator("#workorders")).to_contain_text("待处理")
        expect(page.locator('#workorders td[data-site="jinxiu"]')).to_have_text("锦绣花园")
        screenshot(page, "workorders-chain")

"""A system that cannot speak OIDC, behind the real oauth2-proxy (docs/INTEGRATION.md's tested configuration).

Staff sign in by 工号 + SMS code in Chromium; oauth2-proxy (provider keycloak-oidc, PKCE S256, Redis sessions,
``--cookie-refresh=30s``) hands the upstream their identity in headers: the 工号 in X-Forwarded-Preferred-Username.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from devstack.oauth2_proxy import Oauth2Proxy, cookie_chunks, running_oauth2_proxy
from devstack.redis_server import RedisServer
from devstack.sms_outbox import SmsOutbox
from tests.extension.conftest import PASSWORD, SmsRealm, make_sms_realm, screenshot
from tests.extension.flows import LOGIN_FORM, enter_code, error_text, on_code_page, submit_password
from tests.integration.support import phone_of, provision_staff, proxy_for_downstream
from tests.integration.upstream import EchoUpstream
from tests.provisioning.support import Provisioner, person
from tests.support.realms import TestRealm

Contexts = Callable[..., BrowserContext]

SITES = [{"code": "songyuan", "name": "松园"}, {"code": "hupan", "name": "湖畔花园"}, {"code": "lvyuan", "name": "绿园小区"},
         {"code": "jinxiu", "name": "锦绣苑"}, {"code": "qinghe", "name": "清河湾"}]  # fmt: skip
#: Five departments and five sites: ten groups (finance would add the OTP step of privileged posts).
TEN_GROUPS_DEPARTMENTS = ("service", "engineering", "security", "cleaning", "administration")
STAFF = {
    "service": person(1, "雷诺磊"),
    "engineer": person(2, "周工", departments=("engineering",)),
    "leaver": person(3, "钱多多"),
    "ten_groups": person(4, "欧阳娜娜", rank="supervisor", departments=TEN_GROUPS_DEPARTMENTS,
                         sites=tuple(s["code"] for s in SITES)),
}  # fmt: skip
REFRESH_SECONDS = 30


@pytest.fixture(scope="module")
def realm(realm_factory: Callable[..., TestRealm], sms_outbox: SmsOutbox) -> SmsRealm:
    return make_sms_realm(realm_factory, sms_outbox)


@pytest.fixture(scope="module")
def provisioner(realm: SmsRealm, tmp_path_factory: pytest.TempPathFactory) -> Provisioner:
    return provision_staff(realm.realm, tmp_path_factory.mktemp("roster"), list(STAFF.values()), sites=SITES)


@pytest.fixture(scope="module")
def proxy(
    realm: SmsRealm,
    provisioner: Provisioner,
    upstream: EchoUpstream,
    redis_server: RedisServer,
    oauth2_proxy_binary: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Oauth2Proxy]:
    config = proxy_for_downstream(
        realm.realm,
        "legacy-service",
        upstream.url,
        redis_url=redis_server.url,
        allowed_groups=("/departments/service",),
        cookie_refresh=f"{REFRESH_SECONDS}s",
    )
    with running_oauth2_proxy(config, tmp_path_factory.mktemp("oauth2-proxy"), oauth2_proxy_binary) as running:
        yield running


def sign_in_through(page: Page, proxy_url: str, realm: SmsRealm, who: dict[str, Any]) -> None:
    """Open the protected system; sign in on our login page by 工号, password and the SMS code from the outbox."""
    before = realm.outbox.last_id()
    page.goto(f"{proxy_url}/")
    page.wait_for_selector(LOGIN_FORM)
    submit_password(page, who["employee_no"], PASSWORD)
    assert on_code_page(page), f"expected the SMS code page, got {page.url}: {error_text(page)}"
    enter_code(page, realm.outbox.wait_for_code(phone_of(who), after=before))
    try:
        page.wait_for_url(f"{proxy_url}/**")
    except PlaywrightTimeout as exc:
        raise AssertionError(f"did not come back to {proxy_url}: {page.url} {page.inner_text('body')[:500]}") from exc


def upstream_answer(page: Page) -> dict[str, Any]:
    answer: dict[str, Any] = page.evaluate("() => JSON.parse(document.body.innerText)")
    return answer


def session_cookie(context: BrowserContext, proxy_url: str) -> dict[str, str]:
    return {c["name"]: c["value"] for c in context.cookies(proxy_url) if c["name"].startswith("_oauth2_proxy")}


def test_a_staff_member_signs_in_by_employee_number_and_sms_code_and_reaches_the_system_as_herself(
    proxy: Oauth2Proxy, realm: SmsRealm, new_context: Contexts
) -> None:
    page = new_context().new_page()
    sign_in_through(page, proxy.url, realm, STAFF["service"])
    screenshot(page, "oauth2-proxy-upstream")
    headers = upstream_answer(page)["headers"]
    user = realm.realm.admin().get_users({"username": "wy0001", "exact": True})[0]
    assert headers["X-Forwarded-Preferred-Username"] == "wy0001"  # the 工号
    assert headers["X-Forwarded-User"] == user["id"]  # Keycloak's subject: stable across a change of 工号
    assert headers["X-Forwarded-Email"] == "wy0001@example.com"
    assert "/departments/service" in headers["X-Forwarded-Groups"].split(",")


def test_someone_outside_the_allowed_department_is_refused_by_the_proxy(
    proxy: Oauth2Proxy, realm: SmsRealm, new_context: Contexts
) -> None:
    page = new_context().new_page()
    before = realm.outbox.last_id()
    page.goto(f"{proxy.url}/")
    submit_password(page, STAFF["engineer"]["employee_no"], PASSWORD)
    enter_code(page, realm.outbox.wait_for_code(phone_of(STAFF["engineer"]), after=before))
    page.wait_for_url(f"{proxy.url}/**")
    screenshot(page, "oauth2-proxy-refused")
    assert '"upstream": true' not in page.content()
    direct = httpx.get(f"{proxy.url}/", cookies=session_cookie(page.context, proxy.url), follow_redirects=False)
    assert direct.status_code in (302, 403) and "upstream" not in direct.text


def test_a_leaver_disabled_by_provisioning_loses_access_within_the_refresh_interval(
    proxy: Oauth2Proxy, realm: SmsRealm, provisioner: Provisioner, new_context: Contexts
) -> None:
    page = new_context().new_page()
    sign_in_through(page, proxy.url, realm, STAFF["leaver"])
    cookies = session_cookie(page.context, proxy.url)
    assert upstream_answer(page)["headers"]["X-Forwarded-Preferred-Username"] == "wy0003"

    roster = [dict(p, status="left") if p is STAFF["leaver"] else p for p in STAFF.values()]
    run = provisioner("apply", provisioner.roster(roster, name="roster-left.yaml", sites=SITES), "--allow-mass-disable")
    assert run.code == 0, run.err
    disabled_at = time.monotonic()

    cut_off_after = None
    last_allowed = 0.0
    while time.monotonic() - disabled_at < REFRESH_SECONDS + 30:
        answer = httpx.get(f"{proxy.url}/", cookies=cookies, follow_redirects=False, timeout=10)
        elapsed = time.monotonic() - disabled_at
        if answer.status_code == 200 and '"upstream": true' in answer.text:
            last_allowed = elapsed
        else:
            cut_off_after = elapsed
            break
        time.sleep(0.5)
    print(
        f"leaver: last upstream answer {last_allowed:.1f} s after the apply, refused after "
        f"{cut_off_after} s (--cookie-refresh={REFRESH_SECONDS}s)"
    )
    assert cut_off_after is not None, f"the leaver still reached the system {REFRESH_SECONDS + 30} s after the apply"
    assert cut_off_after <= REFRESH_SECONDS + 5


def test_the_session_cookie_of_a_member_of_ten_groups_stays_under_4_kb(
    realm: SmsRealm,
    provisioner: Provisioner,
    upstream: EchoUpstream,
    oauth2_proxy_binary: Path,
    new_context: Contexts,
    tmp_path: Path,
) -> None:
    """Cookie sessions (no Redis) put the tokens themselves in the cookie: the declared client's few claims keep
    it in one cookie under 4 KB for a supervisor in five departments and five sites."""
    config = proxy_for_downstream(
        realm.realm, "legacy-cookie", upstream.url, permissions=frozenset({"billing.view", "report.view"})
    )
    with running_oauth2_proxy(config, tmp_path, oauth2_proxy_binary) as cookie_proxy:
        page = new_context().new_page()
        sign_in_through(page, cookie_proxy.url, realm, STAFF["ten_groups"])
        groups = upstream_answer(page)["headers"]["X-Forwarded-Groups"].split(",")
        cookies = session_cookie(page.context, cookie_proxy.url)
    assert len([g for g in groups if not g.startswith("role:")]) == 10
    # held through rank and departments: workorder.view/.handle, report.view, billing.view; declared: two of them
    roles = sorted(g for g in groups if g.startswith("role:"))
    assert roles == ["role:staff-workbench:billing.view", "role:staff-workbench:report.view"], roles
    sizes = {name: len(name) + 1 + len(value) for name, value in cookies.items()}
    print(f"session cookie of a member of ten groups: {sizes}")
    assert cookie_chunks(list(cookies)) == ["_oauth2_proxy"], f"the session cookie was split: {sizes}"
    assert sizes["_oauth2_proxy"] < 4096

"""The workbench in a real browser (Debian's Chromium through Playwright), from the employee's side.

Each test leaves a screenshot of its end state in ``test-artifacts/workbench/``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from devstack.smtp_sink import SmtpSink
from tests.workbench.browser_login import (
    change_password,
    chromium,
    complete_required_actions,
    enter_otp,
    error_message,
    on_keycloak_login,
    request_password_reset,
    screenshot,
    submit_credentials,
)
from tests.workbench.conftest import WorkbenchStack

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        yield page
    finally:
        context.close()


def sign_in(page: Page, stack: WorkbenchStack, username: str, password: str, path: str = "/") -> None:
    page.goto(f"{stack.url}{path}")
    submit_credentials(page, username, password)
    page.wait_for_url(f"{stack.url}/**")


def test_a_new_employee_changes_the_one_time_password_and_sees_home(page: Page, stack: WorkbenchStack) -> None:
    username, one_time = stack.employee(
        rank="staff", departments=("service",), sites=("lvyuan",), site_names={"lvyuan": "绿园小区"}, temporary=True
    )
    page.goto(f"{stack.url}/")
    submit_credentials(page, username, one_time)
    complete_required_actions(page, stack.url, new_password="Mine-2026-secret")
    expect(page.locator("#greeting")).to_contain_text("王小明")
    expect(page.locator("#employee-no")).to_have_text(username.upper())
    expect(page.locator("#rank")).to_have_text("普通员工")
    expect(page.locator("#departments")).to_have_text("客服")
    expect(page.locator("#sites")).to_have_text("绿园小区")  # the site's name_zh, not its code
    areas = page.locator("#areas a")
    expect(areas).to_have_text(["工单", "收费"])  # staff: work orders; service desk: billing
    screenshot(page, "first-sign-in-home")


def test_a_manager_enrols_an_authenticator_at_first_sign_in(page: Page, stack: WorkbenchStack) -> None:
    username, one_time = stack.employee(rank="manager", departments=("engineering",), temporary=True)
    page.goto(f"{stack.url}/")
    submit_credentials(page, username, one_time)
    secret = complete_required_actions(page, stack.url, new_password="Mine-2026-manager")
    assert secret, "Keycloak did not ask the manager to enrol an authenticator"
    expect(page.locator("#rank")).to_have_text("经理")
    # Next sign-in (fresh browser) asks for the code from that authenticator
    page.context.clear_cookies()
    page.goto(f"{stack.url}/reports")
    submit_credentials(page, username, "Mine-2026-manager")
    enter_otp(page, secret, window_offset=1)  # the enrolment used this window's code
    page.wait_for_url(f"{stack.url}/reports")
    expect(page.locator("h1")).to_have_text("报表")
    screenshot(page, "manager-totp-reports")


def test_a_wrong_password_shows_keycloaks_message(page: Page, stack: WorkbenchStack) -> None:
    username, _ = stack.employee()
    page.goto(f"{stack.url}/")
    submit_credentials(page, username, "Not-the-password-1")
    message = error_message(page)
    # Keycloak's own wording (无效的用户名或密码) or the wuye theme's (账号或密码不正确...)
    assert "密码" in message and ("无效" in message or "不正确" in message), message
    on_keycloak_login(page)
    screenshot(page, "wrong-password")


def test_an_engineer_opening_billing_sees_who_can_grant_it(page: Page, stack: WorkbenchStack) -> None:
    username, password = stack.employee(rank="staff", departments=("engineering",))
    sign_in(page, stack, username, password, "/billing")
    expect(page.locator("#forbidden-title")).to_contain_text("无权限")
    expect(page.locator("#missing-permission")).to_contain_text("查看收费")
    expect(page.locator("#missing-permission")).to_contain_text("billing.view")
    expect(page.locator("#current-post")).to_contain_text("普通员工")
    expect(page.locator("#current-post")).to_contain_text("工程")
    expect(page.locator("#granted-by")).to_contain_text("财务经理或系统管理员")
    screenshot(page, "engineer-billing-forbidden")


def test_an_owner_is_sent_to_the_owners_app(page: Page, stack: WorkbenchStack) -> None:
    username, password = stack.employee(rank=None, extra_roles=("owner",), name=("李", "业主"))
    sign_in(page, stack, username, password)
    expect(page.locator("#owner-refused-title")).to_contain_text("物业版")
    expect(page.locator("#owner-app-link")).to_contain_text("业主版")
    assert page.locator("#owner-app-link").get_attribute("href") == stack.realm.settings.owner_app_url
    expect(page.locator("#greeting")).to_have_count(0)
    screenshot(page, "owner-refused")


def test_sign_out_ends_the_session_and_back_does_not_restore_it(page: Page, stack: WorkbenchStack) -> None:
    username, password = stack.employee()
    sign_in(page, stack, username, password)
    expect(page.locator("#greeting")).to_be_visible()
    page.click("#sign-out")
    page.wait_for_url(f"{stack.url}/signed-out**")
    expect(page.locator("#message-title")).to_contain_text("您已安全退出")
    page.go_back()
    page.wait_for_load_state()
    expect(page.locator("#greeting")).to_have_count(0)
    page.goto(f"{stack.url}/")
    on_keycloak_login(page)  # the Keycloak session is gone as well: the form, not a silent sign-in
    screenshot(page, "signed-out-back-button")


def test_forgot_password_by_mail(page: Page, stack: WorkbenchStack, smtp_sink: SmtpSink) -> None:
    # Keycloak's own mail-only reset flow: the realm's SMS-or-mail flow is the extension's to test
    # (tests/extension/), and this test must not depend on which one the template binds.
    stack.realm.admin().update_realm(stack.realm.name, {"resetCredentialsFlow": "reset credentials"})
    username, _ = stack.employee(email=True)
    already = len(smtp_sink.messages)
    page.goto(f"{stack.url}/")
    request_password_reset(page, username)
    mail = smtp_sink.wait_for(f"{username}@example.com", after=already)
    link = next(link for link in mail.links() if "action-token" in link)
    page.goto(link.replace("&amp;", "&"))
    if page.locator("#kc-info-message a").count() and not page.locator("#password-new").count():
        page.locator("#kc-info-message a").first.click()  # "click here to proceed"
    change_password(page, "Reset-2026-fresh")
    page.wait_for_url(f"{stack.url}/**")
    expect(page.locator("#greeting")).to_be_visible()
    screenshot(page, "forgot-password-home")


def test_an_admin_logout_signs_the_employee_out_of_the_workbench(page: Page, stack: WorkbenchStack) -> None:
    username, password = stack.employee()
    sign_in(page, stack, username, password)
    expect(page.locator("#greeting")).to_be_visible()
    admin = stack.realm.admin()
    admin.user_logout(admin.get_user_id(username))  # Keycloak sends the back-channel logout token
    page.goto(f"{stack.url}/workorders")
    on_keycloak_login(page)
    screenshot(page, "admin-logout")


def test_english_is_one_click_away_on_both_sides(page: Page, stack: WorkbenchStack) -> None:
    username, password = stack.employee(departments=("security",))
    page.goto(f"{stack.url}/lang/en?next=/")
    on_keycloak_login(page)
    assert page.locator("html").get_attribute("lang") == "en"  # ui_locales passed on to Keycloak
    submit_credentials(page, username, password)
    page.wait_for_url(f"{stack.url}/**")
    expect(page.locator("#greeting")).to_have_text("Hello, 王小明")
    expect(page.locator("#departments")).to_have_text("Security")
    screenshot(page, "english-home")

"""Step-up in the workbench (issue 11 item 5): a session without a second factor cannot open a sensitive area.

Story: an employee signs in without a second factor (a staff rank is not asked one; on the SMS flow a trusted
browser skips the code). Later the same day IT grants a sensitive permission (修改费率 through ``rate-editor``).
The workbench picks the new permission up at its next token refresh, but the session was never established with a
second factor: opening 修改费率 must send the person through a fresh sign-in (``prompt=login``) where Keycloak now
asks the code, and only then show the area. The tokens must say truthfully what was used (``amr``): a trusted
browser's sign-in reports ``pwd`` only. Both browser flows, real Keycloak, Chromium, SMS codes from the dev outbox.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from devstack.sms_outbox import SmsOutbox
from tests.extension.conftest import PASSWORD, SmsRealm, make_sms_realm
from tests.extension.flows import enter_code, forget_sso_session, on_code_page
from tests.extension.flows import submit_password as submit_identifier
from tests.workbench.browser_login import complete_required_actions, enter_otp, screenshot, submit_credentials
from tests.workbench.conftest import WorkbenchStack

pytestmark = pytest.mark.browser

RATES = "/billing/rates"
#: The SMS step sends one code per account per 60 s (``CodePolicy``), and a step-up asks a second one.
RESEND_COOLDOWN = 61.0


@pytest.fixture(scope="module")
def stack(make_stack: Callable[..., WorkbenchStack]) -> WorkbenchStack:
    """A workbench that refreshes its tokens on every page, so a permission granted at Keycloak shows at once."""
    return make_stack(refresh_leeway_seconds=100_000)


@pytest.fixture(scope="module")
def sms_stack(make_stack: Callable[..., WorkbenchStack], sms_outbox: SmsOutbox) -> tuple[WorkbenchStack, SmsRealm]:
    stack = make_stack(refresh_leeway_seconds=100_000)
    return stack, make_sms_realm(lambda: stack.realm, sms_outbox)


def grant_rate_editor(stack: WorkbenchStack, username: str) -> None:
    admin = stack.realm.admin()
    user_id = admin.get_user_id(username)
    assert user_id is not None, f"no user {username}"
    admin.assign_realm_roles(user_id, [admin.get_realm_role("rate-editor")])


def reauthenticate(page: Page, username: str, password: str) -> None:
    """Keycloak's form at a forced re-authentication (``prompt=login``): the account is known, so the identifier
    field is usually hidden ("please re-authenticate") and only the password is asked."""
    expect(page.locator("#password")).to_be_visible()
    if page.locator("#username").count():
        page.fill("#username", username)
    page.fill("#password", password)
    page.click("#kc-login")
    page.wait_for_load_state("domcontentloaded")


def on_area(page: Page, area: str) -> None:
    expect(page.locator("body")).to_have_attribute("data-page", f"area-{area}")


def test_a_session_without_a_second_factor_cannot_open_a_sensitive_area(
    new_context: Callable[..., BrowserContext],
    stack: WorkbenchStack,
) -> None:
    """Password flow (``wuye browser``): the OTP is asked at the step-up, and the area opens after it."""
    context = new_context()
    username, password = stack.employee(rank="staff")
    page = context.new_page()
    page.goto(f"{stack.url}/")
    submit_credentials(page, username, password)  # staff: no second factor asked
    expect(page.locator("body")).to_have_attribute("data-page", "home")
    grant_rate_editor(stack, username)  # 修改费率, and with it role mfa-required

    page.goto(f"{stack.url}{RATES}")
    reauthenticate(page, username, password)  # a fresh sign-in, not Keycloak's SSO cookie
    secret = complete_required_actions(page, stack.url)  # mfa-required now: TOTP enrolment
    assert secret is not None, "Keycloak asked no second factor at the step-up"
    # Enrolling an authenticator is not signing in with it: the session still has no second factor.
    expect(page.locator("body")).to_have_attribute("data-page", "second-factor-required")
    page.click("#message-action")  # 重新验证
    reauthenticate(page, username, password)
    enter_otp(page, secret, window_offset=1)
    page.wait_for_url(f"{stack.url}{RATES}")
    on_area(page, "rates")
    screenshot(page, "step-up-otp-rates")


def test_a_trusted_browser_is_not_a_second_factor_for_a_sensitive_area(
    new_context: Callable[..., BrowserContext],
    sms_stack: tuple[WorkbenchStack, SmsRealm],
) -> None:
    """SMS flow (``wuye sms browser``): a trusted browser signs in with the password alone, and ``amr`` says so."""
    context = new_context()
    stack, sms = sms_stack
    phone = "+8613900005101"
    sms.add_user("wy5101", phone=phone)
    page = context.new_page()
    before = sms.outbox.last_id()
    page.goto(f"{stack.url}/")
    submit_identifier(page, "wy5101")
    assert on_code_page(page)
    enter_code(page, sms.outbox.wait_for_code(phone, after=before), trust=True)
    first_code_at = time.monotonic()
    page.wait_for_url(f"{stack.url}/**")

    page = forget_sso_session(context)  # signed out everywhere, the trusted-device cookie kept
    page.goto(f"{stack.url}/")
    submit_identifier(page, "wy5101")
    page.wait_for_url(f"{stack.url}/**")  # trusted browser: no code asked
    expect(page.locator("body")).to_have_attribute("data-page", "home")
    grant_rate_editor(stack, "wy5101")

    time.sleep(max(0.0, RESEND_COOLDOWN - (time.monotonic() - first_code_at)))  # one code per account per minute
    before = sms.outbox.last_id()
    page.goto(f"{stack.url}{RATES}")
    reauthenticate(page, "wy5101", PASSWORD)  # the step-up's fresh sign-in
    assert on_code_page(page), "Keycloak asked no code at the step-up"
    enter_code(page, sms.outbox.wait_for_code(phone, after=before))
    page.wait_for_url(f"{stack.url}{RATES}")
    on_area(page, "rates")
    screenshot(page, "step-up-sms-rates")

"""What a person does on our login pages, as small functions over a Playwright page."""

from __future__ import annotations

import re
import time

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from tests.extension.conftest import PASSWORD, SmsRealm

CODE_FORM = "#wuye-code-form"
LOGIN_FORM = "#kc-form-login"


def open_sign_in(page: Page, realm: SmsRealm) -> None:
    try:
        page.goto(realm.account_url)
    except PlaywrightError as error:  # a redirect of the page's own scripts raced ours: once more
        if "ERR_ABORTED" not in str(error):
            raise
        page.goto(realm.account_url)
    page.wait_for_selector(LOGIN_FORM)


def submit_password(page: Page, identifier: str, password: str = PASSWORD) -> None:
    page.fill("#username", identifier)
    page.fill("#password", password)
    page.click("#kc-login")
    page.wait_for_load_state("domcontentloaded")


def on_code_page(page: Page) -> bool:
    return page.locator(CODE_FORM).count() > 0


def signed_in(page: Page, realm: SmsRealm) -> bool:
    try:
        page.wait_for_url(re.compile(re.escape(realm.account_url) + ".*"), timeout=15_000)
    except Exception:
        return False
    return page.locator(LOGIN_FORM).count() == 0 and not on_code_page(page)


def enter_code(page: Page, code: str, trust: bool = True) -> None:
    page.fill("#code", code)
    box = page.locator("#trustDevice")
    if box.count():
        box.set_checked(trust)
    page.click("#wuye-code-submit")
    page.wait_for_load_state("domcontentloaded")


def error_text(page: Page) -> str:
    parts = page.locator(".pf-m-danger, .kc-feedback-text, [id^=input-error]").all_inner_texts()
    return " ".join(p.strip() for p in parts if p.strip())


def sign_in_with_sms(page: Page, realm: SmsRealm, identifier: str, phone: str, trust: bool = True) -> None:
    """Password, then the SMS code read from the outbox; ends signed in."""
    before = realm.outbox.last_id()
    open_sign_in(page, realm)
    submit_password(page, identifier)
    assert on_code_page(page), f"expected the SMS code page, got: {page.url} {error_text(page)}"
    enter_code(page, realm.outbox.wait_for_code(phone, after=before), trust=trust)
    assert signed_in(page, realm), f"not signed in after the code: {error_text(page)}"


def forget_sso_session(context: BrowserContext) -> Page:
    """Sign-out as far as the browser is concerned: keep only the trusted-device cookie; returns a new tab.

    The old tabs are closed first: the account console would otherwise race our navigation with its own.
    """
    for old in context.pages:
        old.close()
    kept = [c for c in context.cookies() if c["name"] == "WUYE_TRUSTED_DEVICE"]
    context.clear_cookies()
    if kept:
        context.add_cookies(kept)  # type: ignore[arg-type]
    return context.new_page()


def wait_past_quick_login_check() -> None:
    """Keycloak locks at once on failures closer than quickLoginCheckMilliSeconds (1 s): space them out."""
    time.sleep(1.2)

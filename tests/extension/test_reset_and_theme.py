"""Forgot password by SMS (the email link stays the other way), and the wuye login pages themselves."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext

from devstack.smtp_sink import SmtpSink
from tests.extension.conftest import SmsRealm, screenshot
from tests.extension.flows import (
    enter_code,
    error_text,
    on_code_page,
    open_sign_in,
    submit_password,
)

Contexts = Callable[..., BrowserContext]
NEW_PASSWORD = "Reset2026pass"


def test_a_staff_member_who_forgot_the_password_resets_it_by_sms_with_the_mobile_number(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    sms_realm.add_user("wy4001", phone="+8613900004001")
    page = new_context().new_page()
    open_sign_in(page, sms_realm)
    page.click("text=忘记密码")
    page.wait_for_selector("#kc-reset-password-form")
    screenshot(page, "forgot-password-page")
    before = sms_realm.outbox.last_id()
    page.fill("#username", "139 0000 4001")
    page.click("#kc-form-buttons")
    page.wait_for_selector("#wuye-code-form")
    screenshot(page, "reset-sms-code-page")
    enter_code(page, sms_realm.outbox.wait_for_code("+8613900004001", after=before))

    # the realm's password policy applies to the new password
    page.wait_for_selector("#password-new")
    page.fill("#password-new", "short1")
    page.fill("#password-confirm", "short1")
    page.click("[type=submit]")
    page.wait_for_selector("#password-new")
    assert "至少" in page.content()
    page.fill("#password-new", "onlydigits1234")
    page.fill("#password-confirm", "onlydigits1234")
    page.fill("#password-new", "1234567890123")
    page.fill("#password-confirm", "1234567890123")
    page.click("[type=submit]")
    page.wait_for_selector("#password-new")
    assert "英文字母" in page.content(), "the regexPattern policy speaks plainly"
    screenshot(page, "reset-policy-message")
    page.fill("#password-new", NEW_PASSWORD)
    page.fill("#password-confirm", NEW_PASSWORD)
    page.click("[type=submit]")
    # the reset only changes the password: the person then signs in as always (tests/security has the attacks)
    page.wait_for_selector("#kc-form-login")
    assert "密码已修改" in page.content()

    fresh = new_context().new_page()
    open_sign_in(fresh, sms_realm)
    submit_password(fresh, "wy4001", NEW_PASSWORD)
    assert on_code_page(fresh), "the new password works (and a fresh browser still gets the SMS step)"
    screenshot(page, "reset-done")


def test_the_email_link_stays_the_other_way_to_reset(
    sms_realm: SmsRealm, new_context: Contexts, smtp_sink: SmtpSink
) -> None:
    sms_realm.add_user("wy4002", phone="+8613900004002", email="wy4002@example.com")
    page = new_context().new_page()
    open_sign_in(page, sms_realm)
    page.click("text=忘记密码")
    page.fill("#username", "wy4002@example.com")
    page.click("#kc-form-buttons")
    page.wait_for_selector("#wuye-use-email-link")
    mails_before = len(smtp_sink.messages)
    page.click("#wuye-use-email-link")
    page.wait_for_load_state("domcontentloaded")
    mail = smtp_sink.wait_for("wy4002@example.com", after=mails_before)
    link = next(link for link in mail.links() if "action-token" in link)
    page.goto(link.replace("&amp;", "&"))
    screenshot(page, "reset-email-link-opened")
    page.wait_for_selector("#password-new")
    page.fill("#password-new", NEW_PASSWORD)
    page.fill("#password-confirm", NEW_PASSWORD)
    page.click("[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    screenshot(page, "reset-by-email-link")
    assert "password-new" not in page.content()


def test_the_sign_in_page_shows_the_company_the_staff_banner_and_the_owners_link(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    page = new_context().new_page()
    open_sign_in(page, sms_realm)
    assert (page.text_content("#wuye-company-name") or "").strip() == "测试物业 Test Property"
    assert "物业员工入口 · staff edition" in page.inner_text("#wuye-staff-banner")
    assert page.get_attribute("#wuye-owner-link", "href") == sms_realm.realm.settings.owner_app_url
    assert "工号" in page.inner_text("#wuye-identifier-hint") and "手机号" in page.inner_text("#wuye-identifier-hint")
    assert page.get_attribute("html", "lang") == "zh-CN"


def test_the_password_field_warns_about_full_width_characters_and_caps_lock(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    page = new_context().new_page()
    open_sign_in(page, sms_realm)
    assert page.locator("#wuye-fullwidth-warning").is_hidden()
    page.type("#password", "ｐａｓｓ１２３")
    assert page.locator("#wuye-fullwidth-warning").is_visible()
    page.fill("#password", "")
    page.type("#password", "pass123")
    assert page.locator("#wuye-fullwidth-warning").is_hidden()
    # headless Chromium has no real Caps Lock key state: send the key event a keyboard would, with Caps Lock on
    page.dispatch_event("#password", "keydown", {"key": "A", "modifierCapsLock": True})
    screenshot(page, "password-warnings")
    assert page.locator("#wuye-capslock-warning").is_visible()


def test_the_sign_in_pages_switch_to_english(sms_realm: SmsRealm, new_context: Contexts) -> None:
    page = new_context().new_page()
    open_sign_in(page, sms_realm)
    # what the language menu does on change: go to the option's URL
    with page.expect_navigation():
        page.eval_on_selector(
            "#login-select-toggle",
            "s => { window.location.href = [...s.options].find(o => o.text.includes('English')).value; }",
        )
    page.wait_for_selector("html[lang=en]")
    page.wait_for_selector("#kc-form-login")
    assert "Employee no. / mobile / email" in page.content()
    screenshot(page, "sign-in-page-english")
    submit_password(page, "nobody", "Wrong2026pass")
    assert re.search(r"Wrong account or password", error_text(page))

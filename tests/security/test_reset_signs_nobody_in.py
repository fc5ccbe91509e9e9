"""Issue 11.1: a forgotten password reset by SMS code (or email link) only changes the password.

The attacker holds an identifier and one code (stolen SMS, or a mailbox): they may at worst set a password, never
reach a client, leave an SSO session behind or enrol an authenticator app of their own.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from devstack.smtp_sink import SmtpSink
from tests.extension.conftest import SmsRealm, screenshot
from tests.extension.flows import LOGIN_FORM, error_text
from tests.security.attacks import (
    NEW_PASSWORD,
    OTP_FORM,
    TOTP_ENROLMENT,
    add_user_with_totp,
    asked_for_a_code,
    choose_new_password,
    reset_by,
    totp_now,
)

Contexts = Callable[..., BrowserContext]
WAYS = ["sms", "email"]


def _no_session_anywhere(realm: SmsRealm, user_id: str) -> None:
    assert realm.realm.admin().get_sessions(user_id) == [], "the reset left an SSO session"


@pytest.mark.parametrize("way", WAYS)
def test_a_password_reset_signs_nobody_in(
    sms_realm: SmsRealm, new_context: Contexts, smtp_sink: SmtpSink, way: str
) -> None:
    n = WAYS.index(way) + 1
    username, phone = f"wy510{n}", f"+86139000051{n:02d}"
    user_id = sms_realm.add_user(username, phone=phone)
    page = new_context().new_page()
    reset_by(way, page, sms_realm, username, phone, smtp_sink)
    choose_new_password(page)
    screenshot(page, f"reset-by-{way}-done")

    assert sms_realm.account_url not in page.url, f"the reset reached a client: {page.url}"
    assert page.locator(LOGIN_FORM).count() == 1, "after a reset the person signs in through the normal flow"
    assert "密码已修改" in page.content(), "the sign-in page says the password was changed"
    _no_session_anywhere(sms_realm, user_id)
    # the same browser holds no session either: the next visit gets the sign-in page, then the second factor
    assert asked_for_a_code(page, sms_realm, username, NEW_PASSWORD), error_text(page)


@pytest.mark.parametrize("way", WAYS)
def test_a_reset_never_lets_the_attacker_enrol_an_authenticator(
    sms_realm: SmsRealm, new_context: Contexts, smtp_sink: SmtpSink, way: str
) -> None:
    # a privileged account whose authenticator-app set-up is still pending: the juiciest target
    n = WAYS.index(way) + 1
    username, phone = f"wy520{n}", f"+86139000052{n:02d}"
    admin = sms_realm.realm.admin()
    user_id = sms_realm.add_user(username, phone=phone, roles=("admin",))
    admin.update_user(user_id, {"requiredActions": ["CONFIGURE_TOTP"]})
    page = new_context().new_page()
    reset_by(way, page, sms_realm, username, phone, smtp_sink)
    page.wait_for_selector(f"#password-new, {TOTP_ENROLMENT}")
    screenshot(page, f"reset-by-{way}-privileged")
    assert page.locator(TOTP_ENROLMENT).count() == 0, "the reset offered to enrol an authenticator app"
    choose_new_password(page)
    assert page.locator(TOTP_ENROLMENT).count() == 0, "the reset offered to enrol an authenticator app"

    credentials = {c["type"] for c in admin.get_credentials(user_id)}
    assert "otp" not in credentials, f"credentials after the reset: {credentials}"
    assert "CONFIGURE_TOTP" in admin.get_user(user_id)["requiredActions"], "still pending, for the real sign-in"
    _no_session_anywhere(sms_realm, user_id)


@pytest.mark.parametrize("way", WAYS)
def test_an_account_with_an_authenticator_app_is_not_reset_by_one_code_alone(
    sms_realm: SmsRealm, new_context: Contexts, smtp_sink: SmtpSink, way: str
) -> None:
    n = WAYS.index(way) + 1
    username, phone = f"wy530{n}", f"+86139000053{n:02d}"
    user_id = add_user_with_totp(sms_realm, username, phone)
    page = new_context().new_page()
    reset_by(way, page, sms_realm, username, phone, smtp_sink)
    page.wait_for_selector(f"#password-new, {OTP_FORM}")
    screenshot(page, f"reset-by-{way}-asks-totp")
    assert page.locator("#password-new").count() == 0, "one code alone reached the new-password form"

    page.fill("#otp", "000000" if totp_now() != "000000" else "111111")
    page.click("#kc-login")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#password-new").count() == 0, "a wrong authenticator code reached the new-password form"

    page.fill("#otp", totp_now())
    page.click("#kc-login")
    choose_new_password(page)
    assert page.locator(LOGIN_FORM).count() == 1
    _no_session_anywhere(sms_realm, user_id)

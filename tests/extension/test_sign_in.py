"""Signing in to the staff realm with 工号, 手机号 or 邮箱, and the SMS second factor on new devices."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from tests.extension.conftest import PASSWORD, SmsRealm, screenshot
from tests.extension.flows import (
    enter_code,
    error_text,
    forget_sso_session,
    on_code_page,
    open_sign_in,
    sign_in_with_sms,
    signed_in,
    submit_password,
)

Contexts = Callable[..., BrowserContext]


def test_a_staff_member_signs_in_with_the_employee_number_and_an_sms_code(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    sms_realm.add_user("wy2001", phone="+8613900002001")
    page = new_context().new_page()
    open_sign_in(page, sms_realm)
    screenshot(page, "sign-in-page")
    submit_password(page, "WY2001")
    assert on_code_page(page)
    assert "139****2001" in page.inner_text("#wuye-code-destination")
    screenshot(page, "sms-code-page")
    enter_code(page, sms_realm.outbox.wait_for_code("+8613900002001"))
    assert signed_in(page, sms_realm)
    screenshot(page, "signed-in-by-employee-number")


@pytest.mark.parametrize(
    ("n", "typed"),
    [(1, "13900002201"), (2, "139 0000 2202"), (3, "+86 139-0000-2203"), (4, "００８６１３９００００２２０４")],
)
def test_a_staff_member_signs_in_with_the_mobile_number_as_typed(
    sms_realm: SmsRealm, new_context: Contexts, n: int, typed: str
) -> None:
    # one account per form: the 60 s resend cool-down is per account
    sms_realm.add_user(f"wy220{n}", phone=f"+86139000022{n:02d}")
    page = new_context().new_page()
    sign_in_with_sms(page, sms_realm, typed, f"+86139000022{n:02d}")
    screenshot(page, f"signed-in-by-phone-form-{n}")


def test_a_staff_member_signs_in_with_the_email_in_any_case(sms_realm: SmsRealm, new_context: Contexts) -> None:
    sms_realm.add_user("wy2003", phone="+8613900002003", email="li.hua@example.com")
    page = new_context().new_page()
    sign_in_with_sms(page, sms_realm, "  Li.Hua@Example.COM ", "+8613900002003")
    screenshot(page, "signed-in-by-email")


def test_an_identifier_matching_two_accounts_is_refused_without_saying_why(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    # a 工号 that is someone else's mobile number
    sms_realm.add_user("13900002004", phone="+8613900009999")
    sms_realm.add_user("wy2004", phone="+8613900002004")
    page = new_context().new_page()
    open_sign_in(page, sms_realm)
    submit_password(page, "13900002004")
    assert not on_code_page(page)
    assert "账号或密码不正确" in error_text(page)
    screenshot(page, "ambiguous-identifier-refused")
    events = sms_realm.realm.admin().get_events({"type": "LOGIN_ERROR"})
    assert any(e.get("error") == "wuye_identifier_ambiguous" for e in events), "the refusal is recorded for IT"


def test_an_unknown_account_gets_the_same_message_as_a_wrong_password(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    sms_realm.add_user("wy2005", phone="+8613900002005")
    page = new_context().new_page()
    open_sign_in(page, sms_realm)
    submit_password(page, "wy2005", "Wrong2026pass")
    wrong_password = error_text(page)
    submit_password(page, "nobody-here")
    assert error_text(page) == wrong_password and "账号或密码不正确" in wrong_password


def test_the_sms_code_is_asked_on_first_sign_in_not_again_in_the_same_browser_but_again_in_a_fresh_one(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    sms_realm.add_user("wy2006", phone="+8613900002006")
    context = new_context()
    page = context.new_page()
    sign_in_with_sms(page, sms_realm, "wy2006", "+8613900002006")

    page = forget_sso_session(context)
    open_sign_in(page, sms_realm)
    submit_password(page, "wy2006")
    assert signed_in(page, sms_realm), "a trusted browser is not asked again"
    screenshot(page, "trusted-browser-no-code")

    fresh = new_context().new_page()
    open_sign_in(fresh, sms_realm)
    submit_password(fresh, "wy2006")
    assert on_code_page(fresh), "a fresh browser profile is a new device"


def test_a_password_change_revokes_the_trusted_browser(sms_realm: SmsRealm, new_context: Contexts) -> None:
    user_id = sms_realm.add_user("wy2007", phone="+8613900002007")
    context = new_context()
    page = context.new_page()
    sign_in_with_sms(page, sms_realm, "wy2007", "+8613900002007")
    sms_realm.realm.admin().set_user_password(user_id, "Changed2026pass", temporary=False)
    page = forget_sso_session(context)
    open_sign_in(page, sms_realm)
    submit_password(page, "wy2007", "Changed2026pass")
    assert on_code_page(page)


def test_signing_out_everywhere_revokes_the_trusted_browser(sms_realm: SmsRealm, new_context: Contexts) -> None:
    user_id = sms_realm.add_user("wy2008", phone="+8613900002008")
    context = new_context()
    page = context.new_page()
    sign_in_with_sms(page, sms_realm, "wy2008", "+8613900002008")
    import time

    time.sleep(1.1)  # not-before has a one-second grain
    sms_realm.realm.admin().user_logout(user_id)
    page = forget_sso_session(context)
    open_sign_in(page, sms_realm)
    submit_password(page, "wy2008")
    assert on_code_page(page)


def test_a_manager_is_asked_for_a_code_every_time_even_in_a_browser_used_before(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    sms_realm.add_user("wy2009", phone="+8613900002009", roles=("manager",))
    context = new_context()
    page = context.new_page()
    sign_in_with_sms(page, sms_realm, "wy2009", "+8613900002009")
    assert context.cookies() and not any(c["name"] == "WUYE_TRUSTED_DEVICE" for c in context.cookies())
    page = forget_sso_session(context)
    open_sign_in(page, sms_realm)
    submit_password(page, "wy2009")
    assert on_code_page(page), "privileged staff are always asked"
    assert page.locator("#trustDevice").count() == 0
    screenshot(page, "manager-always-asked")


def test_a_disabled_account_is_told_what_to_do(sms_realm: SmsRealm, new_context: Contexts) -> None:
    user_id = sms_realm.add_user("wy2010", phone="+8613900002010")
    sms_realm.realm.admin().update_user(user_id, {"enabled": False})
    page = new_context().new_page()
    open_sign_in(page, sms_realm)
    submit_password(page, "13900002010")
    assert "账号已停用" in page.content() and "人事" in page.content()
    screenshot(page, "disabled-account")


def test_a_manager_with_an_authenticator_app_may_choose_it_instead_of_sms(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    import base64

    import pyotp

    secret = "wuye-bench-totp-secret-01"
    admin = sms_realm.realm.admin()
    admin.connection.raw_post(
        f"admin/realms/{sms_realm.name}/partialImport",
        data=__import__("json").dumps(
            {
                "ifResourceExists": "FAIL",
                "users": [
                    {
                        "username": "wy2011",
                        "enabled": True,
                        "email": "wy2011@example.com",
                        "firstName": "明",
                        "lastName": "王",
                        "attributes": {"phone_number": ["+8613900002011"]},
                        "realmRoles": ["manager"],
                        "credentials": [
                            {"type": "password", "value": PASSWORD, "temporary": False},
                            {
                                "type": "otp",
                                "userLabel": "手机",
                                "secretData": f'{{"value":"{secret}"}}',
                                "credentialData": '{"subType":"totp","digits":6,"counter":0,"period":30,"algorithm":"HmacSHA1"}',
                            },
                        ],
                    }
                ],
            }
        ),
    )
    page = new_context().new_page()
    open_sign_in(page, sms_realm)
    submit_password(page, "wy2011")
    assert on_code_page(page)
    page.click("#wuye-use-totp")
    page.wait_for_selector("#wuye-use-sms")
    screenshot(page, "manager-chooses-totp")
    totp = pyotp.TOTP(base64.b32encode(secret.encode()).decode().rstrip("="))
    enter_code(page, totp.now())
    assert signed_in(page, sms_realm), error_text(page)

"""SMS codes: brute-force lockout, resend cool-down, fallback without a mobile, a failing gateway."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import BrowserContext

from devstack.smtp_sink import SmtpSink
from tests.extension.conftest import SmsRealm, screenshot
from tests.extension.flows import (
    enter_code,
    error_text,
    on_code_page,
    open_sign_in,
    signed_in,
    submit_password,
    wait_past_quick_login_check,
)

Contexts = Callable[..., BrowserContext]


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_five_wrong_codes_lock_the_account_like_five_wrong_passwords(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    sms_realm.add_user("wy3001", phone="+8613900003001")
    page = new_context().new_page()
    before = sms_realm.outbox.last_id()
    open_sign_in(page, sms_realm)
    submit_password(page, "wy3001")
    code = sms_realm.outbox.wait_for_code("+8613900003001", after=before)
    for attempt in range(1, 5):
        enter_code(page, wrong(code))
        assert f"还可再试 {5 - attempt} 次" in error_text(page)
        wait_past_quick_login_check()
    enter_code(page, wrong(code))
    screenshot(page, "fifth-wrong-code")
    wait_past_quick_login_check()

    # now even the right password and a new code do not get in: the account is locked like after 5 bad passwords
    page2 = new_context().new_page()
    open_sign_in(page2, sms_realm)
    submit_password(page2, "wy3001")
    assert not on_code_page(page2)
    assert "暂时锁定" in page2.content()
    screenshot(page2, "locked-after-five-wrong-codes")


def test_a_new_code_cannot_be_asked_for_within_sixty_seconds(sms_realm: SmsRealm, new_context: Contexts) -> None:
    sms_realm.add_user("wy3002", phone="+8613900003002")
    page = new_context().new_page()
    before = sms_realm.outbox.last_id()
    open_sign_in(page, sms_realm)
    submit_password(page, "wy3002")
    sms_realm.outbox.wait_for_code("+8613900003002", after=before)
    page.click("#wuye-code-resend")
    page.wait_for_load_state("domcontentloaded")
    assert "秒后再重新获取" in error_text(page)
    assert len(sms_realm.outbox.messages("+8613900003002")) == 1, "no second SMS within the cool-down"
    screenshot(page, "resend-cool-down")

    # a fresh sign-in (new authentication session) is held to the same per-account cool-down
    other = new_context().new_page()
    open_sign_in(other, sms_realm)
    submit_password(other, "wy3002")
    assert "秒后再重新获取" in error_text(other)
    assert len(sms_realm.outbox.messages("+8613900003002")) == 1


def test_an_account_without_a_mobile_gets_the_code_by_email_and_is_told_so(
    sms_realm: SmsRealm, new_context: Contexts, smtp_sink: SmtpSink
) -> None:
    sms_realm.add_user("wy3003", email="no.mobile@example.com")
    page = new_context().new_page()
    open_sign_in(page, sms_realm)
    submit_password(page, "wy3003")
    assert on_code_page(page)
    assert "未绑定手机号" in page.inner_text("#wuye-notice")
    assert "n***@example.com" in page.inner_text("#wuye-code-destination")
    screenshot(page, "no-mobile-email-fallback")
    code = wait_for_mail_code(smtp_sink, "no.mobile@example.com")
    enter_code(page, code)
    assert signed_in(page, sms_realm)


def test_a_failing_sms_gateway_says_so_and_never_hangs(sms_realm: SmsRealm, new_context: Contexts) -> None:
    sms_realm.add_user("wy3004", phone="+8613900003004")
    sms_realm.outbox.state.delay_s = 5.0  # slower than the realm's 3 s timeout
    try:
        page = new_context().new_page()
        open_sign_in(page, sms_realm)
        started = time.monotonic()
        submit_password(page, "wy3004")
        elapsed = time.monotonic() - started
    finally:
        sms_realm.outbox.state.delay_s = 0.0
    assert "短信发送失败,请稍后重试或联系管理员" in page.content()
    assert elapsed < 10, f"the page took {elapsed:.1f} s"
    screenshot(page, "sms-gateway-failed")


def wait_for_mail_code(sink: SmtpSink, to: str, timeout_s: float = 30.0) -> str:
    import re

    mail = sink.wait_for(to, timeout=timeout_s)
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", mail.body)
    assert found, f"no code in the mail to {to}"
    return found.group(1)


def test_one_network_cannot_ask_for_codes_for_many_accounts(realm_factory, sms_outbox, new_context: Contexts) -> None:  # type: ignore[no-untyped-def]
    from tests.extension.conftest import make_sms_realm

    realm = make_sms_realm(realm_factory, sms_outbox)
    current = realm.realm.admin().get_realm(realm.name)
    realm.update_realm(attributes={**(current.get("attributes") or {}), "wuyeSmsMaxPerIpPerHour": "2"})
    for n in (1, 2, 3):
        realm.add_user(f"wy350{n}", phone=f"+86139000035{n:02d}")
    for n in (1, 2):
        page = new_context().new_page()
        open_sign_in(page, realm)
        submit_password(page, f"wy350{n}")
        assert on_code_page(page) and not error_text(page)
    page = new_context().new_page()
    open_sign_in(page, realm)
    submit_password(page, "wy3503")
    assert "当前网络获取验证码次数过多" in error_text(page)
    assert not sms_outbox.messages("+8613900003503")
    screenshot(page, "per-ip-cap")


def test_an_expired_code_is_refused_with_what_to_do_next(realm_factory, sms_outbox, new_context: Contexts) -> None:  # type: ignore[no-untyped-def]
    from tests.extension.conftest import make_sms_realm

    realm = make_sms_realm(realm_factory, sms_outbox)
    current = realm.realm.admin().get_realm(realm.name)
    realm.update_realm(attributes={**(current.get("attributes") or {}), "wuyeCodeValiditySeconds": "2"})
    realm.add_user("wy3601", phone="+8613900003601")
    page = new_context().new_page()
    before = sms_outbox.last_id()
    open_sign_in(page, realm)
    submit_password(page, "wy3601")
    code = sms_outbox.wait_for_code("+8613900003601", after=before)
    time.sleep(3)
    enter_code(page, code)
    assert "验证码已过期" in error_text(page) and "重新获取验证码" in error_text(page)
    screenshot(page, "expired-code")

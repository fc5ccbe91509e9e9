"""The help desk's SMS buttons end to end: the click queues, Keycloak's drain sends exactly one SMS to the dev outbox.

The realm sends through the dev outbox (``wuyeSmsSender=dev-outbox``); the drain runs every second inside Keycloak
(branch act-kc). Each test counts the person's SMS by purpose, then lets the drain run a few more rounds to show
that no second one follows; then the person uses the SMS on the real sign-in page (activation, or 忘记密码 with the help
desk's code) and the help desk sees them activated.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from devstack.sms_outbox import SmsOutbox, code_of
from sso import catalog
from sso.workbench.helpdesk import activation
from tests.activation.pages import activate_with_code
from tests.extension.conftest import SmsRealm, sms_outbox
from tests.extension.flows import LOGIN_FORM, enter_code
from tests.helpdesk.browsing import audit_lines, browser, new_page, sign_in
from tests.helpdesk.conftest import Desk, ms_ago
from tests.security.attacks import choose_new_password, start_reset
from tests.workbench.browser_login import screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "new_page", "sms_outbox"]  # fixtures

#: The drain runs every second; a few rounds more show that nothing is sent twice.
QUIET_S = 4.0


@pytest.fixture(scope="module")
def sms_desk(make_desk: Callable[[], Desk], sms_outbox: SmsOutbox) -> Desk:
    """A help desk whose realm sends its SMS to the test outbox."""
    desk = make_desk()
    admin = desk.realm.admin()
    attributes = dict(admin.get_realm(desk.realm.name).get("attributes") or {})
    attributes.update(
        {"wuyeSmsSender": "dev-outbox", "wuyeSmsOutboxUrl": sms_outbox.url, "wuyeSmsTimeoutMillis": "3000"}
    )
    admin.update_realm(desk.realm.name, {"attributes": attributes})
    return desk


def messages(outbox: SmsOutbox, desk: Desk, phone: str, purpose: str) -> list[dict[str, Any]]:
    return [m for m in outbox.messages(phone) if m.get("realm") == desk.realm.name and m.get("purpose") == purpose]


def wait_for(outbox: SmsOutbox, desk: Desk, phone: str, purpose: str, timeout_s: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while not (found := messages(outbox, desk, phone, purpose)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no {purpose} SMS to the person within {timeout_s} s")
        time.sleep(0.2)
    return found[0]


def press(page: Page, action: str, reason: str) -> None:
    page.click(f"a.action[data-action='{action}']")
    page.fill("#reason", reason)
    page.click("#confirm")
    expect(page.locator("#done")).to_have_attribute("data-action", action)


def test_resend_activation_puts_exactly_one_new_activation_sms_in_the_outbox(
    new_page: Callable[[], Page], sms_desk: Desk, sms_outbox: SmsOutbox
) -> None:
    desk = sms_desk
    it, it_password = desk.it_staff()
    phone = "+8613700001111"
    long_ago = ms_ago(3)  # the first SMS left days ago: no 60 s spacing applies
    username, user_id = desk.joiner(
        name=("邹", "补发"),
        queue=catalog.ACTIVATION_SENT,
        phone=phone,
        **{activation.SENT_AT_ATTRIBUTE: long_ago},
    )
    page = new_page()
    sign_in(page, desk, it, it_password, f"/accounts/people/{user_id}")
    assert messages(sms_outbox, desk, phone, "activation") == []
    press(page, "resend-activation", "本人说没收到短信")
    sms = wait_for(sms_outbox, desk, phone, "activation")
    time.sleep(QUIET_S)
    assert len(messages(sms_outbox, desk, phone, "activation")) == 1, "the person got two activation SMS"
    assert messages(sms_outbox, desk, phone, "reset-code") == []
    assert username in sms["text"] and "首次登录" in sms["text"]
    assert "http" not in sms["text"] and not re.search(r"\b\d{6}\b", sms["text"]), "a link or a code in the SMS"
    attributes = desk.attributes(user_id)
    assert attributes[catalog.ACTIVATION_ATTRIBUTE] == [catalog.ACTIVATION_SENT]
    assert int(attributes[activation.SENT_AT_ATTRIBUTE][0]) > int(long_ago)
    page.reload()
    expect(page.locator("#activation")).to_have_attribute("data-state", "sent")
    screenshot(page, "helpdesk-resend-activation-sent")
    assert not any(phone in str(line) or sms["text"] in str(line) for line in audit_lines(desk))

    person = new_page()  # the person follows the SMS: 首次登录 / 激活账号 on the real sign-in page
    activate_with_code(person, SmsRealm(desk.realm, sms_outbox), username, phone)
    choose_new_password(person)
    page.reload()
    expect(page.locator("#activation")).to_have_attribute("data-state", "activated")
    expect(page.locator("#activation")).to_contain_text("已激活(20")  # with the time Keycloak recorded
    expect(page.locator("a.action[data-action='resend-activation']")).to_have_count(0)
    screenshot(page, "helpdesk-resend-activation-activated")


def test_send_reset_code_puts_exactly_one_reset_code_sms_in_the_outbox(
    new_page: Callable[[], Page], sms_desk: Desk, sms_outbox: SmsOutbox
) -> None:
    desk = sms_desk
    it, it_password = desk.it_staff()
    phone = "+8613700002222"
    username, _, user_id = desk.person(name=("苏", "忘密"), phone=phone)
    page = new_page()
    sign_in(page, desk, it, it_password, f"/accounts/people/{user_id}")
    press(page, "send-reset-code", "忘记密码,已回拨核实")
    sms = wait_for(sms_outbox, desk, phone, "reset-code")
    time.sleep(QUIET_S)
    assert len(messages(sms_outbox, desk, phone, "reset-code")) == 1, "the person got two reset codes"
    assert messages(sms_outbox, desk, phone, "activation") == [], "an activated person got an activation SMS"
    assert username in sms["text"].lower() and "忘记密码" in sms["text"]
    attributes = desk.attributes(user_id)
    assert activation.RESET_CODE_REQUESTED_ATTRIBUTE not in attributes
    assert attributes[activation.RESET_CODE_SENT_AT_ATTRIBUTE]
    page.reload()
    expect(page.locator("#reset-code-sent")).to_be_visible()
    expect(page.locator("#reset-code-queued")).to_have_count(0)
    screenshot(page, "helpdesk-reset-code-sent")
    code = code_of(sms)
    assert code and not any(code in str(line) for line in audit_lines(desk)), "the code reached the audit log"

    person = new_page()  # the person follows the SMS: 忘记密码, the 工号, the help desk's code, a new password
    before = sms_outbox.last_id()
    start_reset(person, SmsRealm(desk.realm, sms_outbox), username)
    enter_code(person, code)
    choose_new_password(person)
    expect(person.locator(LOGIN_FORM)).to_be_visible()  # back on the sign-in page, signed in nowhere
    assert [m for m in sms_outbox.messages(phone) if m["id"] > before] == [], "忘记密码 sent a fresh code as well"
    page.goto(f"{desk.url}/accounts/people/{user_id}")
    expect(page.locator("#activation")).to_contain_text("已激活(20")  # wuyeActivatedAt from the reset

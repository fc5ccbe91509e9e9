"""Issue 13.2: a joiner with no password activates on the real login page, through Chromium.

首次登录 / 激活账号 → 工号 or mobile (any spelling) → the SMS code → a password under the realm policy → the sign-in
page; then the first real sign-in, with the SMS step on a new device, and TOTP enrolment for a privileged post.
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext

from tests.activation.drain import sent, wait_until
from tests.activation.pages import ACTIVATE_LINK, activate_with_code
from tests.extension.conftest import SmsRealm, screenshot
from tests.extension.flows import (
    LOGIN_FORM,
    enter_code,
    error_text,
    on_code_page,
    open_sign_in,
    signed_in,
    submit_password,
)
from tests.security.attacks import NEW_PASSWORD, TOTP_ENROLMENT, choose_new_password
from tests.support.activation_users import ACTIVATION, Joiner, attributes_of, queue_joiner

Contexts = Callable[..., BrowserContext]


def _joiner_told(realm: SmsRealm, joiner: Joiner) -> str:
    """Queues the joiner and waits for their activation SMS (the drain's); returns the account id."""
    user_id = queue_joiner(realm.realm, joiner)
    wait_until(lambda: bool(sent(realm.outbox, realm.name, to=joiner.phone)), "the activation SMS")
    assert attributes_of(realm.realm, user_id).get(ACTIVATION) == ["sent"]
    return user_id


def _first_sign_in(page_context: BrowserContext, realm: SmsRealm, identifier: str, phone: str) -> None:
    """The new password, then (a new device) the SMS code; stops wherever Keycloak goes next."""
    page = page_context.pages[-1]
    before = realm.outbox.last_id()
    open_sign_in(page, realm)
    submit_password(page, identifier, NEW_PASSWORD)
    assert on_code_page(page), f"a new device is asked for the SMS code: {page.url} {error_text(page)}"
    enter_code(page, realm.outbox.wait_for_code(phone, after=before))


def test_a_joiner_activates_by_sms_and_signs_in_with_the_new_password(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    joiner = Joiner("wy7301", "+8613900007301")
    user_id = _joiner_told(sms_realm, joiner)
    context = new_context()
    page = context.new_page()

    open_sign_in(page, sms_realm)
    assert "首次登录 / 激活账号" in page.locator(ACTIVATE_LINK).inner_text()
    activate_with_code(page, sms_realm, "139-0000-7301", joiner.phone)  # the mobile, typed as people type it
    code_sms = [m for m in sms_realm.outbox.messages(joiner.phone) if m.get("purpose") == "reset"]
    assert code_sms and "激活账号" in code_sms[-1]["text"], "the code SMS says what it is for"
    page.wait_for_selector("#password-new")
    page.fill("#password-new", "short1")
    page.fill("#password-confirm", "short1")
    page.click("[type=submit]")
    page.wait_for_selector("#password-new")
    assert "10" in error_text(page), f"the realm policy applies: {error_text(page)}"
    choose_new_password(page)
    screenshot(page, "activation-done")

    assert page.locator(LOGIN_FORM).count() == 1, "activation ends on the sign-in page"
    assert "账号已激活" in page.content()
    assert sms_realm.realm.admin().get_sessions(user_id) == [], "activation signed nobody in"
    attributes = attributes_of(sms_realm.realm, user_id)
    assert ACTIVATION not in attributes, attributes
    assert int(attributes["wuyeActivatedAt"][0]) > 0

    _first_sign_in(context, sms_realm, joiner.username, joiner.phone)
    assert signed_in(page, sms_realm), f"not signed in: {error_text(page)}"


def test_a_privileged_joiner_enrols_totp_at_the_first_real_sign_in(sms_realm: SmsRealm, new_context: Contexts) -> None:
    joiner = Joiner("wy7302", "+8613900007302", roles=("staff", "admin"), required_actions=("CONFIGURE_TOTP",))
    user_id = _joiner_told(sms_realm, joiner)
    context = new_context()
    page = context.new_page()

    activate_with_code(page, sms_realm, joiner.username, joiner.phone)
    page.wait_for_selector(f"#password-new, {TOTP_ENROLMENT}")
    assert page.locator(TOTP_ENROLMENT).count() == 0, "activation never offers to enrol an authenticator app"
    choose_new_password(page)
    assert page.locator(LOGIN_FORM).count() == 1
    assert "CONFIGURE_TOTP" in sms_realm.realm.admin().get_user(user_id)["requiredActions"]

    _first_sign_in(context, sms_realm, joiner.username, joiner.phone)
    page.wait_for_selector(TOTP_ENROLMENT)
    screenshot(page, "activation-privileged-totp")

"""Issue 11.4: every sign-out-everywhere forgets every trusted browser (cookie ``WUYE_TRUSTED_DEVICE``).

Someone who lost a phone or left a shared office PC signed in uses "sign out of all devices"; a browser the thief
holds must then be asked for a code again, whichever way the sign-out was done.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import BrowserContext

from tests.extension.conftest import SmsRealm, screenshot
from tests.extension.flows import error_text, forget_sso_session, open_sign_in, signed_in, submit_password
from tests.security.attacks import asked_for_a_code, trusted_browser
from tests.security.conftest import SmsWorkbench

Contexts = Callable[..., BrowserContext]


def _eventually(check: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    """The console signs out in the background of its page: wait for Keycloak to have done it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_signing_out_everywhere_in_the_account_console_forgets_every_trusted_browser(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    sms_realm.add_user("wy5701", phone="+8613900005701")
    thief_context = new_context()
    thief = trusted_browser(thief_context, sms_realm, "wy5701", "+8613900005701")
    # the owner's own browser is trusted too (the same cookie: one SMS a minute per account keeps the test short)
    owner_context = new_context(locale="en")
    owner_context.add_cookies([c for c in thief_context.cookies() if c["name"] == "WUYE_TRUSTED_DEVICE"])  # type: ignore[misc]
    owner = owner_context.new_page()
    open_sign_in(owner, sms_realm)
    submit_password(owner, "wy5701")
    assert signed_in(owner, sms_realm), "precondition: the owner's trusted browser signs in without a code"
    owner.goto(f"{sms_realm.account_url}account-security/device-activity")
    owner.get_by_role("button", name="Sign out all devices").click()
    owner.get_by_role("dialog").get_by_role("button", name="Confirm").click()
    owner.wait_for_load_state("domcontentloaded")
    screenshot(owner, "account-console-signed-out-all-devices")
    user_id = str(sms_realm.realm.admin().get_user_id("wy5701"))
    assert _eventually(lambda: sms_realm.realm.admin().get_sessions(user_id) == []), "sessions survived"
    assert asked_for_a_code(thief, sms_realm, "wy5701"), f"the thief's browser is still trusted: {error_text(thief)}"
    owner = forget_sso_session(owner_context)
    assert asked_for_a_code(owner, sms_realm, "wy5701"), "every trusted browser is forgotten, the owner's too"


def test_an_admin_sign_out_forgets_every_trusted_browser(sms_realm: SmsRealm, new_context: Contexts) -> None:
    user_id = sms_realm.add_user("wy5702", phone="+8613900005702")
    thief = trusted_browser(new_context(), sms_realm, "wy5702", "+8613900005702")
    # IT's "sign out" of the user, which is also what provisioning does for a leaver (POST /users/{id}/logout)
    sms_realm.realm.admin().user_logout(user_id)
    assert asked_for_a_code(thief, sms_realm, "wy5702"), f"the thief's browser is still trusted: {error_text(thief)}"


def test_forgetting_my_devices_in_the_workbench_forgets_every_trusted_browser(
    sms_workbench: SmsWorkbench, new_context: Contexts
) -> None:
    realm = sms_workbench.realm
    realm.add_user("wy5703", phone="+8613900005703")
    thief_context = new_context()
    thief = trusted_browser(thief_context, realm, "wy5703", "+8613900005703")
    # the owner signs in to the workbench on a trusted browser (no code) and presses 忘记已信任的设备
    owner_context = new_context()
    owner_context.add_cookies([c for c in thief_context.cookies() if c["name"] == "WUYE_TRUSTED_DEVICE"])  # type: ignore[misc]
    owner = owner_context.new_page()
    owner.goto(f"{sms_workbench.url}/auth/login")
    submit_password(owner, "wy5703")
    owner.wait_for_selector("body[data-page=home]")
    owner.click("#forget-devices")
    owner.wait_for_selector("body[data-page=devices-forgotten]")
    screenshot(owner, "workbench-devices-forgotten")
    user_id = str(realm.realm.admin().get_user_id("wy5703"))
    assert realm.realm.admin().get_sessions(user_id) == [], "every session ended"
    assert asked_for_a_code(thief, realm, "wy5703"), f"the thief's browser is still trusted: {error_text(thief)}"

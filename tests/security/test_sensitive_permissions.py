"""Issue 11.3: every path to a sensitive permission carries the always-asked second factor (``mfa-required``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from sso import catalog
from tests.extension.conftest import SmsRealm, screenshot
from tests.extension.flows import error_text
from tests.security.attacks import asked_for_a_code, trusted_browser

Contexts = Callable[..., BrowserContext]


def _grant_by_hand(realm: SmsRealm, user_id: str, permission: str) -> None:
    admin = realm.realm.admin()
    client_id = str(admin.get_client_id(catalog.WORKBENCH_CLIENT_ID))
    admin.assign_client_role(user_id, client_id, [admin.get_client_role(client_id, permission)])


def test_a_finance_permission_granted_by_hand_is_still_asked_for_the_second_factor(
    sms_realm: SmsRealm, new_context: Contexts
) -> None:
    user_id = sms_realm.add_user("wy5501", phone="+8613900005501")
    context = new_context()
    page = trusted_browser(context, sms_realm, "wy5501", "+8613900005501")
    _grant_by_hand(sms_realm, user_id, "report.finance")
    assert asked_for_a_code(page, sms_realm, "wy5501"), f"the trusted browser skipped the code: {error_text(page)}"
    screenshot(page, "finance-permission-by-hand-asked-for-code")
    assert page.locator("#trustDevice").count() == 0, "no 'trust this browser' for a sensitive permission"


@pytest.mark.parametrize("permission", sorted(catalog.SENSITIVE_PERMISSIONS))
def test_every_sensitive_permission_granted_by_hand_carries_the_second_factor_role(
    sms_realm: SmsRealm, permission: str
) -> None:
    user_id = sms_realm.add_user(f"wy56{sorted(catalog.SENSITIVE_PERMISSIONS).index(permission):02d}")
    _grant_by_hand(sms_realm, user_id, permission)
    effective = {r["name"] for r in sms_realm.realm.admin().get_composite_realm_roles_of_user(user_id)}
    assert catalog.MFA_REQUIRED_ROLE in effective, permission

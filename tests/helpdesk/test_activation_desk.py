"""The help desk's side of activation by SMS, in Chromium: the two SMS actions, 激活状态, the never-activated list.

The actions only set the attribute Keycloak's drain reads (activation contract); each test reads it back through
the master admin, not through the help desk. Screenshots go to ``test-artifacts/workbench/helpdesk-*.png``.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from sso import catalog
from sso.audit_chain import verify
from sso.workbench.helpdesk import activation
from sso.workbench.helpdesk.keycloak_api import attribute_update
from tests.helpdesk.browsing import audit_lines, browser, new_page, sign_in
from tests.helpdesk.conftest import Desk, ms_ago
from tests.workbench.browser_login import screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "new_page"]  # fixtures

QUEUE = catalog.ACTIVATION_ATTRIBUTE


def last_audit(desk: Desk, user_id: str) -> dict[str, object]:
    return [r for r in audit_lines(desk) if r.get("user_id") == user_id][-1]


def disable(desk: Desk, user_id: str) -> None:
    admin = desk.realm.admin()
    user = admin.get_user(user_id)
    keep = {k: user[k] for k in ("username", "firstName", "lastName", "email", "attributes") if k in user}
    admin.update_user(user_id, {**keep, "enabled": False})


def test_resend_activation_queues_the_sms_again_after_a_confirmation_and_writes_the_audit_line(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    it, it_password = desk.it_staff()
    sent_at = ms_ago(3)
    username, user_id = desk.joiner(
        name=("林", "新"), queue=catalog.ACTIVATION_SENT, **{activation.SENT_AT_ATTRIBUTE: sent_at}
    )
    admin = desk.realm.admin()  # a privileged joiner: the write-back must not drop the enrolment it still owes
    admin.update_user(user_id, {**attribute_update(admin.get_user(user_id), {}), "requiredActions": ["CONFIGURE_TOTP"]})
    before = admin.get_user(user_id)
    page = new_page()
    sign_in(page, desk, it, it_password, f"/accounts/people/{user_id}")
    expect(page.locator("#activation")).to_have_attribute("data-state", "sent")
    expect(page.locator("#activation")).to_contain_text("已发送激活短信")
    expect(page.locator("[data-finding='not-activated']")).to_contain_text("首次登录 / 激活账号")
    page.click("a.action[data-action='resend-activation']")
    expect(page.locator("#confirm-title")).to_contain_text("重发激活短信")
    expect(page.locator("main")).to_contain_text("60 秒")
    page.fill("#reason", "本人来电:短信误删")
    page.click("#confirm")
    expect(page.locator("#done")).to_have_attribute("data-action", "resend-activation")
    expect(page.locator("#done")).to_contain_text("已排队")
    expect(page.locator("#activation")).to_have_attribute("data-state", "pending")
    screenshot(page, "helpdesk-resend-activation")
    after = admin.get_user(user_id)
    assert after["attributes"][QUEUE] == [catalog.ACTIVATION_PENDING]
    before["attributes"].pop(QUEUE), after["attributes"].pop(QUEUE)
    assert after == before, "the help desk changed more than the queue attribute"
    assert after["requiredActions"] == ["CONFIGURE_TOTP"]
    line = last_audit(desk, user_id)
    assert line["action"] == "resend-activation" and line["outcome"] == "done" and line["operator"] == it.upper()
    assert line["reason"] == "本人来电:短信误删" and line["target"] == username
    assert verify(desk.audit_log).intact


def test_send_reset_code_queues_a_code_for_the_persons_own_mobile_and_never_touches_the_password(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    it, it_password = desk.it_staff()
    username, _, user_id = desk.person(name=("何", "芳"), phone="+8613800001234")
    passwords_before = desk.realm.admin().get_credentials(user_id)
    page = new_page()
    sign_in(page, desk, it, it_password, f"/accounts/people/{user_id}")
    expect(page.locator("#activation")).to_have_attribute("data-state", "activated")
    page.click("a.action[data-action='send-reset-code']")
    expect(page.locator("#confirm-title")).to_contain_text("发送重置验证码")
    for said in ("忘记密码", "工号", "帮助台看不到"):
        expect(page.locator("main")).to_contain_text(said)
    page.fill("#reason", "忘记密码,已核对身份")
    clicked = int(time.time() * 1000)
    page.click("#confirm")
    expect(page.locator("#done")).to_have_attribute("data-action", "send-reset-code")
    expect(page.locator("#done")).to_contain_text("忘记密码")
    expect(page.locator("#reset-code-queued")).to_be_visible()
    screenshot(page, "helpdesk-send-reset-code")
    requested = desk.attributes(user_id)[activation.RESET_CODE_REQUESTED_ATTRIBUTE]
    assert clicked - 5_000 <= int(requested[0]) <= int(time.time() * 1000)
    assert QUEUE not in desk.attributes(user_id), "a reset code must not queue an activation SMS"
    assert desk.realm.admin().get_credentials(user_id) == passwords_before, "the help desk touched a credential"
    line = last_audit(desk, user_id)
    assert line["action"] == "send-reset-code" and line["outcome"] == "done" and line["target"] == username
    assert "code" not in {k.lower() for k in line} and requested[0] not in str(line)


def test_activation_status_on_the_person_page_for_pending_sent_activated_and_legacy_accounts(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    it, it_password = desk.it_staff()
    _, pending = desk.joiner(name=("甲", "排队"), queue=catalog.ACTIVATION_PENDING)
    _, sent = desk.joiner(
        name=("乙", "已发"), queue=catalog.ACTIVATION_SENT, **{activation.SENT_AT_ATTRIBUTE: "1764460800000"}
    )
    _, _, activated = desk.person(name=("丙", "激活"), phone="+8613800005678")
    desk.set_attributes(activated, {activation.ACTIVATED_AT_ATTRIBUTE: "1764547200000"})
    _, legacy = desk.joiner(name=("丁", "旧号"), queue=None)
    expected = {
        pending: ("pending", "激活短信排队中", True),
        sent: ("sent", "已发送激活短信(2025-11-30 08:00),尚未激活", True),
        activated: ("activated", "已激活(2025-12-01 08:00)", False),
        legacy: ("no-password", "旧账号,没有密码", True),
    }
    page = new_page()
    sign_in(page, desk, it, it_password)
    for user_id, (state, text, offered) in expected.items():
        page.goto(f"{desk.url}/accounts/people/{user_id}")
        expect(page.locator("#activation")).to_have_attribute("data-state", state)
        expect(page.locator("#activation")).to_contain_text(text)
        expect(page.locator("#activation-next")).not_to_be_empty()
        expect(page.locator("a.action[data-action='resend-activation']")).to_have_count(1 if offered else 0)
        expect(page.locator("[data-finding='not-activated']")).to_have_count(1 if offered else 0)
        screenshot(page, f"helpdesk-activation-{state}")
    page.goto(f"{desk.url}/lang/en")
    page.goto(f"{desk.url}/accounts/people/{sent}")
    expect(page.locator("#activation")).to_contain_text("Activation SMS sent")


def test_resend_activation_is_not_offered_once_activated_and_a_post_for_it_is_refused_and_audited(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    it, it_password = desk.it_staff()
    _, _, user_id = desk.person(name=("严", "谨"), phone="+8613800009999")
    _, _, no_mobile = desk.person(name=("马", "无机"))
    page = new_page()
    sign_in(page, desk, it, it_password, f"/accounts/people/{user_id}")
    expect(page.locator("button.unavailable[data-action='resend-activation']")).to_be_disabled()
    expect(page.locator("[data-refusal='resend-activation']")).to_contain_text("已激活")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    page.goto(f"{desk.url}/accounts/people/{user_id}/resend-activation")  # the confirmation says why, no form
    expect(page.locator("#refused")).to_have_attribute("data-refusal", "already activated")
    expect(page.locator("#confirm-form")).to_have_count(0)
    response = page.request.post(
        f"{desk.url}/accounts/people/{user_id}/resend-activation",
        form={"csrf_token": token or "", "reason": "stale page"},
        max_redirects=0,
    )
    assert response.status == 409
    assert QUEUE not in desk.attributes(user_id), "an activated person was queued for an activation SMS"
    line = last_audit(desk, user_id)
    assert line["outcome"] == "refused: already activated" and line["reason"] == "stale page"
    page.goto(f"{desk.url}/accounts/people/{no_mobile}")
    expect(page.locator("[data-refusal='send-reset-code']")).to_contain_text("手机号")
    response = page.request.post(
        f"{desk.url}/accounts/people/{no_mobile}/send-reset-code",
        form={"csrf_token": token or "", "reason": "forged"},
        max_redirects=0,
    )
    assert response.status == 409
    assert activation.RESET_CODE_REQUESTED_ATTRIBUTE not in desk.attributes(no_mobile)
    assert last_audit(desk, no_mobile)["outcome"] == "refused: no mobile"
    assert verify(desk.audit_log).intact


def test_a_forged_sms_action_post_without_admin_accounts_queues_nothing_and_is_audited(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    username, password = desk.stack.employee(rank="staff")
    _, joiner_id = desk.joiner(name=("吕", "新人"), queue=catalog.ACTIVATION_SENT)
    _, _, staff_id = desk.person(name=("韩", "梅"), phone="+8613800004321")
    page = new_page()
    sign_in(page, desk, username, password, "/")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for user_id, action in ((joiner_id, "resend-activation"), (staff_id, "send-reset-code")):
        response = page.request.post(
            f"{desk.url}/accounts/people/{user_id}/{action}",
            form={"csrf_token": token or "", "reason": "forged"},
            max_redirects=0,
        )
        assert response.status == 403
        line = last_audit(desk, user_id)
        assert line["action"] == action and line["outcome"] == "refused: no admin.accounts"
        assert line["operator"] == username.upper()
    assert desk.attributes(joiner_id)[QUEUE] == [catalog.ACTIVATION_SENT], "a forged post re-queued the SMS"
    assert activation.RESET_CODE_REQUESTED_ATTRIBUTE not in desk.attributes(staff_id), "a forged post queued a code"
    assert verify(desk.audit_log).intact


def test_the_never_activated_list_shows_queued_accounts_past_n_days_and_exports_formula_safe_csv(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    it, it_password = desk.it_staff()
    _, sent = desk.joiner(name=("-钱", "某"), queue=catalog.ACTIVATION_SENT)  # a spreadsheet formula
    _, pending = desk.joiner(name=("孔", "等"), queue=catalog.ACTIVATION_PENDING)
    _, left = desk.joiner(name=("曹", "离"), queue=catalog.ACTIVATION_SENT)
    disable(desk, left)
    _, _, activated = desk.person(name=("彭", "好"), phone="+8613800007777")
    page = new_page()
    sign_in(page, desk, it, it_password)
    expect(page.locator("#lists a[data-list='never-activated']")).to_contain_text("未激活")
    page.goto(f"{desk.url}/accounts/lists/never-activated?days=0")
    for user_id, shown in ((sent, 1), (pending, 1), (left, 0), (activated, 0)):
        expect(page.locator(f"#list-rows tr[data-user-id='{user_id}']")).to_have_count(shown)
    expect(page.locator(f"#list-rows tr[data-user-id='{pending}']")).to_contain_text("短信排队中")
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][0].startswith("工号")
    by_name = {r[1]: r for r in rows[1:]}
    assert "'-钱某" in by_name and "短信已发送" in by_name["'-钱某"][4], rows
    assert not any(r[1].startswith(("=", "-", "+", "@")) for r in rows[1:])
    page.goto(f"{desk.url}/accounts/lists/never-activated?days=30")  # all of them were created today
    for user_id in (sent, pending):
        expect(page.locator(f"#list-rows tr[data-user-id='{user_id}']")).to_have_count(0)
    screenshot(page, "helpdesk-never-activated")

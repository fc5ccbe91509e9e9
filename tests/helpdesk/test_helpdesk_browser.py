"""The IT help desk in Chromium: find, explain, unlock, sign out everywhere, reset 2FA, lists, and every refusal.

Each test leaves a screenshot in ``test-artifacts/workbench/helpdesk-*.png``.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page, expect

from devstack.form_login import FormLogin, LoginPage, loopback_client
from sso.audit_chain import AuditChain, verify
from tests.helpdesk.browsing import TOTP_SECRETS, audit_lines, browser, new_page, sign_in
from tests.helpdesk.conftest import Desk
from tests.support.oidc_login import authorize_url, pkce_pair, workbench_tokens
from tests.workbench.browser_login import screenshot, submit_credentials

pytestmark = pytest.mark.browser
__all__ = ["browser", "new_page"]  # fixtures


def fail_sign_in(desk: Desk, username: str, times: int) -> None:
    """Wrong passwords on the real login form (back to back: Keycloak's quick-login check locks at once)."""
    with loopback_client() as client:
        for _ in range(times):
            _verifier, challenge = pkce_pair()
            flow = FormLogin(client, desk.realm.endpoint.base_url)
            step = flow.open(authorize_url(desk.realm, challenge, "s"))
            assert isinstance(step, LoginPage)
            flow.submit(username=username, password="Wrong-password-1", credentialId="")


def test_it_finds_a_person_by_employee_no_any_mobile_format_partial_chinese_name_and_email(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    it, it_password = desk.it_staff()
    username, _, user_id = desk.person(name=("欧阳", "秀英"), phone="+8613912345678", email=True)
    page = new_page()
    sign_in(page, desk, it, it_password)
    expect(page.locator("#account-search")).to_be_visible()
    for typed in (
        username.upper(),
        "139 1234 5678",
        "+86-139-1234-5678",
        "008613912345678",
        "秀英",
        f"{username.upper()}@EXAMPLE.COM",
    ):
        page.fill("#q", typed)
        page.click("#search")
        expect(page.locator(f"#results tr[data-user-id='{user_id}']")).to_have_count(1)
    page.fill("#q", "13900000000")
    page.click("#search")
    expect(page.locator("#no-results")).to_be_visible()
    screenshot(page, "helpdesk-search")


def test_a_locked_person_is_explained_and_unlocked_with_a_reason_that_is_audited(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    it, it_password = desk.it_staff()
    username, password, user_id = desk.person(name=("张", "伟"))
    fail_sign_in(desk, username, 3)
    page = new_page()
    sign_in(page, desk, it, it_password)
    page.goto(f"{desk.url}/accounts/lists/locked")
    expect(page.locator(f"#list-rows tr[data-user-id='{user_id}']")).to_have_count(1)
    page.goto(f"{desk.url}/accounts/people/{user_id}")
    expect(page.locator("[data-finding='locked']")).to_contain_text("锁定")
    expect(page.locator("#locked")).to_contain_text("是")
    expect(page.locator("#failures")).to_contain_text("密码错误")
    page.click("a.action[data-action='unlock']")
    expect(page.locator("#confirm-title")).to_contain_text("解锁")
    # the browser insists on a reason; a request without one is refused by the server too
    page.evaluate("document.querySelector('#reason').removeAttribute('required')")
    page.click("#confirm")
    expect(page.locator("#reason-missing")).to_be_visible()
    page.fill("#reason", "本人来电,已核对工号与手机号")
    page.click("#confirm")
    expect(page.locator("#done")).to_have_attribute("data-action", "unlock")
    expect(page.locator("#locked")).to_contain_text("否")
    screenshot(page, "helpdesk-unlocked")
    workbench_tokens(desk.realm, username, password)  # the person signs in again at once
    line = [r for r in audit_lines(desk) if r.get("user_id") == user_id][-1]
    assert line["action"] == "unlock" and line["outcome"] == "done" and line["operator"] == it.upper()
    assert line["reason"] == "本人来电,已核对工号与手机号" and line["target"] == username and line["time"]
    assert verify(desk.audit_log).intact


def test_sign_out_everywhere_ends_every_session_and_revokes_trusted_browsers(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    it, it_password = desk.it_staff()
    username, password, user_id = desk.person(name=("刘", "洋"))
    tokens = workbench_tokens(desk.realm, username, password)
    page = new_page()
    sign_in(page, desk, it, it_password, f"/accounts/people/{user_id}")
    expect(page.locator("#sessions")).to_contain_text("staff-workbench")
    expect(page.locator("#devices-revoked")).to_have_count(0)
    page.click("a.action[data-action='sign-out']")
    page.fill("#reason", "手机丢失")
    page.click("#confirm")
    expect(page.locator("#done")).to_have_attribute("data-action", "sign-out")
    expect(page.locator("#sessions-none")).to_be_visible()
    expect(page.locator("#devices-revoked")).to_be_visible()  # not-before moved: trusted-device cookies fail
    refreshed = httpx.post(
        f"{desk.realm.issuer}/protocol/openid-connect/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=("staff-workbench", desk.realm.settings.workbench_client_secret),
        timeout=30,
    )
    assert refreshed.status_code == 400, "the person's old session still refreshes"
    screenshot(page, "helpdesk-signed-out")


def test_reset_second_factor_removes_the_authenticator_and_the_person_enrols_again(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    it, it_password = desk.it_staff()
    username, password, user_id = desk.person(name=("陈", "静"), rank="manager")
    person_page = new_page()
    sign_in(person_page, desk, username, password, "/")  # a manager enrols TOTP at first sign-in
    assert username in TOTP_SECRETS
    page = new_page()
    sign_in(page, desk, it, it_password, f"/accounts/people/{user_id}")
    expect(page.locator("#second-factor")).to_contain_text("已绑定")
    page.click("a.action[data-action='reset-2fa']")
    page.fill("#reason", "换了新手机")
    page.click("#confirm")
    expect(page.locator("#second-factor")).to_contain_text("未绑定")
    expect(page.locator("[data-finding='no-second-factor']")).to_be_visible()
    types = [c["type"] for c in desk.realm.admin().get_credentials(user_id)]
    assert "otp" not in types and "password" in types
    again = new_page()
    again.goto(f"{desk.url}/")
    submit_credentials(again, username, password)
    expect(again.locator("#kc-totp-settings-form")).to_be_visible()  # asked to enrol again
    screenshot(page, "helpdesk-reset-2fa")


def test_daily_lists_show_the_right_people_and_export_formula_safe_csv(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    it, it_password = desk.it_staff()
    # Keycloak refuses "=" in names; a leading "-" is what a spreadsheet still reads as a formula
    hand_made, _ = desk.stack.employee(name=("-王", "某"))
    hand_made_id = desk.user_id(hand_made)
    _, _, manager_id = desk.person(name=("王", "经理"), rank="manager")
    signed_in, signed_in_password, signed_in_id = desk.person(name=("赵", "敏"))
    workbench_tokens(desk.realm, signed_in, signed_in_password)
    page = new_page()
    sign_in(page, desk, it, it_password)
    expect(page.locator("#lists a")).to_have_count(5)
    page.goto(f"{desk.url}/accounts/lists/unmanaged")
    expect(page.locator(f"#list-rows tr[data-user-id='{hand_made_id}']")).to_have_count(1)
    expect(page.locator(f"#list-rows tr[data-user-id='{manager_id}']")).to_have_count(0)
    with page.expect_download() as download:
        page.click("#export-csv")
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith("工号")
    names = [r[1] for r in rows[1:]]
    assert "'-王某" in names, names  # a formula stays text in Excel/WPS
    assert not any(n.startswith(("=", "-", "+", "@")) for n in names)
    page.goto(f"{desk.url}/accounts/lists/privileged-without-2fa")
    expect(page.locator(f"#list-rows tr[data-user-id='{manager_id}']")).to_have_count(1)
    page.goto(f"{desk.url}/accounts/lists/never-activated?days=0")  # passwords set by hand: not in the queue
    expect(page.locator(f"#list-rows tr[data-user-id='{manager_id}']")).to_have_count(0)
    time.sleep(1.1)
    page.goto(f"{desk.url}/accounts/lists/dormant?days=0")
    expect(page.locator(f"#list-rows tr[data-user-id='{signed_in_id}']")).to_have_count(1)
    screenshot(page, "helpdesk-list")


def test_the_person_page_shows_one_timeline_from_keycloak_provisioning_and_the_help_desk(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    it, it_password = desk.it_staff()
    username, password, user_id = desk.person(name=("孙", "丽"))
    workbench_tokens(desk.realm, username, password)  # a Keycloak login event
    with desk.provisioning_log.open("a", encoding="utf-8") as log:  # provisioning.audit.AuditLog's line shape
        log.write(
            json.dumps(
                {
                    "time": "2026-11-30T01:00:00.000+00:00",
                    "operator": "hr-sync as provisioner",
                    "realm": desk.realm.name,
                    "account": username,
                    "user_id": user_id,
                    "change": "join",
                    "target": "/departments/service",
                    "before": None,
                    "after": None,
                }
            )
            + "\n"
        )
    page = new_page()
    sign_in(page, desk, it, it_password, f"/accounts/people/{user_id}")
    page.click("a.action[data-action='sign-out']")  # a help-desk action and a Keycloak admin event
    page.fill("#reason", "离岗交接")
    page.click("#confirm")
    expect(page.locator("#done")).to_be_visible()
    for source in ("login", "admin", "provisioning", "helpdesk"):
        expect(page.locator(f"#timeline tr[data-source='{source}']").first).to_be_visible()
    expect(page.locator("#roster-decides")).to_contain_text("花名册")
    expect(page.locator("#roster-rank")).to_have_text("普通员工")
    expect(page.locator(".coming-soon")).to_have_count(0)  # every action is built
    expect(page.locator("[data-refusal='resend-activation']")).to_contain_text("已激活")
    screenshot(page, "helpdesk-timeline")


def test_a_staff_member_opening_the_help_desk_sees_the_no_permission_page(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    username, password = desk.stack.employee(rank="staff", departments=("service",))
    page = new_page()
    sign_in(page, desk, username, password)
    expect(page.locator("#forbidden-title")).to_contain_text("无权限")
    expect(page.locator("#missing-permission")).to_contain_text("admin.accounts")
    _, _, target = desk.person(name=("周", "杰"))
    page.goto(f"{desk.url}/accounts/people/{target}")
    expect(page.locator("#forbidden-title")).to_be_visible()
    page.goto(f"{desk.url}/accounts/lists/locked?format=csv")
    expect(page.locator("#forbidden-title")).to_be_visible()
    screenshot(page, "helpdesk-forbidden")


def test_a_forged_action_post_without_the_permission_is_refused_and_audited(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    username, password = desk.stack.employee(rank="staff")
    victim, victim_password, victim_id = desk.person(name=("吴", "刚"))
    workbench_tokens(desk.realm, victim, victim_password)
    page = new_page()
    sign_in(page, desk, username, password, "/")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(
        f"{desk.url}/accounts/people/{victim_id}/sign-out",
        form={"csrf_token": token or "", "reason": "forged"},
        max_redirects=0,
    )
    assert response.status == 403
    assert len(desk.realm.admin().get_sessions(victim_id)) == 1, "the victim was signed out by a forged post"
    refused = [r for r in audit_lines(desk) if r.get("user_id") == victim_id]
    assert (
        refused
        and refused[-1]["outcome"] == "refused: no admin.accounts"
        and refused[-1]["operator"] == username.upper()
    )
    assert verify(desk.audit_log).intact


def test_a_help_desk_of_tenant_a_cannot_see_or_touch_tenant_b(
    new_page: Callable[[], Page], desk: Desk, make_desk: Callable[[], Desk]
) -> None:
    other = make_desk()
    b_user, b_password, b_id = other.person(name=("郑", "乙"))
    workbench_tokens(other.realm, b_user, b_password)
    it, it_password = desk.it_staff()
    page = new_page()
    sign_in(page, desk, it, it_password)
    page.fill("#q", b_user)
    page.click("#search")
    expect(page.locator("#no-results")).to_be_visible()
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    page.goto(f"{desk.url}/accounts/people/{b_id}")
    expect(page.locator("body")).to_have_attribute("data-page", "not-found")
    response = page.request.post(
        f"{desk.url}/accounts/people/{b_id}/sign-out",
        form={"csrf_token": token or "", "reason": "cross-tenant"},
        max_redirects=0,
    )
    assert response.status == 404
    assert len(other.realm.admin().get_sessions(b_id)) == 1, "tenant A's help desk signed out tenant B's employee"
    screenshot(page, "helpdesk-other-tenant")


def test_the_audit_chain_api_is_what_provisioning_can_call(desk: Desk) -> None:
    """The lead routes ``provisioning/audit.py``'s writes through ``AuditChain(path).append(record)``."""
    line = AuditChain(desk.audit_log).append({"operator": "hr-sync", "account": "wy0001", "change": "create"})
    assert line["seq"] and line["hash"] and verify(desk.audit_log).intact


def test_an_operator_whose_permission_was_just_removed_cannot_act_with_the_token_still_in_hand(
    new_page: Callable[[], Page], desk: Desk
) -> None:
    """Access tokens live 5 minutes: the action must ask Keycloak now, not trust the permission in the old token."""
    it, it_password = desk.it_staff()
    victim, victim_password, victim_id = desk.person(name=("钱", "多"))
    workbench_tokens(desk.realm, victim, victim_password)
    page = new_page()
    sign_in(page, desk, it, it_password, f"/accounts/people/{victim_id}/sign-out")
    expect(page.locator("#confirm-title")).to_be_visible()
    admin = desk.realm.admin()
    client_uuid = str(admin.get_client_id("staff-workbench"))
    admin.delete_client_roles_of_user(
        desk.user_id(it), client_uuid, [admin.get_client_role(client_uuid, "admin.accounts")]
    )
    page.fill("#reason", "moved to another job an hour ago")
    page.click("#confirm")
    expect(page.locator("#forbidden-title")).to_be_visible()
    assert len(admin.get_sessions(victim_id)) == 1, "a former help-desk member signed someone out"
    line = [r for r in audit_lines(desk) if r.get("user_id") == victim_id][-1]
    assert line["outcome"] == "refused: no admin.accounts" and line["operator"] == it.upper()
    screenshot(page, "helpdesk-permission-removed")

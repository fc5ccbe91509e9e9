"""The realm template, as Keycloak imported it, enforces the company's security policy."""

from __future__ import annotations

import time

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from keycloak.exceptions import KeycloakError

from devstack.form_login import FormLogin, LoginPage, loopback_client
from sso import catalog
from tests.support.oidc_login import authorize_url, pkce_pair, workbench_tokens
from tests.support.realms import TestRealm

GOOD_PASSWORD = "Wuye2026pass"


def test_discovery_and_jwks_are_served_with_the_issuer_the_workbench_expects(realm: TestRealm) -> None:
    discovery = httpx.get(f"{realm.issuer}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == realm.issuer
    assert "S256" in discovery["code_challenge_methods_supported"]
    assert discovery["end_session_endpoint"].startswith(realm.issuer)
    assert discovery["backchannel_logout_supported"] is True
    keys = httpx.get(discovery["jwks_uri"], timeout=10).json()["keys"]
    assert any(k["alg"] == "RS256" and k["use"] == "sig" for k in keys)


def test_a_weak_password_is_refused_by_the_policy(realm: TestRealm) -> None:
    admin = realm.admin()
    user_id = realm.create_user("wy1001abcd", email="weak1001@example.com")
    for weak, why in (
        ("short1a", "shorter than 10"),
        ("onlyletterslong", "no digit"),
        ("1234567890123", "no letter"),
        ("wy1001abcd", "is the username"),
        ("weak1001@example.com", "is the email"),
    ):
        with pytest.raises(KeycloakError) as refused:
            admin.set_user_password(user_id, weak, temporary=False)
        assert refused.value.response_code == 400, why
        assert b"invalidPassword" in refused.value.response_body or b"Invalid password" in refused.value.response_body
    admin.set_user_password(user_id, GOOD_PASSWORD, temporary=False)  # a compliant one is accepted


def test_five_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused(realm: TestRealm) -> None:
    realm.create_user("wy1002", GOOD_PASSWORD, email="lock@example.com")
    with loopback_client() as client:
        flow = FormLogin(client, realm.endpoint.base_url)
        _, challenge = pkce_pair()
        page = flow.open(authorize_url(realm, challenge, "s"))
        for attempt in range(5):
            assert isinstance(page, LoginPage)
            page = flow.submit(username="wy1002", password=f"Wrong{attempt}pass1", credentialId="")
            assert isinstance(page, LoginPage) and page.form_id == "kc-form-login"
            time.sleep(1.2)  # slower than quickLoginCheckMilliSeconds, so the 5-failure rule is what locks
        page = flow.submit(username="wy1002", password=GOOD_PASSWORD, credentialId="")
        assert isinstance(page, LoginPage), "a locked account must not sign in with the right password"
        assert page.form_id == "kc-form-login"
    status = (
        realm.admin()
        .connection.raw_get(
            f"admin/realms/{realm.name}/attack-detection/brute-force/users/{realm.admin().get_user_id('wy1002')}"
        )
        .json()
    )
    assert status["disabled"] is True and status["numFailures"] >= 5


def test_a_temporary_password_leads_to_the_update_password_step_at_first_login(realm: TestRealm) -> None:
    realm.create_user("wy1003", "Initial2026pw", temporary=True, email="first@example.com")
    with loopback_client() as client:
        flow = FormLogin(client, realm.endpoint.base_url)
        _, challenge = pkce_pair()
        flow.open(authorize_url(realm, challenge, "s"))
        page = flow.submit(username="wy1003", password="Initial2026pw", credentialId="")
        assert isinstance(page, LoginPage) and page.form_id == "kc-passwd-update-form"
        # the policy also applies on this page: a weak new password is refused there
        page = flow.submit(**{"password-new": "weak", "password-confirm": "weak"})
        assert isinstance(page, LoginPage) and page.form_id == "kc-passwd-update-form"
        left = flow.submit(**{"password-new": "Changed2026pw", "password-confirm": "Changed2026pw"})
        assert isinstance(left, httpx.Response) and "code=" in left.headers["location"]


def test_the_login_page_speaks_chinese_first(realm: TestRealm) -> None:
    with loopback_client() as client:
        _, challenge = pkce_pair()
        page = FormLogin(client, realm.endpoint.base_url).open(authorize_url(realm, challenge, "s"))
        assert isinstance(page, LoginPage)
        assert 'lang="zh-CN"' in page.text
        assert "登录" in page.text
        english = FormLogin(client, realm.endpoint.base_url).open(
            authorize_url(realm, challenge, "s", {"ui_locales": "en"})
        )
        assert isinstance(english, LoginPage) and "Sign in" in english.text


def test_the_workbench_access_token_carries_roles_permissions_groups_and_the_api_audience(realm: TestRealm) -> None:
    admin = realm.admin()
    site = admin.create_group(
        {"name": "lvyuan", "attributes": {"name_zh": ["绿园小区"]}}, parent=admin.get_group_by_path("/sites")["id"]
    )
    realm.create_user(
        "wy1004",
        GOOD_PASSWORD,
        realm_roles=("supervisor",),
        groups=("/departments/engineering",),
        email="eng@example.com",
        first_name="建国",
        last_name="李",
    )
    admin.group_user_add(admin.get_user_id("wy1004"), site)
    tokens = workbench_tokens(realm, "wy1004", GOOD_PASSWORD)
    keys = KeySet.import_key_set(httpx.get(f"{realm.issuer}/protocol/openid-connect/certs", timeout=10).json())
    access = jwt.decode(tokens["access_token"], keys).claims
    assert catalog.WORKORDER_API_CLIENT_ID in access["aud"]
    assert {"staff", "supervisor"} <= set(access["realm_access"]["roles"])
    assert "manager" not in access["realm_access"]["roles"]
    assert set(access["permissions"]) == {"workorder.view", "workorder.handle", "report.view"}
    assert "/departments/engineering" in access["groups"] and "/sites/lvyuan" in access["groups"]
    assert access["employee_no"] == "WY1004"
    assert access["display_name"] == "李建国"
    assert access["site_names"] == {"lvyuan": "绿园小区"}  # wuye-site-names-mapper: code → name_zh
    assert access["typ"] == "Bearer"
    assert access["exp"] - access["iat"] == 300  # 5-minute access tokens
    id_token = jwt.decode(tokens["id_token"], keys).claims
    assert id_token["aud"] == catalog.WORKBENCH_CLIENT_ID
    assert id_token["site_names"] == {"lvyuan": "绿园小区"}


def test_finance_staff_and_managers_are_asked_for_a_second_factor_but_engineers_are_not(realm: TestRealm) -> None:
    realm.create_user("wy1005", GOOD_PASSWORD, groups=("/departments/finance",), email="fin@example.com")
    realm.create_user("wy1006", GOOD_PASSWORD, realm_roles=("manager",), email="mgr@example.com")
    realm.create_user("wy1007", GOOD_PASSWORD, groups=("/departments/engineering",), email="e2@example.com")
    outcomes = {}
    for username in ("wy1005", "wy1006", "wy1007"):
        with loopback_client() as client:
            flow = FormLogin(client, realm.endpoint.base_url)
            _, challenge = pkce_pair()
            flow.open(authorize_url(realm, challenge, "s"))
            step = flow.submit(username=username, password=GOOD_PASSWORD, credentialId="")
            outcomes[username] = step.form_id if isinstance(step, LoginPage) else "signed-in"
    assert outcomes == {"wy1005": "kc-totp-settings-form", "wy1006": "kc-totp-settings-form", "wy1007": "signed-in"}

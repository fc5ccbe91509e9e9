"""Joiners, movers, leavers and re-hires, against the real Keycloak, through ``wuye-sso provision``."""

from __future__ import annotations

import csv
import json
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import yaml
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection

from devstack.form_login import FormLogin, LoginPage, authorization_code_login, loopback_client
from devstack.smtp_sink import SmtpSink
from sso import catalog
from sso.audit_chain import verify
from tests.provisioning.support import SITES, Provisioner, authorize_url, person
from tests.support.realms import TestRealm


def _one_time_passwords(provision: Provisioner) -> dict[str, str]:
    with provision.credentials_file.open(encoding="utf-8") as rows:
        return {row["username"]: row["one_time_password"] for row in csv.DictReader(rows)}


def _sign_in(provision: Provisioner, username: str, password: str, new_password: str | None = None) -> dict[str, str]:
    """A real form login (changing the password if asked); returns the token response."""
    url, verifier = authorize_url(provision)
    with loopback_client() as client:
        leaving = authorization_code_login(
            client, provision.realm.endpoint.base_url, url, username, password, new_password
        )
    code = parse_qs(urlparse(leaving.headers["location"]).query)["code"][0]
    tokens = httpx.post(
        f"{provision.realm.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": f"{provision.realm.settings.workbench_url}/auth/callback",
        },
        auth=(catalog.WORKBENCH_CLIENT_ID, provision.realm.settings.workbench_client_secret),
        timeout=30,
    )
    tokens.raise_for_status()
    return dict(tokens.json())


def test_joiners_get_accounts_with_roles_groups_and_required_actions(provision: Provisioner) -> None:
    roster = provision.roster(
        [
            person(1, "王小明"),
            person(2, "欧阳娜娜", rank="manager", departments=("finance",), sites=()),
            person(3, "李雷", rank="supervisor", departments=("engineering", "security"), sites=("songyuan", "hupan")),
        ]
    )
    run = provision("apply", roster)
    assert run.code == 0, run.err
    assert run.out["report"]["done"]["create"] == 3

    clerk = provision.user("WY0001")
    assert clerk["attributes"][catalog.PHONE_ATTRIBUTE] == ["+8613800010001"]
    assert clerk["attributes"][catalog.EMPLOYEE_NO_ATTRIBUTE] == ["WY0001"]
    assert clerk["attributes"][catalog.DISPLAY_NAME_ATTRIBUTE] == ["王小明"]
    assert clerk["attributes"][catalog.MANAGED_ATTRIBUTE] == ["true"]
    assert (clerk["lastName"], clerk["firstName"], clerk["email"]) == ("王", "小明", "wy0001@example.com")
    assert clerk["requiredActions"] == ["UPDATE_PASSWORD"]
    assert "staff" in provision.roles(clerk["id"])
    assert provision.groups(clerk["id"]) == {"/departments/service", "/sites/songyuan"}

    finance_manager = provision.user("WY0002")
    assert (finance_manager["lastName"], finance_manager["firstName"]) == ("欧阳", "娜娜")
    assert {"manager", catalog.RATE_EDITOR_ROLE} <= provision.roles(finance_manager["id"])
    assert sorted(finance_manager["requiredActions"]) == ["CONFIGURE_TOTP", "UPDATE_PASSWORD"]

    engineer = provision.user("WY0003")
    assert provision.groups(engineer["id"]) == {
        "/departments/engineering",
        "/departments/security",
        "/sites/songyuan",
        "/sites/hupan",
    }
    assert catalog.RATE_EDITOR_ROLE not in provision.roles(engineer["id"])

    site = provision.realm.admin().get_group_by_path("/sites/hupan")
    assert site["attributes"]["name_zh"] == ["湖畔花园"]
    lines = provision.audit_log.read_text(encoding="utf-8")
    assert any(json.loads(line)["change"] == "create" for line in lines.splitlines())
    assert "password" not in lines.replace("UPDATE_PASSWORD", "")
    assert verify(provision.audit_log).intact


def test_a_one_time_password_works_once_and_forces_a_change_at_the_login_page(provision: Provisioner) -> None:
    roster = provision.roster([person(11, "张三"), person(12, "李四")])
    assert provision("apply", roster).code == 0
    assert stat.S_IMODE(provision.credentials_file.stat().st_mode) == 0o600
    passwords = _one_time_passwords(provision)
    assert set(passwords) == {"wy0011", "wy0012"}
    rows = provision.credentials_file.read_text(encoding="utf-8").splitlines()[1:]
    assert sorted(row.split(",")[0] for row in rows) == ["wy0011", "wy0012"], "one row per joiner, none stale"
    for line in [*provision.runs[-1].err.splitlines(), str(provision.runs[-1].out)]:
        assert passwords["wy0011"] not in line, "a one-time password reached the output"
    assert passwords["wy0011"] not in provision.audit_log.read_text(encoding="utf-8")

    url, _ = authorize_url(provision)
    with loopback_client() as client:
        flow = FormLogin(client, provision.realm.endpoint.base_url)
        flow.open(url)
        step = flow.submit(username="wy0011", password=passwords["wy0011"], credentialId="")
        assert isinstance(step, LoginPage) and step.form_id == "kc-passwd-update-form", "no forced password change"
        new_password = "Sh1ny-New-Passw0rd"
        step = flow.submit(**{"password-new": new_password, "password-confirm": new_password})
        assert isinstance(step, httpx.Response) and "code=" in step.headers["location"]

    with loopback_client() as client:
        flow = FormLogin(client, provision.realm.endpoint.base_url)
        flow.open(authorize_url(provision)[0])
        again = flow.submit(username="wy0011", password=passwords["wy0011"], credentialId="")
        assert isinstance(again, LoginPage) and again.form_id != "kc-passwd-update-form", (
            "the one-time password worked twice"
        )

    second = provision("apply", roster)  # re-running never re-sets a password
    assert second.code == 0 and second.out["report"] is None
    assert _sign_in(provision, "wy0011", new_password)["access_token"]


def test_a_second_apply_of_the_same_roster_changes_nothing_and_writes_nothing(provision: Provisioner) -> None:
    people = [person(n, rank="supervisor" if n % 5 == 0 else "staff") for n in range(20, 45)]
    roster = provision.roster(people)
    assert provision("apply", roster).code == 0

    again = provision("apply", roster)
    assert again.code == 0
    assert again.out["summary"]["accounts"] == 0
    assert again.out["writes"] == 0
    assert again.out["read"]["mode"] == "incremental"
    assert again.out["read"]["attributes_read"] == 0
    assert again.out["requests"] < 40, f"{again.out['requests']} requests for 25 unchanged accounts: one per account?"


def test_a_mover_gets_exactly_the_difference_in_roles_groups_and_profile(provision: Provisioner) -> None:
    before = [
        person(51, "赵六"),
        person(52, "钱七", rank="supervisor", departments=("engineering",)),
        person(53, "孙八"),
        person(54, "周九"),
        person(55, "吴十"),
    ]
    assert provision("apply", provision.roster(before)).code == 0
    moved = provision.user("WY0052")
    provision.realm.admin().assign_realm_roles(
        moved["id"], [provision.realm.admin().get_realm_role(catalog.OWNER_ROLE)]
    )

    after = list(before)
    after[1] = person(52, "钱七七", rank="manager", departments=("finance",), sites=("hupan",), mobile="139-0000-0052")
    run = provision("apply", provision.roster(after))
    assert run.code == 0, run.err
    changes = (
        {(c["kind"], c["target"]) for c in run.out["plan"]["accounts"][0]["changes"]} if "plan" in run.out else None
    )
    del changes
    summary = run.out["summary"]
    assert summary["accounts"] == 1
    assert (summary["grant"], summary["revoke"], summary["join"], summary["leave"]) == (2, 1, 2, 2)

    user = provision.user("WY0052")
    assert user["id"] == moved["id"]
    assert user["attributes"][catalog.PHONE_ATTRIBUTE] == ["+8613900000052"]
    assert user["attributes"][catalog.DISPLAY_NAME_ATTRIBUTE] == ["钱七七"]
    assert user["firstName"] == "七七"
    roles = provision.roles(user["id"])
    assert {"manager", catalog.RATE_EDITOR_ROLE, catalog.OWNER_ROLE} <= roles and "supervisor" not in roles
    assert provision.groups(user["id"]) == {"/departments/finance", "/sites/hupan"}


def test_a_leaver_is_disabled_and_signed_out_and_a_rehire_gets_the_same_account_back(provision: Provisioner) -> None:
    staff = [person(n, "员工") for n in range(60, 70)]
    roster = provision.roster(staff)
    assert provision("apply", roster).code == 0
    password = _one_time_passwords(provision)["wy0060"]
    tokens = _sign_in(provision, "wy0060", password, new_password="Leaver-Passw0rd-1")
    leaver = provision.user("WY0060")
    admin = provision.realm.admin()
    assert admin.get_sessions(leaver["id"]), "the leaver should have a live session before the apply"

    run = provision("apply", provision.roster(staff[1:]))
    assert run.code == 0, run.err
    assert run.out["summary"]["disable"] == 1
    gone = provision.user("WY0060")
    assert gone["enabled"] is False
    assert admin.get_sessions(gone["id"]) == []
    refreshed = httpx.post(
        f"{provision.realm.issuer}/protocol/openid-connect/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=(catalog.WORKBENCH_CLIENT_ID, provision.realm.settings.workbench_client_secret),
        timeout=30,
    )
    assert refreshed.status_code == 400, "the leaver's refresh token still works"

    leaving = list(staff)
    leaving[1] = {**staff[1], "status": "离职"}
    run = provision("apply", provision.roster(leaving))
    assert run.code == 0 and run.out["summary"] == {**run.out["summary"], "disable": 1, "enable": 1}
    assert provision.user("WY0061")["enabled"] is False
    rehired = provision.user("WY0060")
    assert rehired["enabled"] is True and rehired["id"] == leaver["id"]
    assert rehired["createdTimestamp"] == leaver["createdTimestamp"]
    assert _sign_in(provision, "wy0060", "Leaver-Passw0rd-1")["access_token"], "the re-hire lost their password"


def test_accounts_provisioning_does_not_manage_are_never_touched(provision: Provisioner) -> None:
    vendor_id = provision.realm.create_user(
        "vendor-li", "Vend0r-Passw0rd", realm_roles=("staff",), groups=("/departments/engineering",)
    )
    squatter_id = provision.realm.create_user("wy0071", "Squatter-Passw0rd1", realm_roles=("owner",))
    people = [person(n) for n in range(70, 76)]
    run = provision("apply", provision.roster(people))
    assert run.code == 1, run.err  # the squatted username is a conflict, named at plan; the rest is applied
    assert [c.split(": ", 1)[1] for c in run.out["conflicts"]] == [
        "wy0071 wants username 'wy0071', held by wy0071 (unmanaged account, enabled)"
    ]
    assert run.out["report"]["done"]["create"] == 5 and run.out["report"]["skipped"] == []

    admin = provision.realm.admin()
    vendor = admin.get_user(vendor_id)
    assert vendor["enabled"] is True and catalog.MANAGED_ATTRIBUTE not in (vendor.get("attributes") or {})
    assert "staff" in provision.roles(vendor_id) and provision.groups(vendor_id) == {"/departments/engineering"}
    squatter = admin.get_user(squatter_id)
    assert (
        squatter["enabled"] is True
        and provision.roles(squatter_id) >= {"owner"}
        and "staff" not in provision.roles(squatter_id)
    )

    assert provision("apply", provision.roster(people[2:])).code == 0  # two leavers, none of them unmanaged
    assert admin.get_user(vendor_id)["enabled"] is True
    assert admin.get_user(squatter_id)["enabled"] is True


def test_invited_joiners_get_keycloak_s_actions_mail_instead_of_a_password(
    provision: Provisioner, smtp_sink: SmtpSink
) -> None:
    roster = provision.roster([person(81, "邀请"), person(82, "无邮箱", email=False)])
    run = provision("apply", roster, "--invite")
    assert run.code == 0, run.err
    assert run.out["report"]["invitations_sent"] == 1
    mail = smtp_sink.wait_for("wy0081@example.com")
    assert any("execute-actions" in link or "action-token" in link for link in mail.links())
    assert set(_one_time_passwords(provision)) == {"wy0082"}, "only the joiner without e-mail gets a password"
    assert provision.user("WY0081").get("credentials") in (None, [])


def test_a_tenant_without_a_realm_gets_one_from_the_template(
    realm_factory: Callable[..., TestRealm], tmp_path: Path
) -> None:
    template_realm = realm_factory()  # only for the endpoint and credentials; the roster names a new tenant
    tenant = f"new-{secrets.token_hex(4)}"
    provision = Provisioner(template_realm, tmp_path)
    roster = tmp_path / "new.yaml"
    roster.write_text(
        yaml.safe_dump(
            {
                "tenant": tenant,
                "company": "新物业 New Property",
                "sites": SITES,
                "staff": [person(91), person(92, rank="admin", departments=("administration",), sites=())],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    plan = provision("plan", roster, admin=True)
    assert plan.code == 2 and plan.out["plan"]["realm_exists"] is False
    run = provision("apply", roster, admin=True)
    assert run.code == 0, run.err
    admin = KeycloakAdmin(
        connection=KeycloakOpenIDConnection(
            server_url=template_realm.endpoint.base_url,
            username=template_realm.endpoint.admin_username,
            password=template_realm.endpoint.admin_password,
            realm_name=tenant,
            user_realm_name="master",
            client_id="admin-cli",
        )
    )
    try:
        assert admin.get_realm(tenant)["displayName"] == "新物业 New Property"
        assert {u["username"] for u in admin.get_users({})} >= {"wy0091", "wy0092"}
        assert provision("plan", roster, admin=True).code == 0
    finally:
        admin.delete_realm(tenant)


def test_a_site_renamed_in_the_roster_is_renamed_in_keycloak(provision: Provisioner) -> None:
    people = [person(n, sites=("hupan",)) for n in range(95, 98)]
    assert provision("apply", provision.roster(people)).code == 0
    renamed = [SITES[0], {"code": "hupan", "name": "湖畔花园二期"}]
    run = provision("apply", provision.roster(people, sites=renamed))
    assert run.code == 0 and run.out["summary"]["update-site"] == 1
    assert provision.realm.admin().get_group_by_path("/sites/hupan")["attributes"]["name_zh"] == ["湖畔花园二期"]
    again = provision("plan", provision.roster(people, sites=renamed))
    assert again.code == 0 and again.out["read"]["reason"] == "snapshot of the last apply plus events since"

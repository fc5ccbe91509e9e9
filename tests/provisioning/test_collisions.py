"""Collisions with accounts that already exist are caught at plan, with both sides named; one bad joiner never
takes its batch down; an employee-number change (原工号) keeps the same account; HR's e-mails are verified."""

from __future__ import annotations

from typing import Any

import httpx

from sso import catalog
from tests.provisioning.support import Provisioner, person


def _conflicts(run_out: dict[str, Any]) -> list[str]:
    return (
        [c.split(": ", 1)[1] for c in run_out["conflicts"]]
        if "conflicts" in run_out
        else [
            f"{c['username']} wants {c['field']} {c['value']!r}, held by {c['holder']} ({c['holder_kind']})"
            for c in run_out["plan"]["conflicts"]
        ]
    )


def test_a_fixed_employee_number_typo_is_a_conflict_at_plan_not_a_failed_batch(provision: Provisioner) -> None:
    """E0015 → E0115 (same person, same e-mail and mobile): plan names both sides and keeps the old account enabled."""
    people = [person(n) for n in range(10, 20)]
    assert provision("apply", provision.roster(people)).code == 0
    fixed = {**person(15), "employee_no": "WY0115"}
    roster = provision.roster([p for p in people if p["employee_no"] != "WY0015"] + [fixed, person(20)])
    planned = provision("plan", roster)
    assert planned.code == 1
    assert _conflicts(planned.out) == [
        "wy0115 wants email 'wy0015@example.com', held by wy0015 (managed account, enabled)"
    ]
    assert "原工号" in planned.out["plan"]["conflicts"][0]["hint"]
    assert {a["username"] for a in planned.out["plan"]["accounts"]} == {"wy0020"}, (
        "the old account must not be disabled"
    )

    applied = provision("apply", roster)
    assert (
        applied.code == 1 and applied.out["report"]["done"]["create"] == 1 and applied.out["report"]["failures"] == []
    )
    assert provision.user("WY0015")["enabled"] is True
    rows = provision.credentials_file.read_text(encoding="utf-8").splitlines()
    assert sum(1 for row in rows if row.startswith("wy0115,")) == 0, "a password row for an account never created"


def test_a_vendor_holding_a_joiner_s_email_or_mobile_is_named_at_plan(provision: Provisioner) -> None:
    provision.realm.create_user("vendor-li", "Vend0r-Passw0rd", email="wy0031@example.com")
    phone_holder = provision.realm.create_user(
        "vendor-wang",
        "Vend0r-Passw0rd",
        email="wang@vendor.example",
        attributes={catalog.PHONE_ATTRIBUTE: ["+8613800320032"]},
    )
    provision.realm.admin().update_user(phone_holder, {"enabled": False})
    planned = provision("plan", provision.roster([person(n) for n in range(30, 34)]))
    assert planned.code == 1
    assert _conflicts(planned.out) == [
        "wy0031 wants email 'wy0031@example.com', held by vendor-li (unmanaged account, enabled)",
        "wy0032 wants mobile '+8613800320032', held by vendor-wang (unmanaged account, disabled)",
    ]


def test_one_bad_joiner_never_takes_its_batch_down(provision: Provisioner) -> None:
    """A collision that appears after the plan was saved: partialImport fails the batch; the others are still made."""
    roster = provision.roster([person(n) for n in range(40, 50)])
    plan_file = provision.workdir / "plan.json"
    assert provision("plan", roster, "--out", str(plan_file)).code == 2
    provision.realm.create_user("vendor-zhao", "Vend0r-Passw0rd", email="wy0044@example.com")
    applied = provision("apply", roster, "--plan", str(plan_file), admin=True)
    assert applied.code == 1
    assert applied.out["report"]["done"]["create"] == 9
    failed = [f["account"] for f in applied.out["report"]["failures"]] + applied.out["report"]["skipped"]
    assert failed == ["wy0044"]
    assert provision.user("WY0045")["enabled"] is True


def test_an_employee_number_change_keeps_the_same_account(provision: Provisioner) -> None:
    people = [person(n) for n in range(60, 64)]
    assert provision("apply", provision.roster(people)).code == 0
    before = provision.user("WY0061")
    credential_ids = [c["id"] for c in provision.realm.admin().get_credentials(before["id"])]
    renamed = {**person(61), "employee_no": "WY0161", "previous_employee_no": "WY0061"}
    roster = provision.roster([people[0], renamed, *people[2:]])
    planned = provision("plan", roster)
    assert planned.code == 2
    [account] = planned.out["plan"]["accounts"]
    assert account["username"] == "wy0161" and account["user_id"] == before["id"]
    assert [(c["kind"], c["target"], c["before"], c["after"]) for c in account["changes"]] == [
        ("rename", "username", "wy0061", "wy0161"),
        ("update", catalog.EMPLOYEE_NO_ATTRIBUTE, "WY0061", "WY0161"),
    ]

    applied = provision("apply", roster)
    assert applied.code == 0, applied.err
    after = provision.user("WY0161")
    assert after["id"] == before["id"] and after["createdTimestamp"] == before["createdTimestamp"]
    assert after["attributes"][catalog.EMPLOYEE_NO_ATTRIBUTE] == ["WY0161"]
    assert [c["id"] for c in provision.realm.admin().get_credentials(after["id"])] == credential_ids
    assert provision.realm.admin().get_users({"username": "wy0061", "exact": True}) == []
    assert provision("plan", roster).code == 0, "a rename must settle"


def test_a_staff_member_cannot_rename_their_own_account(provision: Provisioner) -> None:
    """Renames need editUsernameAllowed; the profile still lets only admins edit the username."""
    user_id = provision.realm.create_user("wy0070", "Own-Passw0rd-70", email="wy0070@example.com")
    tokens = httpx.post(
        f"{provision.realm.issuer}/protocol/openid-connect/token",
        timeout=30,
        data={"grant_type": "password", "client_id": "admin-cli", "username": "wy0070", "password": "Own-Passw0rd-70"},
    )
    if tokens.status_code != 200:  # the realm refuses the password grant: no account API token this way at all
        return
    headers = {"Authorization": f"Bearer {tokens.json()['access_token']}", "Accept": "application/json"}
    me = httpx.get(f"{provision.realm.issuer}/account/", headers=headers, timeout=30).json()
    changed = httpx.post(
        f"{provision.realm.issuer}/account/", json={**me, "username": "boss"}, headers=headers, timeout=30
    )
    assert changed.status_code == 400 and "read-only" in changed.text
    assert provision.realm.admin().get_user(user_id)["username"] == "wy0070"


def test_company_emails_are_marked_verified_and_a_personal_roster_is_not(provision: Provisioner) -> None:
    people = [person(n) for n in range(80, 83)]
    assert provision("apply", provision.roster(people)).code == 0
    assert all(provision.user(p["employee_no"])["emailVerified"] is True for p in people)

    someone = provision.user("WY0081")
    provision.realm.admin().update_user(someone["id"], {"emailVerified": False})
    planned = provision("plan", provision.roster(people))
    assert planned.code == 2
    assert [
        (a["username"], c["target"], c["after"]) for a in planned.out["plan"]["accounts"] for c in a["changes"]
    ] == [("wy0081", "emailVerified", True)]
    assert provision("apply", provision.roster(people)).code == 0
    assert provision.user("WY0081")["emailVerified"] is True

    personal = provision.roster([*people, person(83)], email_verified=False)
    assert provision("apply", personal).code == 0
    assert provision.user("WY0083")["emailVerified"] is False
    assert provision.user("WY0080")["emailVerified"] is True, "a personal-address roster un-verified nobody"

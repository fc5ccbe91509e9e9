"""Safety: drift is noticed, saved plans go stale, mass disables and concurrent applies are refused,
a malformed roster applies nothing, and a killed apply converges when run again."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import time

from provisioning.keycloak_gateway import Credentials, KeycloakGateway
from provisioning.marker import ApplyLock, ensure_marker, read_marker
from sso import catalog
from tests.provisioning.support import Provisioner, person


def _managed(provision: Provisioner) -> list[dict[str, object]]:
    return list(
        provision.realm.admin().get_users({"q": f"{catalog.MANAGED_ATTRIBUTE}:true", "briefRepresentation": True})
    )


def test_a_malformed_roster_applies_nothing(provision: Provisioner) -> None:
    roster = provision.roster([person(1), person(2, mobile="12345"), person(3, rank="boss")])
    run = provision("apply", roster)
    assert run.code == 1
    assert len(run.out["problems"]) == 2
    assert _managed(provision) == []


def test_a_replan_notices_every_kind_of_drift_made_by_hand(provision: Provisioner) -> None:
    people = [person(n, "陈静") for n in range(1, 13)]
    roster = provision.roster(people)
    assert provision("apply", provision.roster(people[:11])).code == 0  # WY0012 never created here
    assert provision("apply", roster, "--allow-mass-disable").code == 0
    assert provision("apply", provision.roster(people[1:])).code == 0  # WY0001 leaves: disabled
    admin = provision.realm.admin()
    time.sleep(1)  # the hand edits below happen well after the apply

    phone_changed = provision.user("WY0002")
    phone_changed["attributes"][catalog.PHONE_ATTRIBUTE] = ["+8613999999999"]
    admin.update_user(phone_changed["id"], phone_changed)
    renamed = provision.user("WY0003")
    renamed["lastName"] = "陈陈"
    admin.update_user(renamed["id"], renamed)
    promoted = provision.user("WY0004")
    admin.assign_realm_roles(promoted["id"], [admin.get_realm_role("admin")])
    moved = provision.user("WY0005")
    admin.group_user_add(moved["id"], admin.get_group_by_path("/departments/finance")["id"])
    rehired_by_hand = provision.user("WY0001")
    rehired_by_hand["enabled"] = True
    admin.update_user(rehired_by_hand["id"], rehired_by_hand)

    run = provision("plan", provision.roster(people[1:]))
    assert run.code == 2
    changes = {(a["username"], c["kind"], c["target"]) for a in run.out["plan"]["accounts"] for c in a["changes"]}
    assert changes == {
        ("wy0002", "update", catalog.PHONE_ATTRIBUTE),
        ("wy0003", "update", "lastName"),
        ("wy0004", "revoke", "admin"),
        ("wy0005", "leave", "/departments/finance"),
        ("wy0001", "disable", "enabled"),
    }
    assert run.out["read"]["mode"] == "incremental"
    assert set(run.out["read"]["accounts_read"]) <= {"wy0002", "wy0003", "wy0004", "wy0005"}, "read untouched accounts"

    assert provision("apply", provision.roster(people[1:])).code == 0
    assert provision.user("WY0002")["attributes"][catalog.PHONE_ATTRIBUTE] == ["+8613800020002"]
    assert "admin" not in provision.roles(promoted["id"])
    assert provision("plan", provision.roster(people[1:])).code == 0


def test_a_saved_plan_is_refused_when_the_realm_changed_since(provision: Provisioner) -> None:
    people = [person(n) for n in range(20, 26)]
    assert provision("apply", provision.roster(people)).code == 0
    moved = [*people[:-1], person(25, rank="supervisor")]
    roster = provision.roster(moved)
    plan_file = provision.workdir / "plan.json"
    assert provision("plan", roster, "--out", str(plan_file)).code == 2

    someone = provision.user("WY0021")
    someone["attributes"][catalog.PHONE_ATTRIBUTE] = ["+8613700000021"]
    provision.realm.admin().update_user(someone["id"], someone)
    refused = provision("apply", roster, "--plan", str(plan_file))
    assert refused.code == 3 and "changed" in refused.err
    assert "supervisor" not in provision.roles(provision.user("WY0025")["id"])

    assert provision("plan", roster, "--out", str(plan_file)).code == 2
    applied = provision("apply", roster, "--plan", str(plan_file))
    assert applied.code == 0, applied.err
    assert applied.out["summary"]["grant"] == 1 and applied.out["summary"]["revoke"] == 1
    assert json.loads(plan_file.read_text(encoding="utf-8"))["fingerprint"]
    assert "supervisor" in provision.roles(provision.user("WY0025")["id"])
    assert provision.user("WY0021")["attributes"][catalog.PHONE_ATTRIBUTE] == ["+8613800210021"]


def test_a_roster_that_would_disable_more_than_a_fifth_of_the_staff_is_refused(provision: Provisioner) -> None:
    people = [person(n) for n in range(30, 40)]
    assert provision("apply", provision.roster(people)).code == 0
    truncated = provision.roster(people[:7], name="truncated.yaml")
    refused = provision("apply", truncated)
    assert refused.code == 4 and "--allow-mass-disable" in refused.err
    assert all(u["enabled"] for u in _managed(provision))

    assert provision("apply", provision.roster(people[:8])).code == 0  # 2 of 10: allowed
    allowed = provision("apply", truncated, "--allow-mass-disable")
    assert allowed.code == 0 and allowed.out["summary"]["disable"] == 1


def _gateway(provision: Provisioner) -> KeycloakGateway:
    return KeycloakGateway(
        provision.realm.endpoint.base_url,
        provision.realm.name,
        Credentials(
            "client",
            client_id=catalog.PROVISIONER_CLIENT_ID,
            client_secret=provision.realm.settings.provisioner_client_secret,
        ),
    )


def test_a_second_apply_while_one_runs_is_refused_with_who_holds_the_lock(provision: Provisioner) -> None:
    roster = provision.roster([person(n) for n in range(40, 44)])
    with _gateway(provision) as gateway:
        marker = read_marker(gateway)
        other_machine = ApplyLock(gateway, ensure_marker(gateway, marker), "hr-it@other-machine")
        other_machine.acquire()
        try:
            refused = provision("apply", roster)
            assert refused.code == 5
            assert "hr-it@other-machine" in refused.err and "another apply is running" in refused.err
            assert _managed(provision) == []
        finally:
            other_machine.release()
    assert provision("apply", roster).code == 0


def test_an_apply_killed_halfway_converges_when_run_again(provision: Provisioner) -> None:
    people = [person(n, "周杰") for n in range(100, 400)]
    roster = provision.roster(people)
    child = provision.start_apply(roster)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(_managed(provision)) < 20:
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    made = len(_managed(provision))
    assert 0 < made < len(people), f"the apply was not killed halfway ({made} accounts made)"

    rerun = provision("apply", roster, admin=True)
    assert rerun.code == 0, rerun.err
    assert rerun.out["report"]["skipped"] == []
    accounts = _managed(provision)
    assert sorted(str(u["username"]) for u in accounts) == sorted(p["employee_no"].lower() for p in people)
    with provision.credentials_file.open(encoding="utf-8") as rows:
        with_password = {row["username"] for row in csv.DictReader(rows)}
    assert {u["username"] for u in accounts} <= with_password, "an account was created whose password was lost"
    again = provision("plan", roster)
    assert again.code == 0 and again.out["summary"]["accounts"] == 0


def test_a_saved_plan_is_refused_when_the_roster_changed_since(provision: Provisioner) -> None:
    people = [person(n) for n in range(45, 48)]
    roster = provision.roster(people)
    plan_file = provision.workdir / "plan.json"
    assert provision("plan", roster, "--out", str(plan_file)).code == 2
    provision.roster([*people, person(48)])
    refused = provision("apply", roster, "--plan", str(plan_file))
    assert refused.code == 3 and "roster.yaml changed" in refused.err
    assert _managed(provision) == []


def test_two_applies_started_together_never_both_apply(provision: Provisioner) -> None:
    people = [person(n, "林静") for n in range(500, 620)]
    roster = provision.roster(people)

    def start(name: str) -> subprocess.Popen[bytes]:
        credentials = provision.workdir / f"{name}.credentials.csv"
        return provision.start_apply(roster, "--operator", name, credentials_file=credentials, capture=True)

    first, second = start("first-machine"), start("second-machine")
    results = sorted((p.returncode, out.decode()) for p in (first, second) for out, _ in [p.communicate(timeout=300)])
    codes = [code for code, _ in results]
    assert codes in ([0, 0], [0, 5]), results
    if codes == [0, 5]:
        assert "another apply is running" in results[1][1]
    else:  # the second took the lock after the first: it planned again and found nothing left to create
        assert sum("planned again" in out for _, out in results) == 1, results
    accounts = _managed(provision)
    assert len(accounts) == len(people) == len({u["username"] for u in accounts})


def test_a_realm_without_its_sites_group_is_named_not_a_traceback(provision: Provisioner) -> None:
    admin = provision.realm.admin()
    admin.delete_group(admin.get_group_by_path(f"/{catalog.SITES_GROUP}")["id"])
    run = provision("apply", provision.roster([person(1)]))
    assert run.code == 1
    assert f"has no /{catalog.SITES_GROUP} group" in run.err and "Traceback" not in run.err
    assert _managed(provision) == [], "nothing applied"

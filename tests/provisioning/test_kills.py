"""kill -9 at named moments of an apply, then a plain re-run: the whole state converges.

After any kill and one re-run: every roster account exists once and is recognised as managed, the
credentials file holds exactly one row per account and that row's password works, every change that
reached Keycloak is in the audit log (an intent, then an outcome or a reconciliation), disabled
accounts have no live session, and the re-run exits 0 (it re-plans by itself; exit 3 is for saved plans).
The child apply stops at the moment through ``provisioning.moments`` (a marker file), never by timing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.form_login import authorization_code_login, loopback_client
from provisioning import moments
from sso import catalog
from tests.provisioning.support import Provisioner, authorize_url, credential_rows, one_time_password_works, person


def _start(
    provision: Provisioner, roster: Path, moment: str, *extra: str, admin: bool = True
) -> subprocess.Popen[bytes]:
    moment_env = {moments.PAUSE_AT_ENV: moment, moments.FOLDER_ENV: str(provision.workdir)}
    return provision.start_apply(roster, *extra, admin=admin, env=moment_env)


def _wait_for(provision: Provisioner, child: subprocess.Popen[bytes], moment: str) -> Path:
    mark = provision.workdir / moment
    deadline = time.monotonic() + 180
    while not mark.exists():
        assert child.poll() is None, f"the apply ended (exit {child.returncode}) before reaching {moment}"
        assert time.monotonic() < deadline, f"the apply never reached {moment}"
        time.sleep(0.05)
    return mark


def _kill_at(provision: Provisioner, roster: Path, moment: str, admin: bool = True) -> None:
    child = _start(provision, roster, moment, admin=admin)
    try:
        _wait_for(provision, child, moment)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    (provision.workdir / moment).unlink()


def _exit_after(
    provision: Provisioner, roster: Path, moment: str, meanwhile: Callable[[], object], admin: bool = True
) -> int:
    """Run an apply to ``moment``, do ``meanwhile`` there, let it go on; its exit code."""
    child = _start(provision, roster, moment, admin=admin)
    try:
        mark = _wait_for(provision, child, moment)
        meanwhile()
        mark.unlink()
        return child.wait(timeout=120)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)


def _managed(provision: Provisioner) -> dict[str, dict[str, Any]]:
    users = provision.realm.admin().get_users({"q": f"{catalog.MANAGED_ATTRIBUTE}:true", "briefRepresentation": True})
    return {str(u["username"]): u for u in users}


def _audit(provision: Provisioner) -> list[dict[str, Any]]:
    return [json.loads(line) for line in provision.audit_log.read_text(encoding="utf-8").splitlines()]


def _assert_converged(provision: Provisioner, people: list[dict[str, Any]]) -> None:
    accounts = _managed(provision)
    assert sorted(accounts) == sorted(p["employee_no"].lower() for p in people if p.get("status") != "leaving")

    rows = credential_rows(provision.credentials_file)
    per_account = Counter(row["username"] for row in rows)
    assert {u for u, n in per_account.items() if n > 1} == set(), "a second one-time password row"
    assert set(accounts) <= set(per_account), "an account whose password is lost"
    passwords = {row["username"]: row["one_time_password"] for row in rows}
    for username in sorted(accounts)[:6]:  # the first batches: the ones the kill hit
        assert one_time_password_works(provision, username, passwords[username]), f"{username}'s row does not work"

    entries = _audit(provision)
    settled = {(e["account"], e["change"]) for e in entries if e["phase"] == "done"} | {
        (e["account"], e["change"]) for e in entries if e["phase"] == "reconciled" and e["applied"]
    }
    assert {u for u in accounts if (u, "create") not in settled} == set(), "accounts created without an audit line"
    intents = {(e["run"], e["account"], e["change"], e["target"]) for e in entries if e["phase"] == "intent"}
    closed = {
        (e["run"], e["account"], e["change"], e["target"]) for e in entries if e["phase"] in ("done", "failed")
    } | {(e["of_run"], e["account"], e["change"], e["target"]) for e in entries if e["phase"] == "reconciled"}
    assert intents <= closed, "an intent with no outcome after the re-run"


@pytest.mark.parametrize("moment", [moments.LOCK_TAKEN, moments.PASSWORDS_WRITTEN, moments.JOINER_BATCH_IN_FLIGHT])
def test_a_joiner_apply_killed_at_a_named_moment_converges_on_one_plain_rerun(
    provision: Provisioner, moment: str
) -> None:
    people = [person(n, "周杰") for n in range(100, 130)]
    roster = provision.roster(people)
    _kill_at(provision, roster, moment)
    made_by_killed_run = set(_managed(provision))
    if moment == moments.JOINER_BATCH_IN_FLIGHT:
        assert len(made_by_killed_run) == 5, "the first batch reached Keycloak before the kill"

    rerun = provision("apply", roster, admin=True)
    assert rerun.code == 0, rerun.err
    assert rerun.out["report"]["skipped"] == [] and rerun.out["report"]["failures"] == []
    _assert_converged(provision, people)
    if made_by_killed_run:
        reconciled = [e for e in _audit(provision) if e["phase"] == "reconciled" and e["change"] == "create"]
        assert {e["account"] for e in reconciled if e["applied"]} == made_by_killed_run
    again = provision("plan", roster)
    assert again.code == 0 and again.out["summary"]["accounts"] == 0


def test_a_leaver_killed_between_disable_and_sign_out_is_signed_out_by_the_rerun(provision: Provisioner) -> None:
    people = [person(n, "吴磊") for n in range(200, 210)]
    assert provision("apply", provision.roster(people)).code == 0
    leaver = provision.user("WY0201")
    provision.realm.admin().set_user_password(leaver["id"], "Leaver-Passw0rd-201", temporary=False)
    provision.realm.admin().update_user(leaver["id"], {"requiredActions": []})
    signed_in = httpx.post(
        f"{provision.realm.issuer}/protocol/openid-connect/token",
        timeout=30,
        data={
            "grant_type": "password",
            "client_id": catalog.WORKBENCH_CLIENT_ID,
            "username": "wy0201",
            "password": "Leaver-Passw0rd-201",
            "client_secret": provision.realm.settings.workbench_client_secret,
            "scope": "openid",
        },
    )
    if signed_in.status_code != 200:  # the workbench refuses the password grant: sign in through the login page
        with loopback_client() as client:
            authorization_code_login(
                client,
                provision.realm.endpoint.base_url,
                authorize_url(provision)[0],
                "wy0201",
                "Leaver-Passw0rd-201",
                None,
            )
    admin = provision.realm.admin()
    assert admin.get_sessions(leaver["id"]), "the leaver has no session to end"

    roster = provision.roster([p for p in people if p["employee_no"] != "WY0201"])
    _kill_at(provision, roster, moments.DISABLED_NOT_SIGNED_OUT, admin=False)
    assert admin.get_user(leaver["id"])["enabled"] is False
    assert admin.get_sessions(leaver["id"]), "killed before the sign-out, the session must still be there"

    rerun = provision("apply", roster)
    assert rerun.code == 0, rerun.err
    assert rerun.out["report"] and rerun.out["report"]["signed_out"] == ["wy0201"]
    assert admin.get_sessions(leaver["id"]) == []
    signed_out = [e for e in _audit(provision) if e["change"] == "sign-out" and e["phase"] == "done"]
    assert [e["account"] for e in signed_out] == ["wy0201"]


def test_a_plain_apply_replans_when_the_realm_changes_under_it(provision: Provisioner) -> None:
    people = [person(n, "郑洁") for n in range(300, 306)]
    assert provision("apply", provision.roster(people)).code == 0
    moved = [*people[:-1], person(305, "郑洁", rank="supervisor")]
    roster = provision.roster(moved)

    def change_by_hand() -> None:  # after the plan, before the apply looks again
        someone = provision.user("WY0301")
        someone["attributes"][catalog.PHONE_ATTRIBUTE] = ["+8613700000301"]
        provision.realm.admin().update_user(someone["id"], someone)

    code = _exit_after(provision, roster, moments.LOCK_TAKEN, change_by_hand, admin=False)
    assert code == 0, "a plain apply must plan again, not exit 3"
    assert provision.user("WY0301")["attributes"][catalog.PHONE_ATTRIBUTE] == ["+8613803010301"]
    assert "supervisor" in provision.roles(provision.user("WY0305")["id"])


def test_an_account_a_killed_apply_created_behind_the_plan_is_adopted_not_skipped(provision: Provisioner) -> None:
    """The killed run's last import commits after the re-run has read the realm: the re-run's create finds it."""
    people = [person(n, "冯静") for n in range(400, 403)]
    roster = provision.roster(people)
    code = _exit_after(
        provision,
        roster,
        moments.PASSWORDS_WRITTEN,
        lambda: provision.realm.create_user(
            "wy0401",
            None,
            email="wy0401@example.com",
            attributes={catalog.MANAGED_ATTRIBUTE: ["true"], catalog.EMPLOYEE_NO_ATTRIBUTE: ["WY0401"]},
        ),
    )
    assert code == 0, "an account its predecessor made is not a failure"
    adopted = [
        e for e in _audit(provision) if e["account"] == "wy0401" and e["change"] == "create" and e["phase"] == "done"
    ]
    assert len(adopted) == 1 and "earlier, killed apply" in adopted[0]["note"]
    assert Counter(row["username"] for row in credential_rows(provision.credentials_file)) == {
        "wy0400": 1,
        "wy0401": 1,
        "wy0402": 1,
    }
    assert provision("plan", roster).code == 2, "the adopted account's roles and groups are planned next"
    assert provision("apply", roster).code == 0 and provision("plan", roster).code == 0

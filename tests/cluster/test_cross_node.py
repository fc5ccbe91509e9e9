"""What must hold across nodes does: the front door, SMS codes, brute-force counters, the send cool-down,
and a leaver's sign-out, each started on one node and checked on the other."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from devstack.form_login import LoginPage, loopback_client
from devstack.load import sign_in
from tests.cluster.conftest import SMS_BROWSER_FLOW, ClusterStack, record_finding
from tests.cluster.nodes import PinnedBrowser, left_keycloak_signed_in
from tests.provisioning.support import Provisioner, person
from tests.support.realms import TestRealm, create_test_realm

CODE_FORM = "wuye-code-form"


@pytest.fixture(scope="module")
def sms_realm(cluster_stack: ClusterStack) -> TestRealm:
    """A realm bound to the SMS sign-in flow, sending to the test outbox."""
    realm = create_test_realm(
        cluster_stack.admin, workbench_url=cluster_stack.cluster.workbench_url, browser_flow=SMS_BROWSER_FLOW
    )
    attributes = dict(realm.admin().get_realm(realm.name).get("attributes") or {})
    attributes.update(
        {"wuyeSmsSender": "dev-outbox", "wuyeSmsOutboxUrl": cluster_stack.outbox.url, "wuyeSmsTimeoutMillis": "3000"}
    )
    realm.admin().update_realm(realm.name, {"browserFlow": SMS_BROWSER_FLOW, "attributes": attributes})
    return realm


@pytest.mark.parametrize(
    "path",
    [
        "/admin/master/console/",
        "/admin/realms",
        "/realms/master/protocol/openid-connect/token",
        "/realms/MASTER/account",
        "//admin/",
        "/realms/%6Daster/",
        "/realms//master",
    ],
)
def test_the_public_front_door_refuses_the_admin_console_and_the_master_realm(
    cluster_stack: ClusterStack, path: str
) -> None:
    answer = httpx.get(f"{cluster_stack.cluster.public_url}{path}", timeout=10)
    assert answer.status_code in (403, 404), f"{path} answered {answer.status_code} on the public front door"


def test_the_internal_front_door_serves_the_admin_api_and_the_public_one_serves_staff(
    cluster_stack: ClusterStack,
) -> None:
    assert httpx.get(f"{cluster_stack.cluster.internal_url}/realms/master", timeout=10).status_code == 200
    public = httpx.get(f"{cluster_stack.issuer}/.well-known/openid-configuration", timeout=10)
    assert public.status_code == 200
    assert public.json()["issuer"] == cluster_stack.issuer


def test_an_sms_code_sent_through_node_a_is_verified_through_node_b(
    cluster_stack: ClusterStack, sms_realm: TestRealm
) -> None:
    phone = "+8613900014001"
    username, password = cluster_stack.new_person(phone=phone, flow_realm=sms_realm)
    before = cluster_stack.outbox.last_id()
    browser = PinnedBrowser(cluster_stack, 0)
    try:
        browser.open_sign_in(sms_realm)
        step = browser.submit(username=username, password=password, credentialId="")
        assert isinstance(step, LoginPage) and step.form_id == CODE_FORM, "node A did not ask for the SMS code"
        code = cluster_stack.outbox.wait_for_code(phone, after=before)
        browser.pin(1)
        step = browser.submit(code=code)
        assert left_keycloak_signed_in(step), f"node B refused node A's code: {getattr(step, 'error', step)!r}"
    finally:
        browser.close()


def test_a_brute_force_lockout_counted_on_node_a_holds_on_node_b(cluster_stack: ClusterStack) -> None:
    username, password = cluster_stack.new_person()
    attacker = PinnedBrowser(cluster_stack, 0)
    try:
        for _ in range(5):  # failureFactor 5, spaced past the 1 s quick-login check
            attacker.open_sign_in(cluster_stack.realm)
            step = attacker.submit(username=username, password="wrong-Password-1", credentialId="")
            assert isinstance(step, LoginPage)
            time.sleep(1.2)
    finally:
        attacker.close()
    owner = PinnedBrowser(cluster_stack, 1)
    try:
        owner.open_sign_in(cluster_stack.realm)
        step = owner.submit(username=username, password=password, credentialId="")
        assert not left_keycloak_signed_in(step), "node B let the right password in during node A's lockout"
    finally:
        owner.close()
    admin_b = cluster_stack.on_node(1).admin()
    status = admin_b.connection.raw_get(
        f"admin/realms/{cluster_stack.realm.name}/attack-detection/brute-force/users/{admin_b.get_user_id(username)}"
    ).json()
    assert status["disabled"] is True and status["numFailures"] >= 5, status


def test_the_send_cool_down_holds_when_two_requests_hit_two_nodes_at_once(
    cluster_stack: ClusterStack, sms_realm: TestRealm
) -> None:
    phone = "+8613900014002"
    username, password = cluster_stack.new_person(phone=phone, flow_realm=sms_realm)
    before = cluster_stack.outbox.last_id()
    browsers = [PinnedBrowser(cluster_stack, 0), PinnedBrowser(cluster_stack, 1)]
    start = threading.Barrier(2)
    pages: list[LoginPage | httpx.Response] = []

    def password_step(browser: PinnedBrowser) -> None:
        start.wait(timeout=30)
        pages.append(browser.submit(username=username, password=password, credentialId=""))

    try:
        for browser in browsers:
            browser.open_sign_in(sms_realm)
        threads = [threading.Thread(target=password_step, args=(b,)) for b in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        time.sleep(2.0)  # a slower second send would still arrive
        sent = [m for m in cluster_stack.outbox.messages(phone) if m["id"] > before]
    finally:
        for browser in browsers:
            browser.close()
    record_finding("send cool-down across nodes", {"sms_sent": len(sent), "requests": 2})
    assert len(sent) == 1, f"two password steps on two nodes at once sent {len(sent)} SMS within the 60 s cool-down"


def test_a_leaver_disabled_through_node_a_is_signed_out_of_every_workbench_within_5_s(
    cluster_stack: ClusterStack, tmp_path: Path
) -> None:
    provision = Provisioner(cluster_stack.on_node(0), tmp_path)
    staying, leaving = person(9101, name="李留"), person(9102, name="张走")
    first = provision("apply", provision.roster([staying, leaving]))
    assert first.code == 0, first.err
    admin = cluster_stack.realm.admin()
    user_id = admin.get_user_id("wy9102")
    assert user_id is not None
    password = "Leaver-2026-pw9"
    admin.set_user_password(user_id, password, temporary=False)
    admin.update_user(user_id, {"requiredActions": []})
    cluster = cluster_stack.cluster
    with loopback_client(follow_redirects=False) as client:
        sign_in(client, cluster.workbench_url, cluster.public_url, "wy9102", password)
        instances = [cluster.workbench_instance_url(i) for i in range(len(cluster.layout.workbenches))]
        assert all(client.get(f"{url}/").status_code == 200 for url in instances), "not signed in on every instance"
        started = time.monotonic()
        run = provision("apply", provision.roster([staying, {**leaving, "status": "left"}]), "--allow-mass-disable")
        applied = time.monotonic()
        assert run.code == 0, run.err
        signed_out_after: float | None = None
        while time.monotonic() - applied < 15:
            if all(client.get(f"{url}/").status_code == 303 for url in instances):
                signed_out_after = time.monotonic() - applied
                break
            time.sleep(0.1)
    record_finding(
        "leaver signed out",
        {"apply_seconds": round(applied - started, 2), "signed_out_seconds_after_apply": signed_out_after},
    )
    # the apply disables and signs out, then returns: both instances must have let go within 5 s of it
    assert signed_out_after is not None and signed_out_after <= 5.0, f"still signed in {signed_out_after} s after"

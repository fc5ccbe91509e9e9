"""Aliyun and Tencent Cloud send only pre-approved templates: the activation SMS fills a template of its own.

A Keycloak of its own (the vendors' keys and gateway URLs are server environment) sends to fake vendors on
loopback that check each request's signature as the vendor does. Before ``wuyeSmsActivationTemplate``, the
activation SMS had no template on a vendor realm and stayed queued forever, with a WARN every few seconds.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.distribution import DEV_BUILD_OPTIONS, built_distribution
from devstack.extensions import extension_jars
from devstack.keycloak_server import KeycloakEndpoint, LocalKeycloak, free_port
from tests.activation.drain import quiet_for, wait_until
from tests.activation.fake_vendors import FakeVendors, Sent
from tests.support.activation_users import ACTIVATION, Joiner, attributes_of, queue_joiner, request_reset_code
from tests.support.realms import TestRealm, create_test_realm

ADDRESS = "sso.test.example.com"
MISSING = "wuyeSmsActivationTemplate"


@pytest.fixture(scope="module")
def fake_vendors() -> Iterator[FakeVendors]:
    fake = FakeVendors().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def vendor_keycloak(fake_vendors: FakeVendors, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKeycloak]:
    server = LocalKeycloak(
        built_distribution(DEV_BUILD_OPTIONS, providers=extension_jars()),
        tmp_path_factory.mktemp("keycloak-vendors"),
        http_port=free_port(),
        management_port=free_port(),
        extra_env=fake_vendors.server_env(),
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()


def vendor_realm(endpoint: KeycloakEndpoint, sender: str, **attributes: str) -> TestRealm:
    realm = create_test_realm(endpoint)
    admin = realm.admin()
    current = admin.get_realm(realm.name)
    admin.update_realm(
        realm.name,
        {
            "attributes": {
                **(current.get("attributes") or {}),
                "wuyeSmsSender": sender,
                "wuyeSmsSignName": "测试物业",
                "wuyeSmsTemplate": f"{sender}-code-1",
                "wuyeSignInAddress": f"https://{ADDRESS}/",
                **attributes,
            }
        },
    )
    return realm


def company(realm: TestRealm) -> str:
    name: str = realm.admin().get_realm(realm.name)["displayName"]
    return name


def to(fake: FakeVendors, number: str) -> list[Sent]:
    return [s for s in fake.sent if s.to.endswith(number)]


def warnings_in(log: Path, realm: TestRealm) -> int:
    return len(re.findall(rf"WARN .*stay queued in realm {realm.name}\b.*{MISSING}", log.read_text(errors="replace")))


def test_without_its_template_the_activation_sms_waits_and_the_log_says_once_what_to_set(
    vendor_keycloak: LocalKeycloak, fake_vendors: FakeVendors
) -> None:
    realm = vendor_realm(vendor_keycloak.endpoint(), "aliyun")
    user_id = queue_joiner(realm, Joiner("wy7901", "+8613900007901"))

    quiet_for(8)  # eight rounds of the drain; a failed send used to pause the realm 5 s and warn again

    assert attributes_of(realm, user_id).get(ACTIVATION) == ["pending"], "it must stay queued"
    assert to(fake_vendors, "13900007901") == [], "an SMS left without the activation template"
    assert warnings_in(vendor_keycloak.log_path, realm) == 1, "one WARN naming the attribute, not one per round"

    admin = realm.admin()
    admin.update_realm(realm.name, {"attributes": {**admin.get_realm(realm.name)["attributes"], MISSING: "SMS_ACT_1"}})

    wait_until(lambda: len(to(fake_vendors, "13900007901")) >= 1, "the activation SMS at the fake Aliyun")
    sent = to(fake_vendors, "13900007901")
    assert len(sent) == 1 and fake_vendors.refused == []
    assert sent[0].to == "13900007901", "Aliyun takes the mainland number without +86"
    assert sent[0].template == "SMS_ACT_1"
    assert sent[0].params == {"company": company(realm), "username": "wy7901"}, (
        "no address: it is fixed in the template"
    )
    assert attributes_of(realm, user_id).get(ACTIVATION) == ["sent"]


def test_tencent_gets_company_then_username(vendor_keycloak: LocalKeycloak, fake_vendors: FakeVendors) -> None:
    realm = vendor_realm(vendor_keycloak.endpoint(), "tencent", wuyeSmsSdkAppId="1400000001", **{MISSING: "2088001"})
    user_id = queue_joiner(realm, Joiner("wy7902", "+8613900007902"))

    wait_until(lambda: len(to(fake_vendors, "13900007902")) >= 1, "the activation SMS at the fake Tencent Cloud")
    sent = to(fake_vendors, "13900007902")
    assert len(sent) == 1 and fake_vendors.refused == []
    assert sent[0].to == "+8613900007902" and sent[0].template == "2088001"
    assert sent[0].params == [company(realm), "wy7902"]
    assert attributes_of(realm, user_id).get(ACTIVATION) == ["sent"]


def test_the_help_desk_reset_code_keeps_the_code_template(
    vendor_keycloak: LocalKeycloak, fake_vendors: FakeVendors
) -> None:
    realm = vendor_realm(vendor_keycloak.endpoint(), "tencent", wuyeSmsSdkAppId="1400000001", **{MISSING: "2088001"})
    joiner = Joiner("wy7903", "+8613900007903", attributes={ACTIVATION: ["sent"]})
    user_id = queue_joiner(realm, joiner)
    request_reset_code(realm, user_id, int(time.time() * 1000))

    wait_until(lambda: len(to(fake_vendors, "13900007903")) >= 1, "the reset code at the fake Tencent Cloud")
    sent = to(fake_vendors, "13900007903")
    assert len(sent) == 1 and sent[0].template == "tencent-code-1"
    code, minutes = sent[0].params
    assert re.fullmatch(r"\d{6}", code) and minutes == "5", sent[0].params

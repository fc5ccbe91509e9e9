"""Issue 13.2: joiners queued with ``wuyeActivation=pending`` get one activation SMS each, paced, never two.

Against the real Keycloak with our extension: accounts are created through the admin API as provisioning creates
them, and the drain (a cluster-aware timer inside Keycloak) sends to the dev outbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from devstack.sms_outbox import SmsOutbox
from tests.activation.drain import quiet_for, sent, wait_until
from tests.extension.conftest import SmsRealm, make_sms_realm
from tests.support.activation_users import ACTIVATION, Joiner, attributes_of, queue_at_once, queue_joiner, set_attribute
from tests.support.realms import TestRealm

Realms = Callable[..., TestRealm]


def activation_realm(realm_factory: Realms, outbox: SmsOutbox, **attributes: str) -> SmsRealm:
    realm = make_sms_realm(realm_factory, outbox)
    if attributes:
        current = realm.realm.admin().get_realm(realm.name)
        realm.update_realm(attributes={**(current.get("attributes") or {}), **attributes})
    return realm


def test_a_queued_joiner_gets_exactly_one_activation_sms(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = activation_realm(realm_factory, sms_outbox)
    phone = "+8613900007001"
    user_id = queue_joiner(realm.realm, Joiner("wy7001", phone))

    wait_until(lambda: len(sent(sms_outbox, realm.name)) >= 1, "the activation SMS")
    quiet_for(3)  # three more rounds of the drain

    messages = sent(sms_outbox, realm.name)
    assert len(messages) == 1, f"{len(messages)} activation SMS for one joiner"
    message = messages[0]
    text = message["text"]
    assert message["to"] == phone
    assert text.startswith("【测试物业 Test Property】"), text  # the company: the realm's display name
    assert "wy7001" in text, text
    assert "127.0.0.1:8000" in text, "the sign-in address (the template's workbench URL)"
    assert "首次登录:在登录页点「首次登录 / 激活账号」,用本手机号获取验证码并设置密码" in text, text
    assert "http" not in text and "://" not in text, f"a link in the SMS: {text}"
    assert not message.get("code"), "the activation SMS carries no code"
    assert not re.search(r"(?<![\d.:])\d{6}(?![\d.])", text), f"something like a code in the SMS: {text}"

    attributes = attributes_of(realm.realm, user_id)
    assert attributes.get(ACTIVATION) == ["sent"], attributes
    sent_at = int(attributes["wuyeActivationSentAt"][0])
    assert abs(sent_at / 1000 - message["received_at"]) < 5, "wuyeActivationSentAt is when it left"


def test_an_english_speaker_gets_it_in_english(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = activation_realm(realm_factory, sms_outbox)
    queue_joiner(realm.realm, Joiner("wy7002", "+8613900007002", locale="en"))
    wait_until(lambda: len(sent(sms_outbox, realm.name)) >= 1, "the activation SMS")
    text = sent(sms_outbox, realm.name)[0]["text"]
    assert "First sign-in" in text and "wy7002" in text and "http" not in text, text


def test_fifty_joiners_queued_at_once_are_paced_and_each_gets_one(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = activation_realm(realm_factory, sms_outbox, wuyeSmsActivationPerSecond="10")
    joiners = [Joiner(f"wy71{n:02d}", f"+86139000071{n:02d}") for n in range(50)]

    queue_at_once(realm.realm, joiners)

    wait_until(lambda: len(sent(sms_outbox, realm.name)) >= 50, "50 activation SMS", timeout_s=60)
    quiet_for(3)
    messages = sent(sms_outbox, realm.name)
    per_phone = {j.phone: len([m for m in messages if m["to"] == j.phone]) for j in joiners}
    assert set(per_phone.values()) == {1}, f"not one each: {per_phone}"
    # at most 10 in any clock second of the drain: 50 need five seconds, so the first and the last lie
    # four rounds apart (the outbox's own timestamps, not the test's clock)
    times = sorted(m["received_at"] for m in messages)
    spread = times[-1] - times[0]
    print(f"50 activation SMS at 10/s: spread over {spread:.2f} s")
    assert spread >= 3.5, f"50 SMS at 10 per second left within {spread:.2f} s"
    admin = realm.realm.admin()
    pending = admin.get_users({"q": f"{ACTIVATION}:pending"})
    assert pending == [], f"{len(pending)} still pending"
    assert len(admin.get_users({"q": f"{ACTIVATION}:sent", "max": 100})) == 50


def test_a_failing_gateway_leaves_them_queued_and_nobody_gets_two(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = activation_realm(realm_factory, sms_outbox)
    admin = realm.realm.admin()
    attributes = dict(admin.get_realm(realm.name).get("attributes") or {})
    working_url = attributes["wuyeSmsOutboxUrl"]
    # a vendor URL that refuses every connection (for this realm only; the other tests share the outbox)
    realm.update_realm(attributes={**attributes, "wuyeSmsOutboxUrl": "http://127.0.0.1:9/refused"})
    joiners = [Joiner(f"wy72{n:02d}", f"+86139000072{n:02d}") for n in range(5)]
    ids = [queue_joiner(realm.realm, j) for j in joiners]

    quiet_for(6)  # several rounds against the dead gateway
    assert sent(sms_outbox, realm.name) == []
    for user_id in ids:
        assert attributes_of(realm.realm, user_id).get(ACTIVATION) == ["pending"], "a failed send stays queued"

    realm.update_realm(attributes={**attributes, "wuyeSmsOutboxUrl": working_url})
    wait_until(lambda: len(sent(sms_outbox, realm.name)) >= 5, "the queued SMS once the gateway is back")
    quiet_for(3)
    per_phone = {j.phone: len(sent(sms_outbox, realm.name, to=j.phone)) for j in joiners}
    assert set(per_phone.values()) == {1}, per_phone
    for user_id in ids:
        assert attributes_of(realm.realm, user_id).get(ACTIVATION) == ["sent"]


def test_a_help_desk_resend_within_the_minute_waits_its_turn(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = activation_realm(realm_factory, sms_outbox)
    phone = "+8613900007301"
    user_id = queue_joiner(realm.realm, Joiner("wy7301", phone))
    wait_until(lambda: len(sent(sms_outbox, realm.name)) == 1, "the activation SMS")

    set_attribute(realm.realm, user_id, ACTIVATION, "pending")  # 重发激活短信, at once

    wait_until(lambda: len(sent(sms_outbox, realm.name)) == 2, "the resent activation SMS", timeout_s=90)
    first, second = (m["received_at"] for m in sent(sms_outbox, realm.name))
    print(f"help-desk resend left {second - first:.1f} s after the first activation SMS")
    assert second - first >= 59, (
        f"one activation SMS per number per minute: the resend left after {second - first:.1f} s"
    )
    quiet_for(3)
    assert len(sent(sms_outbox, realm.name)) == 2

"""SMS pumping is stopped without locking an office (many staff behind one address) out.

The per-address cap counts only codes nobody verified; a per-realm hourly budget stops a pump spread over many
addresses and raises an alert (a WARN line in Keycloak's log and an event in the admin console).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from devstack.form_login import LoginPage
from devstack.sms_outbox import SmsOutbox
from tests.security.code_driver import (
    CODE_FORM,
    Visitor,
    at_once,
    code_realm,
    message,
    settle,
)
from tests.support.realms import TestRealm

Realms = Callable[..., TestRealm]
IP_LIMIT = "当前网络获取验证码次数过多"
BUDGET_ERROR = "wuye_sms_budget_exhausted"


def test_an_office_behind_one_address_can_all_sign_in(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = code_realm(realm_factory, sms_outbox, wuyeSmsMaxPerIpPerHour="3")
    for n in range(8):  # more colleagues than the cap, all behind 127.0.0.1
        phone = f"+86139000065{n:02d}"
        realm.add_user(f"wy65{n:02d}", phone=phone)
        visitor = Visitor(realm)
        visitor.sign_in_page()
        before = sms_outbox.last_id()
        page = visitor.password(f"wy65{n:02d}")
        assert isinstance(page, LoginPage) and page.form_id == CODE_FORM and not message(page), (
            f"colleague {n + 1} was refused a code: {message(page) if isinstance(page, LoginPage) else page}"
        )
        done = visitor.code(sms_outbox.wait_for_code(phone, after=before))
        assert isinstance(done, httpx.Response) and "code=" in done.headers.get("location", ""), (
            f"colleague {n + 1} did not get signed in"
        )


def test_an_sms_pump_from_one_address_is_cut_off(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = code_realm(realm_factory, sms_outbox, wuyeSmsMaxPerIpPerHour="3")
    phones = [f"+86139000066{n:02d}" for n in range(6)]
    answers: list[LoginPage] = []
    for n, phone in enumerate(phones):
        realm.add_user(f"wy66{n:02d}", phone=phone)
        visitor = Visitor(realm)
        visitor.forgot_password_page()
        page = visitor.submit(username=f"wy66{n:02d}")  # codes asked for, never entered
        assert isinstance(page, LoginPage)
        answers.append(page)
    settle(sms_outbox)
    assert [bool(sms_outbox.messages(p)) for p in phones] == [True] * 3 + [False] * 3
    assert [IP_LIMIT in message(a) for a in answers] == [False] * 3 + [True] * 3, [message(a) for a in answers]


def test_a_pump_over_many_addresses_meets_the_realm_budget_and_alerts_it(
    realm_factory: Realms, sms_outbox: SmsOutbox
) -> None:
    realm = code_realm(
        realm_factory,
        sms_outbox,
        wuyeSmsMaxPerIpPerHour="100",
        wuyeSmsMaxPerRealmPerHour="3",
    )
    phones = [f"+86139000067{n:02d}" for n in range(10)]
    for n, phone in enumerate(phones):
        realm.add_user(f"wy67{n:02d}", phone=phone)

    answers = at_once(realm, [f"wy67{n:02d}" for n in range(10)], forgot_password=True)

    assert sum(len(sms_outbox.messages(p)) for p in phones) == 3
    refused = [a for a in answers if isinstance(a, LoginPage) and "本小时" in message(a)]
    assert len(refused) == 7, [message(a) if isinstance(a, LoginPage) else a for a in answers]
    alerts = [e for e in realm.realm.admin().get_events({"max": 100}) if e.get("error") == BUDGET_ERROR]
    assert len(alerts) == 1, f"one alert per realm and hour, got {len(alerts)}"
    assert alerts[0].get("details", {}).get("budget") == "3"

"""Codes say how long they really last: the realm's validity, not a "5 分钟" written into the texts."""

from __future__ import annotations

from collections.abc import Callable

from devstack.form_login import LoginPage
from devstack.sms_outbox import SmsOutbox
from tests.security.code_driver import (
    CODE_FORM,
    Visitor,
    code_realm,
    destination_text,
    settle,
)
from tests.support.realms import TestRealm

Realms = Callable[..., TestRealm]


def test_a_code_valid_for_two_minutes_is_announced_as_two_minutes(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = code_realm(realm_factory, sms_outbox, wuyeCodeValiditySeconds="120")
    realm.add_user("wy6801", phone="+8613900006801")
    realm.add_user("wy6802", phone="+8613900006802")
    realm.add_user("wy6803", phone="+8613900006803")

    visitor = Visitor(realm)
    visitor.sign_in_page()
    page = visitor.password("wy6801")
    assert isinstance(page, LoginPage) and page.form_id == CODE_FORM
    assert "2 分钟" in destination_text(page) and "5 分钟" not in page.text
    settle(sms_outbox)
    (sms,) = sms_outbox.messages("+8613900006801")
    assert "2 分钟" in sms["text"] and "5 分钟" not in sms["text"]

    english = Visitor(realm, locale="en")
    english.sign_in_page()
    page = english.password("wy6802")
    assert isinstance(page, LoginPage)
    assert "2 minutes" in destination_text(page) and "5 minutes" not in page.text

    reset = Visitor(realm)
    reset.forgot_password_page()
    page = reset.submit(username="wy6803")
    assert isinstance(page, LoginPage) and "2 分钟" in destination_text(page)
    settle(sms_outbox)
    (sms,) = sms_outbox.messages("+8613900006803")
    assert "2 分钟" in sms["text"]

"""Issue 13.2: 首次登录 / 激活账号 is forgot-password under another name, so its rules are the attacker's wall too.

Plain HTTP through the real pages: activation does not tell who exists, a code alone gives no session, and
parallel code requests meet the same atomic cool-down (one SMS), whichever of the two doors they use.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from devstack.form_login import LoginPage
from devstack.sms_outbox import SmsOutbox
from tests.activation.pages import activation_page
from tests.security.attacks import NEW_PASSWORD
from tests.security.code_driver import (
    CODE_FORM,
    Visitor,
    all_at_once,
    assert_same_time,
    code_realm,
    markup,
    message,
    settle,
    timed,
    visible_text,
)
from tests.support.activation_users import ACTIVATION, Joiner, queue_at_once
from tests.support.realms import TestRealm

Realms = Callable[..., TestRealm]
TRIES = 7
LOGIN_FORM = "kc-form-login"


def told(username: str, phone: str) -> Joiner:
    """A joiner whose activation SMS already left (no drain traffic during the measurement)."""
    return Joiner(username, phone, attributes={ACTIVATION: ["sent"]})


def ask_activation(visitor: Visitor, identifier: str) -> tuple[LoginPage, float]:
    activation_page(visitor)
    page, elapsed = timed(lambda: visitor.submit(username=identifier))
    assert isinstance(page, LoginPage), f"activation for {identifier!r} left Keycloak"
    return page, elapsed


def test_activation_does_not_tell_whether_an_account_exists(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = code_realm(realm_factory, sms_outbox)
    known = [f"wy74{n:02d}" for n in range(TRIES + 1)]
    queue_at_once(realm.realm, [told(u, f"+86139000074{n:02d}") for n, u in enumerate(known)])
    unknown = [f"wy79{n:02d}" for n in range(TRIES + 1)]

    for identifier in (known.pop(), unknown.pop()):  # warm both paths
        ask_activation(Visitor(realm), identifier)
    pages: dict[str, list[LoginPage]] = {"known": [], "unknown": []}
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for k, u in zip(known, unknown, strict=True):
        for kind, identifier in (("known", k), ("unknown", u)):
            page, elapsed = ask_activation(Visitor(realm), identifier)
            pages[kind].append(page)
            times[kind].append(elapsed)

    every = pages["known"] + pages["unknown"]
    assert {p.form_id for p in every} == {CODE_FORM} and {message(p) for p in every} == {""}
    texts = {visible_text(p) for p in every}
    assert len(texts) == 1, "the pages differ:\n" + "\n".join(sorted(texts))
    assert "激活" in texts.pop(), "the activation wording"
    assert len({markup(p) for p in every}) == 1, "the pages' markup differs"
    assert_same_time(times["known"], times["unknown"], "activation")
    settle(sms_outbox)
    for n in range(TRIES):
        codes = [m for m in sms_outbox.messages(f"+86139000074{n:02d}") if m.get("purpose") == "reset"]
        assert len(codes) == 1, "each real account got its code"


def test_an_activation_code_alone_signs_nobody_in(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = code_realm(realm_factory, sms_outbox)
    joiner = told("wy7501", "+8613900007501")
    queue_at_once(realm.realm, [joiner])
    visitor = Visitor(realm)
    before = sms_outbox.last_id()
    ask_activation(visitor, joiner.username)
    step = visitor.code(sms_outbox.wait_for_code(joiner.phone, after=before))
    assert isinstance(step, LoginPage) and "password-new" in step.text, "the code leads to the new password"

    final = visitor.submit(**{"password-new": NEW_PASSWORD, "password-confirm": NEW_PASSWORD})

    assert isinstance(final, LoginPage), f"activation left Keycloak with HTTP {getattr(final, 'status_code', '?')}"
    assert final.form_id == LOGIN_FORM, f"expected the sign-in page, got form {final.form_id}"
    assert not re.search(r"[?&]code=", str(final.response.url)) and visitor.flow.final is None, "a code was issued"
    admin = realm.realm.admin()
    user_id = admin.get_user_id(joiner.username)
    assert admin.get_sessions(user_id) == [], "activation left a session"


def test_parallel_activation_and_reset_requests_send_one_code(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = code_realm(realm_factory, sms_outbox)
    joiner = told("wy7601", "+8613900007601")
    queue_at_once(realm.realm, [joiner])
    visitors = [Visitor(realm) for _ in range(20)]
    for n, visitor in enumerate(visitors):  # ten through 首次登录, ten through 忘记密码: one limiter
        activation_page(visitor) if n % 2 else visitor.forgot_password_page()

    answers = all_at_once([partial(v.submit, username=joiner.username) for v in visitors])
    settle(sms_outbox)

    shown = [(a.form_id, message(a)) if isinstance(a, LoginPage) else (None, str(a.status_code)) for a in answers]
    assert all(form == CODE_FORM for form, _ in shown), shown
    codes = [m for m in sms_outbox.messages(joiner.phone) if m.get("purpose") == "reset"]
    assert len(codes) == 1, f"{len(codes)} SMS for 20 parallel requests within the 60 s cool-down"

"""Issue 13.2: the help desk's "发送重置验证码" sends the person a code that 忘记密码 takes instead of a fresh one.

The person: one SMS with a code, 忘记密码, the 工号, that code, a new password, the sign-in page. The attacker who
knows the 工号 but not the code: the same pages, and every guess counts toward the lockout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from playwright.sync_api import BrowserContext

from devstack.form_login import LoginPage
from devstack.sms_outbox import SmsOutbox, code_of
from tests.activation.drain import sent, wait_until
from tests.extension.conftest import SmsRealm
from tests.extension.flows import LOGIN_FORM, enter_code
from tests.security.attacks import choose_new_password, start_reset
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
)
from tests.support.activation_users import attributes_of, request_reset_code
from tests.support.realms import TestRealm

Contexts = Callable[..., BrowserContext]
Realms = Callable[..., TestRealm]


def help_desk_code(realm: SmsRealm, user_id: str, phone: str) -> str:
    """The help desk asks; the drain sends; returns the code the person reads."""
    before = len(sent(realm.outbox, realm.name, "reset-code", to=phone))
    request_reset_code(realm.realm, user_id, int(time.time() * 1000))
    wait_until(lambda: len(sent(realm.outbox, realm.name, "reset-code", to=phone)) > before, "the help desk's code")
    code = code_of(sent(realm.outbox, realm.name, "reset-code", to=phone)[-1])
    assert code
    return code


def test_the_person_resets_with_the_help_desk_code(sms_realm: SmsRealm, new_context: Contexts) -> None:
    username, phone = "wy7701", "+8613900007701"
    user_id = sms_realm.add_user(username, phone=phone)
    code = help_desk_code(sms_realm, user_id, phone)
    message = sent(sms_realm.outbox, sms_realm.name, "reset-code", to=phone)[-1]
    assert "忘记密码" in message["text"] and username in message["text"], message["text"]
    attributes = attributes_of(sms_realm.realm, user_id)
    assert "wuyeResetCodeRequested" not in attributes and "wuyeResetCodeSentAt" in attributes, attributes

    page = new_context().new_page()
    before = sms_realm.outbox.last_id()
    start_reset(page, sms_realm, username)
    enter_code(page, code)
    choose_new_password(page)

    assert page.locator(LOGIN_FORM).count() == 1 and "密码已修改" in page.content()
    settle(sms_realm.outbox)
    fresh = [m for m in sms_realm.outbox.messages(phone) if m["id"] > before]
    assert fresh == [], f"忘记密码 sent a fresh code beside the help desk's: {fresh}"
    assert sms_realm.realm.admin().get_sessions(user_id) == []


def test_an_attacker_with_the_employee_number_but_not_the_code_gets_nothing(
    realm_factory: Realms, sms_outbox: SmsOutbox
) -> None:
    realm = code_realm(realm_factory, sms_outbox)
    username, phone = "wy7801", "+8613900007801"
    user_id = realm.add_user(username, phone=phone)
    code = help_desk_code(realm, user_id, phone)
    wrong = "000000" if code != "000000" else "111111"

    attacker = Visitor(realm)
    attacker.forgot_password_page()
    page = attacker.submit(username=username)
    assert isinstance(page, LoginPage) and page.form_id == CODE_FORM
    answers = []
    for _ in range(5):
        answer = attacker.code(wrong)
        assert isinstance(answer, LoginPage) and "password-new" not in answer.text
        answers.append(answer)
        time.sleep(1.1)  # slower than Keycloak's quick-login check: the failure count itself decides
    status = (
        realm.realm.admin()
        .connection.raw_get(f"admin/realms/{realm.name}/attack-detection/brute-force/users/{user_id}")
        .json()
    )
    assert status["numFailures"] >= 5 or status["disabled"], f"wrong codes did not count: {status}"

    # the code itself is void now (its five tries are used up): even the right one gets nothing
    late = attacker.code(code)
    assert isinstance(late, LoginPage) and "password-new" not in late.text, "a guessed-out code still worked"


def test_the_pages_and_timing_are_the_same_with_a_help_desk_code_waiting(
    realm_factory: Realms, sms_outbox: SmsOutbox
) -> None:
    realm = code_realm(realm_factory, sms_outbox)
    tries = 6
    waiting = [f"wy79{n:02d}" for n in range(tries)]
    plain = [f"wy76{n:02d}" for n in range(tries)]
    for n, username in enumerate(waiting):
        phone = f"+86139000079{n:02d}"
        help_desk_code(realm, realm.add_user(username, phone=phone), phone)
    for n, username in enumerate(plain):
        realm.add_user(username, phone=f"+86139000076{n:02d}")

    pages: dict[str, list[LoginPage]] = {"waiting": [], "plain": []}
    times: dict[str, list[float]] = {"waiting": [], "plain": []}
    for w, p in zip(waiting, plain, strict=True):
        for kind, identifier in (("waiting", w), ("plain", p)):
            visitor = Visitor(realm)
            visitor.forgot_password_page()
            page, elapsed = timed(lambda v=visitor, i=identifier: v.submit(username=i))  # type: ignore[misc]
            assert isinstance(page, LoginPage)
            pages[kind].append(page)
            times[kind].append(elapsed)

    assert len({markup(p) for p in pages["waiting"] + pages["plain"]}) == 1, "the pages differ"
    assert_same_time(times["waiting"][1:], times["plain"][1:], "forgot password with a help-desk code waiting")


def _reset_with(visitor: Visitor, username: str, code: str) -> LoginPage:
    visitor.forgot_password_page()
    visitor.submit(username=username)
    answer = visitor.code(code)
    assert isinstance(answer, LoginPage)
    return answer


def test_the_help_desk_code_works_once(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = code_realm(realm_factory, sms_outbox)
    username, phone = "wy7811", "+8613900007811"
    code = help_desk_code(realm, realm.add_user(username, phone=phone), phone)

    assert "password-new" in _reset_with(Visitor(realm), username, code).text, "the person's use"
    assert "password-new" not in _reset_with(Visitor(realm), username, code).text, "the same code, a second time"


def test_the_help_desk_code_expires(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = code_realm(realm_factory, sms_outbox, wuyeCodeValiditySeconds="3")
    username, phone = "wy7821", "+8613900007821"
    code = help_desk_code(realm, realm.add_user(username, phone=phone), phone)
    time.sleep(4)

    before = sms_outbox.last_id()
    answer = _reset_with(Visitor(realm), username, code)
    assert "password-new" not in answer.text, "an expired help-desk code still worked"
    settle(sms_outbox)
    assert [m for m in sms_outbox.messages(phone) if m["id"] > before], (
        "with no code waiting, 忘记密码 sends a fresh one"
    )


def test_the_help_desk_code_works_once_even_in_parallel(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    """Five browsers (the person, and someone who read the SMS over their shoulder) submit the code together."""
    realm = code_realm(realm_factory, sms_outbox)
    username, phone = "wy7831", "+8613900007831"
    code = help_desk_code(realm, realm.add_user(username, phone=phone), phone)
    visitors = [Visitor(realm) for _ in range(5)]
    for visitor in visitors:
        visitor.forgot_password_page()
        visitor.submit(username=username)

    answers = all_at_once([partial(v.code, code) for v in visitors])

    reached = [a for a in answers if isinstance(a, LoginPage) and "password-new" in a.text]
    assert len(reached) == 1, f"{len(reached)} browsers reached the new password with one code"


def test_a_burst_of_parallel_guesses_gets_five_checks_of_the_help_desk_code(
    realm_factory: Realms, sms_outbox: SmsOutbox
) -> None:
    """Forty browsers guess at once. Whatever passes the lockout gate before a failure is recorded, the code is
    checked five times at most (its tries are taken atomically): at most four answers say "wrong, N more tries"."""
    realm = code_realm(realm_factory, sms_outbox)
    username, phone = "wy7841", "+8613900007841"
    user_id = realm.add_user(username, phone=phone)
    code = help_desk_code(realm, user_id, phone)
    wrong = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 41)]
    visitors = [Visitor(realm) for _ in wrong]
    for visitor in visitors:
        visitor.forgot_password_page()
        visitor.submit(username=username)

    answers = all_at_once([partial(v.code, guess) for v, guess in zip(visitors, wrong, strict=True)])

    said = [message(a) if isinstance(a, LoginPage) else str(a.status_code) for a in answers]
    assert not [a for a in answers if isinstance(a, LoginPage) and "password-new" in a.text]
    checked_wrong = [m for m in said if "验证码不正确" in m]
    print(
        f"40 parallel guesses: {len(checked_wrong)} 'wrong code' answers, {sum('作废' in m for m in said)} 'void', "
        f"{sum('锁定' in m for m in said)} 'locked'"
    )
    assert len(checked_wrong) <= 4, f"the code was checked more than its five tries: {said}"

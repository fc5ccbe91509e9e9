"""The attacker's hands for the code stories: Keycloak's real sign-in and forgot-password pages over HTTP.

Each ``Visitor`` is one browser as far as Keycloak can tell (its own cookie jar, its own authentication
session), so many of them can fire real parallel requests at one account. Realms come from
``tests.extension.conftest.make_sms_realm`` (bound to the SMS flow, sending to a dev outbox); the outbox here
is the extension tests' session fixture ``sms_outbox``, imported by the story modules.
"""

from __future__ import annotations

import html
import re
import secrets
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urljoin

import httpx

from devstack.form_login import _ERROR, FormLogin, LoginPage, loopback_client
from devstack.sms_outbox import SmsOutbox
from tests.extension.conftest import PASSWORD, SmsRealm, make_sms_realm
from tests.support.oidc_login import authorize_url, pkce_pair
from tests.support.realms import TestRealm

CODE_FORM = "wuye-code-form"
RESET_FORM = "kc-reset-password-form"
_RESET_LINK = re.compile(r"href=\"(?P<href>[^\"]*login-actions/reset-credentials[^\"]*)\"")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"https?://\S+|/realms/\S+")
_URL_IN_MARKUP = re.compile(r"(?:https?://|/realms/)[^\"'\s<>]*")
_DESTINATION = re.compile(r"id=\"wuye-code-destination\"[^>]*>(?P<text>.*?)</p>", re.DOTALL)

T = TypeVar("T")


def code_realm(realm_factory: Callable[..., TestRealm], outbox: SmsOutbox, **attributes: str) -> SmsRealm:
    """A fresh realm on the SMS flow, sending to ``outbox``, with extra realm attributes (``wuye*`` settings)."""
    realm = make_sms_realm(realm_factory, outbox)
    if attributes:
        current = realm.realm.admin().get_realm(realm.name)
        realm.update_realm(attributes={**(current.get("attributes") or {}), **attributes})
    return realm


def visible_text(page: LoginPage) -> str:
    """What a person reads on the page: no markup, scripts, URLs (they carry per-session ids) or extra spaces."""
    text = _TAG.sub(" ", _SCRIPT.sub(" ", page.text))
    text = _URL.sub(" ", html.unescape(text))
    return " ".join(text.split())


def markup(page: LoginPage) -> str:
    """The page's HTML without URLs (they carry per-session ids): hidden fields and attributes count too."""
    return _URL_IN_MARKUP.sub("URL", page.text)


def message(page: LoginPage) -> str:
    """Every error the page shows, joined ("" for none); ``LoginPage.error`` stops at the first, maybe empty, slot."""
    texts = (html.unescape(_TAG.sub("", m.group("text"))).strip() for m in _ERROR.finditer(page.text))
    return " ".join(t for t in texts if t)


def destination_text(page: LoginPage) -> str:
    """The code page's line that says where the code went and how long it is valid."""
    found = _DESTINATION.search(page.text)
    return " ".join(html.unescape(_TAG.sub(" ", found.group("text"))).split()) if found else ""


@dataclass
class Visitor:
    """One browser: its own cookies and authentication session on the realm's sign-in pages."""

    realm: SmsRealm
    locale: str = "zh-CN"
    client: httpx.Client = field(default_factory=loopback_client)

    def __post_init__(self) -> None:
        self.flow = FormLogin(self.client, self.realm.base_url)

    def close(self) -> None:
        self.client.close()

    def sign_in_page(self) -> LoginPage:
        _, challenge = pkce_pair()
        extra = {"ui_locales": self.locale} if self.locale != "zh-CN" else None
        step = self.flow.open(authorize_url(self.realm.realm, challenge, secrets.token_urlsafe(12), extra))
        assert isinstance(step, LoginPage), f"expected the sign-in page, got HTTP {step.status_code}"
        return step

    def forgot_password_page(self) -> LoginPage:
        page = self.sign_in_page()
        link = _RESET_LINK.search(page.text)
        assert link, "the sign-in page has no forgot-password link"
        step = self.flow.open(urljoin(str(page.response.url), html.unescape(link.group("href"))))
        assert isinstance(step, LoginPage) and step.form_id == RESET_FORM, "expected the forgot-password form"
        return step

    def submit(self, **fields: str) -> LoginPage | httpx.Response:
        return self.flow.submit(**fields)

    def password(self, identifier: str, password: str = PASSWORD) -> LoginPage | httpx.Response:
        return self.submit(username=identifier, password=password, credentialId="")

    def code(self, code: str) -> LoginPage | httpx.Response:
        return self.submit(code=code, action="verify")


def timed(action: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def all_at_once(actions: Sequence[Callable[[], T]]) -> list[T]:
    """Runs every action in its own thread, released together by a barrier: real parallel requests."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = actions[i]()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def settle(outbox: SmsOutbox, quiet_s: float = 1.5, timeout_s: float = 20.0) -> int:
    """Waits until the outbox got nothing new for ``quiet_s`` (codes may be delivered after the page answered)."""
    deadline = time.monotonic() + timeout_s
    last, since = outbox.last_id(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = outbox.last_id()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
    return last


def assert_same_time(known_s: Sequence[float], unknown_s: Sequence[float], what: str) -> None:
    """Medians of a few tries, interleaved by the caller, within a tolerance that holds on a loaded machine:
    80 ms or half the faster median, whichever is more (the leak it catches was a ~235 ms wait for the gateway)."""
    known_ms, unknown_ms = (
        statistics.median(known_s) * 1000,
        statistics.median(unknown_s) * 1000,
    )
    tolerance_ms = max(80.0, 0.5 * min(known_ms, unknown_ms))
    print(f"{what}: median known {known_ms:.0f} ms, unknown {unknown_ms:.0f} ms, tolerance {tolerance_ms:.0f} ms")
    assert abs(known_ms - unknown_ms) < tolerance_ms, (
        f"{what}: median for a known account {known_ms:.0f} ms, unknown {unknown_ms:.0f} ms "
        f"(tolerance {tolerance_ms:.0f} ms)"
    )


def at_once(realm: SmsRealm, identifiers: Sequence[str], forgot_password: bool) -> list[LoginPage | httpx.Response]:
    """One browser per identifier, all submitting together: forgot password, or sign-in with the right password.
    Waits for the outbox to settle before answering."""
    visitors = [Visitor(realm) for _ in identifiers]
    for visitor in visitors:
        visitor.forgot_password_page() if forgot_password else visitor.sign_in_page()
    answers = all_at_once(
        [
            partial(v.submit, username=i) if forgot_password else partial(v.password, i)
            for v, i in zip(visitors, identifiers, strict=True)
        ]
    )
    settle(realm.outbox)
    return answers

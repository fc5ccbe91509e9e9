"""Fixtures for the extension's end-to-end tests: the SMS outbox, realms bound to our flows, and Chromium.

Every test drives Debian's Chromium through Playwright against the session's real Keycloak, which runs with our
extension jar (``devstack.extensions``). A missing Keycloak or browser fails the run; nothing is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from devstack.paths import PROJECT_ROOT
from devstack.sms_outbox import SmsOutbox
from tests.support.browser import chromium
from tests.support.realms import TestRealm

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "extension"
SMS_BROWSER_FLOW = "wuye sms browser"
PASSWORD = "Wuye2026pass"


@pytest.fixture(scope="session")
def sms_outbox() -> Iterator[SmsOutbox]:
    outbox = SmsOutbox().start()
    try:
        yield outbox
    finally:
        outbox.stop()


@dataclass
class SmsRealm:
    """A fresh realm from the template, bound to the SMS browser flow, sending SMS to the test outbox."""

    realm: TestRealm
    outbox: SmsOutbox

    @property
    def name(self) -> str:
        return self.realm.name

    @property
    def base_url(self) -> str:
        return self.realm.endpoint.base_url

    @property
    def account_url(self) -> str:
        return f"{self.realm.issuer}/account/"

    def add_user(
        self,
        username: str,
        *,
        phone: str | None = None,
        email: str | None = None,
        roles: tuple[str, ...] = ("staff",),
        groups: tuple[str, ...] = (),
    ) -> str:
        attributes: dict[str, Any] = {"wuye_managed": ["true"]}
        if phone:
            attributes["phone_number"] = [phone]
        return self.realm.create_user(
            username,
            PASSWORD,
            email=email or f"{username}@example.com",
            realm_roles=roles,
            groups=groups,
            attributes=attributes,
        )

    def update_realm(self, **fields: Any) -> None:
        self.realm.admin().update_realm(self.name, fields)


def make_sms_realm(realm_factory: Callable[..., TestRealm], outbox: SmsOutbox, **realm_fields: Any) -> SmsRealm:
    realm = realm_factory()
    sms = SmsRealm(realm, outbox)
    current = realm.admin().get_realm(realm.name)
    attributes = dict(current.get("attributes") or {})
    attributes.update({"wuyeSmsSender": "dev-outbox", "wuyeSmsOutboxUrl": outbox.url, "wuyeSmsTimeoutMillis": "3000"})
    sms.update_realm(browserFlow=SMS_BROWSER_FLOW, attributes=attributes, **realm_fields)
    return sms


@pytest.fixture(scope="module")
def sms_realm(realm_factory: Callable[..., TestRealm], sms_outbox: SmsOutbox) -> SmsRealm:
    return make_sms_realm(realm_factory, sms_outbox)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # module scope, not session: a live sync Playwright keeps an asyncio loop running, which breaks
    # asyncio.run() and other Playwright users in the modules that follow
    with chromium() as launched:
        yield launched


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser profiles (no cookies), zh-CN first; all closed after the test."""
    made: list[BrowserContext] = []

    def make(locale: str = "zh-CN") -> BrowserContext:
        context = browser.new_context(locale=locale, viewport={"width": 1000, "height": 900})
        context.set_default_timeout(20_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path

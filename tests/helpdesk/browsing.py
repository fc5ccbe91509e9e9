"""Chromium for the help-desk tests: the browser and page fixtures, signing IT in, and reading the audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page

from sso.audit_chain import read_records
from tests.helpdesk.conftest import Desk
from tests.support.browser import chromium
from tests.workbench.browser_login import complete_required_actions, enter_otp, submit_credentials

TOTP_SECRETS: dict[str, str] = {}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    contexts = []

    def make() -> Page:
        context = browser.new_context(locale="zh-CN", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, desk: Desk, username: str, password: str, path: str = "/accounts") -> None:
    """Sign in through Keycloak's real form, answering OTP or enrolment if the post asks for it."""
    page.goto(f"{desk.url}{path}")
    submit_credentials(page, username, password)
    page.wait_for_load_state()
    if page.locator("#otp").count() and username in TOTP_SECRETS:
        enter_otp(page, TOTP_SECRETS[username], window_offset=1)
    else:
        secret = complete_required_actions(page, desk.url)
        if secret:
            TOTP_SECRETS[username] = secret
    page.wait_for_url(f"{desk.url}/**")


def audit_lines(desk: Desk) -> list[dict[str, object]]:
    return list(read_records(desk.audit_log)) if desk.audit_log.exists() else []

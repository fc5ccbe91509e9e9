"""The way into "首次登录 / 激活账号": the sign-in page's activation link, in Chromium and over plain HTTP."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

from playwright.sync_api import Page

from devstack.form_login import LoginPage
from tests.extension.conftest import SmsRealm
from tests.extension.flows import enter_code
from tests.security.attacks import start_reset
from tests.security.code_driver import RESET_FORM, Visitor

ACTIVATE_LINK = "#wuye-activate-link"
_ACTIVATE_HREF = re.compile(
    r"id=\"wuye-activate-link\"[^>]*href=\"(?P<href>[^\"]+)\"|href=\"(?P<first>[^\"]+)\"[^>]*id=\"wuye-activate-link\""
)


def start_activation(page: Page, realm: SmsRealm, identifier: str) -> None:
    """Sign-in page → 首次登录 / 激活账号 → the identifier; ends on the code page."""
    start_reset(page, realm, identifier, link=ACTIVATE_LINK)


def activate_with_code(page: Page, realm: SmsRealm, identifier: str, phone: str) -> None:
    before = realm.outbox.last_id()
    start_activation(page, realm, identifier)
    enter_code(page, realm.outbox.wait_for_code(phone, after=before))


def activation_page(visitor: Visitor) -> LoginPage:
    """The visitor follows the sign-in page's activation link; returns the identifier form."""
    page = visitor.sign_in_page()
    link = _ACTIVATE_HREF.search(page.text)
    assert link, "the sign-in page has no 首次登录 / 激活账号 link"
    href = link.group("href") or link.group("first")
    step = visitor.flow.open(urljoin(str(page.response.url), html.unescape(href)))
    assert isinstance(step, LoginPage) and step.form_id == RESET_FORM, "expected the activation form"
    return step

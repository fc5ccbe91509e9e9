"""Keycloak's sign-in pages driven in a real browser (Playwright + Debian's Chromium): every step in one place.

If the realm's browser flow changes (an SMS step, a new theme), this file is the one to update.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyotp
from playwright.sync_api import Page, expect

from tests.support.browser import chromium  # noqa: F401 - re-exported for the workbench tests

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "workbench"


def screenshot(page: Page, name: str) -> Path:
    """Save the end state of a test as ``test-artifacts/workbench/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def on_keycloak_login(page: Page) -> None:
    expect(page.locator("#kc-form-login")).to_be_visible()


def submit_credentials(page: Page, username: str, password: str) -> None:
    on_keycloak_login(page)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#kc-login")


def change_password(page: Page, new_password: str) -> None:
    """Keycloak's update-password page (temporary password, or a reset link)."""
    expect(page.locator("#password-new")).to_be_visible()
    page.fill("#password-new", new_password)
    page.fill("#password-confirm", new_password)
    page.locator("#kc-passwd-update-form [type=submit]").first.click()


def enrol_totp(page: Page) -> str:
    """Keycloak's CONFIGURE_TOTP page: read the secret as text ("unable to scan"), answer with a code."""
    page.click("#mode-manual")
    secret = re.sub(r"\s+", "", page.locator("#kc-totp-secret-key").inner_text())
    page.fill("#totp", pyotp.TOTP(secret).now())
    if page.locator("#userLabel").count():
        page.fill("#userLabel", "phone")
    page.locator("#kc-totp-settings-form [type=submit]").first.click()
    return secret


def enter_otp(page: Page, secret: str, window_offset: int = 0) -> None:
    """Answer the OTP form; ``window_offset=1`` uses the next 30 s window's code (the realm looks one ahead),
    so a test need not wait out a window whose code was already used (codes are single-use)."""
    expect(page.locator("#otp")).to_be_visible()
    totp = pyotp.TOTP(secret)
    page.fill("#otp", totp.at(time.time() + window_offset * totp.interval))
    page.click("#kc-login")


def error_message(page: Page) -> str:
    """The message Keycloak shows next to the form (wrong password, expired link...)."""
    locator = page.locator("#input-error, .pf-m-danger, .alert-error, .kc-feedback-text").first
    expect(locator).to_be_visible()
    return locator.inner_text().strip()


def request_password_reset(page: Page, username: str) -> None:
    """From the login page: "忘记密码?" → the reset form → submit the user name."""
    on_keycloak_login(page)
    page.locator("a[href*='reset-credentials']").first.click()
    page.fill("#username", username)
    page.locator("#kc-reset-password-form [type=submit]").first.click()


def complete_required_actions(page: Page, workbench_url: str, new_password: str | None = None) -> str | None:
    """Answer whatever Keycloak asks at a first sign-in, in its order, until the browser is back on the workbench.

    Password change (temporary password) takes ``new_password``; TOTP enrolment (managers) is answered
    from the secret shown as text. Returns the TOTP secret when one was enrolled.
    """
    secret: str | None = None
    for _ in range(6):
        page.wait_for_load_state()
        if page.url.startswith(workbench_url):
            return secret
        if page.locator("#kc-passwd-update-form").count():
            if new_password is None:
                raise AssertionError("Keycloak asks for a new password and the test gave none")
            change_password(page, new_password)
        elif page.locator("#kc-totp-settings-form").count():
            secret = enrol_totp(page)
        else:
            raise AssertionError(f"unexpected Keycloak page at {page.url}: {page.title()}")
        page.wait_for_url(lambda url: True)
    raise AssertionError("the first sign-in did not come back to the workbench")

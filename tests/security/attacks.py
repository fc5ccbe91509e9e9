"""What an attacker (or the account's owner) does on the login pages, beyond ``tests/extension/flows.py``."""

from __future__ import annotations

import base64

import pyotp
from playwright.sync_api import BrowserContext, Page

from devstack.smtp_sink import SmtpSink
from tests.extension.conftest import PASSWORD, SmsRealm
from tests.extension.flows import (
    enter_code,
    forget_sso_session,
    on_code_page,
    open_sign_in,
    sign_in_with_sms,
    signed_in,
    submit_password,
)

NEW_PASSWORD = "Reset2026pass"
TOTP_SECRET = "wuye-security-totp-secret-1"
#: Keycloak's TOTP enrolment page (CONFIGURE_TOTP) and its OTP form.
TOTP_ENROLMENT = "#kc-totp-settings, #kc-totp-secret-qr-code, #totp"
OTP_FORM = "#kc-otp-login-form"


def totp_now() -> str:
    return pyotp.TOTP(base64.b32encode(TOTP_SECRET.encode()).decode().rstrip("=")).now()


def add_user_with_totp(realm: SmsRealm, username: str, phone: str, roles: tuple[str, ...] = ("staff",)) -> str:
    """An account that already has an authenticator app (TOTP), imported as Keycloak would store it."""
    admin = realm.realm.admin()
    admin.connection.raw_post(
        f"admin/realms/{realm.name}/partialImport",
        data=__import__("json").dumps(
            {
                "ifResourceExists": "FAIL",
                "users": [
                    {
                        "username": username,
                        "enabled": True,
                        "email": f"{username}@example.com",
                        "emailVerified": True,
                        "firstName": "明",
                        "lastName": "王",
                        "realmRoles": list(roles),
                        "attributes": {"phone_number": [phone], "wuye_managed": ["true"]},
                        "credentials": [
                            {"type": "password", "value": PASSWORD, "temporary": False},
                            {
                                "type": "otp",
                                "userLabel": "手机",
                                "secretData": f'{{"value":"{TOTP_SECRET}"}}',
                                "credentialData": '{"subType":"totp","digits":6,"counter":0,"period":30,"algorithm":"HmacSHA1"}',
                            },
                        ],
                    }
                ],
            }
        ),
    )
    return str(admin.get_user_id(username))


def start_reset(page: Page, realm: SmsRealm, identifier: str, link: str = "text=忘记密码") -> None:
    """Sign-in page → 忘记密码 (or ``link``: 首次登录 / 激活账号 is the same flow) → the identifier; ends on the code page."""
    open_sign_in(page, realm)
    page.click(link)
    page.wait_for_selector("#kc-reset-password-form")
    page.fill("#username", identifier)
    page.click("#kc-form-buttons")
    page.wait_for_selector("#wuye-code-form")


def reset_by_sms_code(page: Page, realm: SmsRealm, identifier: str, phone: str) -> None:
    """The attacker's part: the account's identifier and the SMS code (stolen, or read off a borrowed phone)."""
    before = realm.outbox.last_id()
    start_reset(page, realm, identifier)
    enter_code(page, realm.outbox.wait_for_code(phone, after=before))


def reset_by_email_link(page: Page, realm: SmsRealm, identifier: str, email: str, smtp_sink: SmtpSink) -> None:
    """The other way: "use the email link instead", then the link from the mail, opened in the same browser."""
    start_reset(page, realm, identifier)
    page.wait_for_selector("#wuye-use-email-link")
    mails_before = len(smtp_sink.messages)
    page.click("#wuye-use-email-link")
    page.wait_for_load_state("domcontentloaded")
    mail = smtp_sink.wait_for(email, after=mails_before)
    link = next(link for link in mail.links() if "action-token" in link)
    page.goto(link.replace("&amp;", "&"))
    page.wait_for_load_state("domcontentloaded")


def reset_by(way: str, page: Page, realm: SmsRealm, username: str, phone: str, smtp_sink: SmtpSink) -> None:
    if way == "sms":
        reset_by_sms_code(page, realm, username, phone)
    else:
        reset_by_email_link(page, realm, username, f"{username}@example.com", smtp_sink)


def choose_new_password(page: Page, password: str = NEW_PASSWORD) -> None:
    page.wait_for_selector("#password-new")
    page.fill("#password-new", password)
    page.fill("#password-confirm", password)
    page.click("[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def trusted_browser(context: BrowserContext, realm: SmsRealm, identifier: str, phone: str) -> Page:
    """Sign in with the SMS code and "trust this browser"; prove the trust holds; end signed out, cookie kept."""
    page = context.new_page()
    sign_in_with_sms(page, realm, identifier, phone, trust=True)
    page = forget_sso_session(context)
    open_sign_in(page, realm)
    submit_password(page, identifier)
    assert signed_in(page, realm), "precondition: the trusted browser signs in without a code"
    return forget_sso_session(context)


def asked_for_a_code(page: Page, realm: SmsRealm, identifier: str, password: str = PASSWORD) -> bool:
    """Sign in with the password on this browser; True when the second-factor page comes."""
    open_sign_in(page, realm)
    submit_password(page, identifier, password)
    return on_code_page(page)

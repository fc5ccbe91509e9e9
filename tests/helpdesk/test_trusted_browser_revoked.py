"""A lost phone: the help desk's "sign out everywhere" must also stop the thief's trusted browser skipping the SMS code.

The person's browser is real (Chromium, our SMS flow, the code from the dev outbox); the help desk's action runs
through its own service account (``helpdesk`` client), exactly the call the /accounts button makes.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext

from devstack.sms_outbox import SmsOutbox
from sso.audit_chain import AuditChain, verify
from sso.principal import Principal
from sso.workbench.helpdesk.actions import perform
from sso.workbench.helpdesk.keycloak_api import KeycloakAdminApi
from sso.workbench.helpdesk.settings import HELPDESK_CLIENT_ID
from tests.extension.conftest import (
    SmsRealm,
    browser,
    make_sms_realm,
    new_context,
    sms_outbox,
)
from tests.extension.flows import (
    forget_sso_session,
    on_code_page,
    open_sign_in,
    sign_in_with_sms,
    signed_in,
    submit_password,
)
from tests.support.realms import TestRealm

__all__ = ["browser", "new_context", "sms_outbox"]  # fixtures used here
pytestmark = pytest.mark.browser


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    """asyncio.run in a thread of its own: the live sync Playwright holds this thread's loop."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def test_help_desk_sign_out_makes_the_lost_phones_trusted_browser_ask_for_a_code_again(
    realm_factory: Callable[..., TestRealm],
    sms_outbox: SmsOutbox,
    new_context: Callable[..., BrowserContext],
    tmp_path: Path,
) -> None:
    realm: SmsRealm = make_sms_realm(realm_factory, sms_outbox)
    phone = "+8613700001313"
    user_id = realm.add_user("e1313", phone=phone)
    context = new_context()
    sign_in_with_sms(context.new_page(), realm, "e1313", phone, trust=True)
    page = forget_sso_session(context)
    open_sign_in(page, realm)
    submit_password(page, "e1313")
    assert signed_in(page, realm), "before: the trusted browser should skip the SMS code"

    operator = Principal(
        subject="it-1",
        tenant=realm.name,
        employee_no="IT001",
        name="IT",
        ranks=frozenset({"staff"}),
        permissions=frozenset({"admin.accounts"}),
        departments=frozenset(),
        sites=frozenset(),
        realm_roles=frozenset(),
    )
    chain = AuditChain(tmp_path / "audit.jsonl")

    async def sign_out() -> None:
        async with httpx.AsyncClient(timeout=30) as http:
            api = KeycloakAdminApi(
                realm.realm.issuer, HELPDESK_CLIENT_ID, realm.realm.settings.helpdesk_client_secret, http
            )
            await perform(api, chain, operator, "sign-out", user_id, "e1313", "手机丢失 lost phone")

    time.sleep(1.1)  # Keycloak's not-before has whole seconds: the action must fall in a later second
    _run(sign_out())
    page = forget_sso_session(context)
    open_sign_in(page, realm)
    submit_password(page, "e1313")
    assert on_code_page(page), "after: the lost phone's browser still skips the SMS code"
    assert verify(chain.path).intact

"""Fixtures of the security stories: the extension's realms bound to the SMS flow, its outbox and Chromium.

The same fixtures as ``tests/extension`` (imported, not copied): every story runs against the real Keycloak with
our extension, through its real pages and endpoints. ``sms_workbench`` adds the staff workbench on such a realm.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from devstack.keycloak_server import free_port
from devstack.sms_outbox import SmsOutbox
from sso.workbench.app import create_app
from tests.extension.conftest import SmsRealm, browser, make_sms_realm, new_context, sms_outbox, sms_realm
from tests.support.realms import TestRealm
from tests.workbench.conftest import make_stack, stack, workbench_settings
from tests.workbench.server import serving

__all__ = ["SmsWorkbench", "browser", "make_stack", "new_context", "sms_outbox", "sms_realm", "sms_workbench", "stack"]


@dataclass(frozen=True)
class SmsWorkbench:
    """The staff workbench, served on a free port, signing in through a realm bound to the SMS flow."""

    realm: SmsRealm
    url: str


@pytest.fixture(scope="module")
def sms_workbench(realm_factory: Callable[..., TestRealm], sms_outbox: SmsOutbox) -> Iterator[SmsWorkbench]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    realm = make_sms_realm(functools.partial(realm_factory, workbench_url=url), sms_outbox)
    with serving(create_app(workbench_settings(realm.realm, url)), port):
        yield SmsWorkbench(realm, url)

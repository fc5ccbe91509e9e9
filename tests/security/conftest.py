"""Fixtures of the security stories: the extension's realms bound to the SMS flow, its outbox and Chromium.

The same fixtures as ``tests/extension`` (imported, not copied): every story runs against the real Keycloak with
our extension, through its real pages and endpoints.
"""

from __future__ import annotations

from tests.extension.conftest import browser, new_context, sms_outbox, sms_realm

__all__ = ["browser", "new_context", "sms_outbox", "sms_realm"]

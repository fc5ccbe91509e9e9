"""Fixtures of the activation tests: the extension's SMS realms, its outbox and Chromium (imported, not copied)."""

from __future__ import annotations

from tests.extension.conftest import browser, new_context, sms_outbox, sms_realm

__all__ = ["browser", "new_context", "sms_outbox", "sms_realm"]

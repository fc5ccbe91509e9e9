"""Shared fixtures: one real Keycloak per test session, a local SMTP sink, and fresh realms from the template.

A Keycloak that cannot start makes every test that needs it fail with the reason; nothing is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devstack.keycloak_modes import running_keycloak
from devstack.keycloak_server import KeycloakEndpoint
from devstack.smtp_sink import SmtpSink
from tests.support.realms import TestRealm, create_test_realm

logging.getLogger("httpx").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def keycloak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeycloakEndpoint]:
    with running_keycloak(tmp_path_factory.mktemp("keycloak")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture(scope="session")
def realm_factory(keycloak: KeycloakEndpoint, smtp_sink: SmtpSink) -> Callable[..., TestRealm]:
    """``realm_factory(**RealmSettings overrides)`` creates a fresh realm; SMTP points at the session's sink."""

    def make(**overrides: Any) -> TestRealm:
        overrides.setdefault("smtp_host", smtp_sink.host)
        overrides.setdefault("smtp_port", str(smtp_sink.port))
        return create_test_realm(keycloak, **overrides)

    return make


@pytest.fixture(scope="module")
def realm(realm_factory: Callable[..., TestRealm]) -> TestRealm:
    """A fresh realm for the test module."""
    return realm_factory()


#: Fixtures that start a real server (Keycloak, PostgreSQL, Redis, Chromium, mail or SMS sinks). A test that uses one,
#: directly or through another fixture, is marked ``services``; ``make test-fast`` runs every test that is not.
SERVICE_FIXTURES = frozenset(
    {
        "keycloak",
        "smtp_sink",
        "sms_outbox",
        "browser",
        "postgres",
        "redis_server",
        "cluster_stack",
        "oauth2_proxy_binary",
        "upstream",
        "vendor_keycloak",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by what they start, so the fast lane is chosen by the fixtures themselves, not a hand-kept list."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SERVICE_FIXTURES or item.get_closest_marker("browser") or item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.services)

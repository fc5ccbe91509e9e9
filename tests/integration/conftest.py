"""Fixtures for standard relying parties in front of the real realm: oauth2-proxy (built by devstack), a small
upstream, Redis, Chromium, and the SMS outbox of the extension's tests (the realm binds ``wuye sms browser``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.oauth2_proxy import built_oauth2_proxy
from devstack.redis_server import RedisServer, running_redis
from tests.extension.conftest import browser, new_context, sms_outbox
from tests.integration.upstream import EchoUpstream

__all__ = ["browser", "new_context", "sms_outbox"]


@pytest.fixture(scope="session")
def oauth2_proxy_binary() -> Path:
    """Built with ``go install`` the first time on this machine, then from ``~/.cache/wuye-sso``."""
    return built_oauth2_proxy()


@pytest.fixture(scope="module")
def upstream() -> Iterator[EchoUpstream]:
    server = EchoUpstream().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server

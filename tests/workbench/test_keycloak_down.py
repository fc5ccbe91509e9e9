"""Keycloak unreachable: the workbench answers 503 "登录服务暂不可用", keeps running, and recovers by itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from devstack.form_login import loopback_client
from devstack.keycloak_server import free_port
from sso.workbench.app import create_app
from sso.workbench.sessions import MemorySessionStore
from tests.support.realms import TestRealm
from tests.workbench.conftest import workbench_settings
from tests.workbench.http_login import sign_in
from tests.workbench.server import serving
from tests.workbench.tcp_proxy import TcpProxy


@pytest.fixture(scope="module")
def proxied(realm_factory: Callable[..., TestRealm]) -> Iterator[tuple[str, str, TcpProxy]]:
    """A workbench whose Keycloak is reached through a proxy that starts switched off."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    realm = realm_factory(workbench_url=url)
    keycloak = urlsplit(realm.endpoint.base_url)
    proxy_port = free_port()
    proxy = TcpProxy(proxy_port, keycloak.hostname or "127.0.0.1", keycloak.port or 80)
    keycloak_via_proxy = f"http://127.0.0.1:{proxy_port}"
    settings = workbench_settings(
        realm, url, issuer=f"{keycloak_via_proxy}/realms/{realm.name}", discovery_retry_seconds=0.2,
        jwks_min_refetch_seconds=0.2,
    )  # fmt: skip
    with serving(create_app(settings, store=MemorySessionStore()), port):
        employee = realm.create_user("e2001", "Start-2001-ok")
        assert employee
        try:
            yield url, keycloak_via_proxy, proxy
        finally:
            proxy.close()


def test_keycloak_down_gives_503_and_the_workbench_recovers(proxied: tuple[str, str, TcpProxy]) -> None:
    url, keycloak_via_proxy, proxy = proxied
    with httpx.Client() as client:
        down = client.get(f"{url}/auth/login?next=/workorders")
        assert down.status_code == 503
        assert "登录服务暂不可用" in down.text and "Sign-in service unavailable" in down.text
        assert down.headers["retry-after"]
        assert client.get(f"{url}/signed-out").status_code == 200  # still serving
    proxy.up()
    _wait_until_sign_in_answers(url)
    with loopback_client() as client:
        answer = sign_in(client, url, keycloak_via_proxy, "e2001", "Start-2001-ok")
        assert answer.status_code == 303
        assert client.get(f"{url}/").status_code == 200
        proxy.down()
        # Signed-in pages keep working on the session's valid access token while Keycloak is away
        assert client.get(f"{url}/").status_code == 200
        proxy.up()


def _wait_until_sign_in_answers(url: str, timeout: float = 10.0) -> None:
    """The workbench retries discovery on its own (after ``discovery_retry_seconds``); no restart needed."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        status = httpx.get(f"{url}/auth/login").status_code
        if status == 303:
            return
        assert status == 503 and time.monotonic() < deadline, f"still HTTP {status} after {timeout} s"
        time.sleep(0.1)

"""Two workbench instances behind one URL share sessions through Redis: either serves the employee,
and a back-channel logout received by one ends the session on both."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devstack.form_login import loopback_client
from devstack.keycloak_server import free_port
from devstack.redis_server import RedisServer, running_redis
from sso.workbench.app import create_app
from sso.workbench.sessions import RedisSessionStore
from tests.workbench.conftest import WorkbenchStack, workbench_settings
from tests.workbench.http_login import sign_in
from tests.workbench.server import serving


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(Path(tmp_path_factory.mktemp("redis"))) as server:
        yield server


@pytest.fixture(scope="module")
def two_instances(
    make_stack: Callable[..., WorkbenchStack], redis_server: RedisServer
) -> Iterator[tuple[WorkbenchStack, str]]:
    """Instance A is the realm's registered URL (Keycloak calls it back); B is a second process's view."""
    stack_a = make_stack(store=RedisSessionStore(redis_server.url), redis_url=redis_server.url)
    port_b = free_port()
    settings_b = workbench_settings(stack_a.realm, stack_a.url, redis_url=redis_server.url)
    with serving(create_app(settings_b), port_b) as url_b:
        yield stack_a, url_b


def test_an_employee_signed_in_on_one_instance_is_served_by_the_other(
    two_instances: tuple[WorkbenchStack, str],
) -> None:
    stack, other = two_instances
    employee = stack.employee(departments=("service",))
    with loopback_client() as client:
        sign_in(client, stack.url, stack.keycloak_url, *employee)
        home = client.get(f"{other}/")
        assert home.status_code == 200
        assert employee[0].upper() in home.text


def test_a_back_channel_logout_on_one_instance_ends_the_session_on_both(
    two_instances: tuple[WorkbenchStack, str],
) -> None:
    stack, other = two_instances
    username, password = stack.employee()
    with loopback_client() as client:
        sign_in(client, stack.url, stack.keycloak_url, username, password)
        assert client.get(f"{other}/").status_code == 200
        admin = stack.realm.admin()
        admin.user_logout(admin.get_user_id(username))  # Keycloak calls instance A
        assert client.get(f"{other}/").status_code == 303
        assert client.get(f"{stack.url}/").status_code == 303


def test_redis_holds_no_usable_session_id(two_instances: tuple[WorkbenchStack, str], redis_server: RedisServer) -> None:
    import redis

    stack, _ = two_instances
    with loopback_client() as client:
        sign_in(client, stack.url, stack.keycloak_url, *stack.employee())
        session_id = client.cookies.get("wuye_session")
        assert session_id
    keys = [k.decode() for k in redis.Redis.from_url(redis_server.url).keys("wuye:workbench:session:*")]
    assert keys and not any(session_id in k for k in keys)

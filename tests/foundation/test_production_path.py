"""The production path: Keycloak on PostgreSQL keeps the realm, its users and their sign-ins across restarts."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.distribution import POSTGRES_BUILD_OPTIONS, built_distribution
from devstack.extensions import extension_jars
from devstack.keycloak_server import LocalKeycloak, free_port
from devstack.postgres_server import PostgresDatabase, PostgresServer
from provisioning.realm_import import master_admin
from tests.support.oidc_login import workbench_tokens
from tests.support.realms import TestRealm, create_test_realm

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresDatabase]:
    root = Path(tempfile.mkdtemp(prefix="wuye-pg-"))
    server = PostgresServer(root)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def keycloak_on_postgres(
    postgres: PostgresDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalKeycloak]:
    server = LocalKeycloak(
        built_distribution(POSTGRES_BUILD_OPTIONS, providers=extension_jars()),
        tmp_path_factory.mktemp("keycloak-pg"),
        http_port=free_port(),
        management_port=free_port(),
        extra_args=(f"--db-url={postgres.jdbc_url}",),
        extra_env={"KC_DB_USERNAME": postgres.username, "KC_DB_PASSWORD": postgres.password},
    )
    try:
        yield server
    finally:
        server.stop()


def test_keycloak_on_postgresql_keeps_realm_and_users_across_a_restart(keycloak_on_postgres: LocalKeycloak) -> None:
    endpoint = keycloak_on_postgres.start()
    first_pid = keycloak_on_postgres.running_pid()
    realm: TestRealm = create_test_realm(endpoint)
    realm.create_user("wy3001", "Postgres2026pw", email="pg@example.com")
    assert "access_token" in workbench_tokens(realm, "wy3001", "Postgres2026pw")

    again = keycloak_on_postgres.start()  # a second start while it runs is a no-op
    assert keycloak_on_postgres.running_pid() == first_pid and again.base_url == endpoint.base_url

    assert keycloak_on_postgres.stop() is True
    assert keycloak_on_postgres.running_pid() is None
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{endpoint.base_url}/realms/master", timeout=2)

    endpoint = keycloak_on_postgres.start()
    assert keycloak_on_postgres.running_pid() != first_pid
    admin = master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password)
    assert realm.name in {r["realm"] for r in admin.get_realms()}
    assert "access_token" in workbench_tokens(realm, "wy3001", "Postgres2026pw")

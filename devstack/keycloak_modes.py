"""Choose how to reach Keycloak: an external server, a testcontainer, or the local distribution.

One code path for all three, so tests and ``make up`` do not care which one runs; the choice is logged.
- ``KEYCLOAK_URL`` set: an existing server (admin from ``KEYCLOAK_ADMIN_USERNAME``/``KEYCLOAK_ADMIN_PASSWORD``).
- ``WUYE_KEYCLOAK_MODE=container`` (and a Docker engine answers): the official image through testcontainers.
- otherwise: the official distribution fetched with Maven and run with Java on 127.0.0.1.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack.distribution import DEV_BUILD_OPTIONS, KEYCLOAK_VERSION, built_distribution
from devstack.errors import SetupError
from devstack.extensions import extension_jars
from devstack.keycloak_server import KeycloakEndpoint, LocalKeycloak, free_port

log = logging.getLogger(__name__)


def chosen_mode() -> str:
    if os.environ.get("KEYCLOAK_URL"):
        return "external"
    wanted = os.environ.get("WUYE_KEYCLOAK_MODE", "local")
    if wanted == "container":
        if not docker_answers():
            raise SetupError(
                "WUYE_KEYCLOAK_MODE=container, but no Docker engine answers here.",
                "Unset WUYE_KEYCLOAK_MODE to use the local distribution (Java + Maven), or start Docker.",
            )
        return "container"
    if wanted != "local":
        raise SetupError(f"WUYE_KEYCLOAK_MODE={wanted!r} is not a mode.", "Use local, container, or set KEYCLOAK_URL.")
    return "local"


def docker_answers() -> bool:
    docker = shutil.which("docker")
    if not docker:
        return False
    try:
        return subprocess.run([docker, "info"], capture_output=True, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def external_endpoint() -> KeycloakEndpoint:
    url = os.environ["KEYCLOAK_URL"].rstrip("/")
    user = os.environ.get("KEYCLOAK_ADMIN_USERNAME") or os.environ.get("KEYCLOAK_ADMIN")
    password = os.environ.get("KEYCLOAK_ADMIN_PASSWORD")
    if not user or not password:
        raise SetupError(
            f"KEYCLOAK_URL={url} is set but the master admin credentials are not.",
            "Set KEYCLOAK_ADMIN_USERNAME and KEYCLOAK_ADMIN_PASSWORD as well.",
        )
    return KeycloakEndpoint(base_url=url, admin_username=user, admin_password=password, mode="external")


def local_server(instance_dir: Path, http_port: int | None = None, management_port: int | None = None) -> LocalKeycloak:
    """A local server on given or free ports, with our extension built into the distribution."""
    distribution = built_distribution(DEV_BUILD_OPTIONS, providers=extension_jars())
    return LocalKeycloak(
        distribution,
        instance_dir,
        http_port=http_port or free_port(),
        management_port=management_port or free_port(),
    )


@contextmanager
def running_keycloak(instance_dir: Path) -> Iterator[KeycloakEndpoint]:
    """A Keycloak for the duration of the block (a test session); stopped afterwards if we started it."""
    mode = chosen_mode()
    log.info("Keycloak mode: %s", mode)
    if mode == "external":
        yield external_endpoint()
        return
    if mode == "container":
        with _container() as endpoint:
            yield endpoint
        return
    server = local_server(instance_dir)
    try:
        yield server.start()
    finally:
        server.stop()


@contextmanager
def _container() -> Iterator[KeycloakEndpoint]:
    from testcontainers.core.container import DockerContainer  # only where Docker answers
    from testcontainers.core.waiting_utils import wait_for_logs

    password = os.urandom(12).hex()
    container = (
        DockerContainer(f"quay.io/keycloak/keycloak:{KEYCLOAK_VERSION}")
        .with_env("KC_BOOTSTRAP_ADMIN_USERNAME", "admin")
        .with_env("KC_BOOTSTRAP_ADMIN_PASSWORD", password)
        .with_exposed_ports(8080)
        .with_command("start-dev --health-enabled=true")
    )
    jars = extension_jars()
    for jar in jars:
        container = container.with_volume_mapping(str(jar), f"/opt/keycloak/providers/{jar.name}", "ro")
    with container:
        wait_for_logs(container, "Listening on:", timeout=240)
        url = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(8080)}"
        yield KeycloakEndpoint(base_url=url, admin_username="admin", admin_password=password, mode="container")

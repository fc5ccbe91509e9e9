"""docker-compose.yml stays true to what the code reads: every service's environment is accepted by its settings."""

from __future__ import annotations

import re
from typing import Any

import yaml

from devstack.paths import PROJECT_ROOT
from sso.workbench.settings import WorkbenchSettings
from sso.workorder_api.settings import WorkorderApiSettings
from wuye_sso.cli import COMMANDS

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
SAMPLE_DOTENV = {
    "WUYE_SSO_PUBLIC_URL": "https://sso.example.com",
    "WUYE_REALM": "lvcheng",
    "WUYE_WORKBENCH_URL": "https://work.example.com",
    "WUYE_OWNER_APP_URL": "https://owner.example.com",
    "WUYE_WORKBENCH_CLIENT_SECRET": "s1",
    "WUYE_WORKORDER_API_CLIENT_SECRET": "s2",
}


def _environment(service: str) -> dict[str, str]:
    """The service's environment as compose would pass it, with ${VAR...} taken from a sample .env."""

    def substitute(value: Any) -> str:
        return re.sub(r"\$\{([A-Z0-9_]+)[^}]*\}", lambda m: SAMPLE_DOTENV.get(m.group(1), "x"), str(value))

    return {key: substitute(value) for key, value in COMPOSE["services"][service]["environment"].items()}


def test_the_workbench_service_environment_configures_the_workbench() -> None:
    settings = WorkbenchSettings.from_env(_environment("workbench"))
    assert settings.issuer == "https://sso.example.com/realms/lvcheng"
    assert settings.public_url == "https://work.example.com"
    assert settings.redis_url == "redis://redis:6379/0", "several instances must share sessions"
    assert settings.workorder_api_url == "http://workorder-api:8001"
    assert settings.secure_cookies


def test_the_workorder_api_service_environment_configures_the_api() -> None:
    settings = WorkorderApiSettings.from_env(_environment("workorder-api"))
    settings.check()
    assert settings.issuers == ("https://sso.example.com/realms/lvcheng",)
    assert settings.client_secret == "s2"


def test_compose_commands_are_wuye_sso_commands() -> None:
    for service in ("workbench", "workorder-api"):
        assert COMPOSE["services"][service]["command"][0] in COMMANDS

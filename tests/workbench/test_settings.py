"""Settings come from WUYE_* variables; a missing one is named in the error."""

from __future__ import annotations

import pytest

from sso.workbench.settings import SettingsError, WorkbenchSettings


def test_the_dev_stacks_variables_configure_the_workbench() -> None:
    settings = WorkbenchSettings.from_env({
        "WUYE_ISSUER": "http://127.0.0.1:8080/realms/lvcheng", "WUYE_CLIENT_ID": "staff-workbench",
        "WUYE_CLIENT_SECRET": "s3cret", "WUYE_WORKBENCH_URL": "http://127.0.0.1:8000/",
        "WUYE_WORKORDER_API_URL": "http://127.0.0.1:8001", "WUYE_REDIS_URL": "redis://127.0.0.1:6379/0",
    })  # fmt: skip
    assert settings.redirect_uri == "http://127.0.0.1:8000/auth/callback"
    assert settings.post_logout_redirect_uri == "http://127.0.0.1:8000/signed-out"
    assert settings.workorder_api_url == "http://127.0.0.1:8001"
    assert not settings.secure_cookies
    assert "s3cret" not in repr(settings)


def test_issuer_from_keycloak_url_and_realm() -> None:
    settings = WorkbenchSettings.from_env({
        "WUYE_KEYCLOAK_URL": "https://sso.example.com", "WUYE_REALM": "lvcheng",
        "WUYE_WORKBENCH_CLIENT_SECRET": "x", "WUYE_WORKBENCH_URL": "https://wb.example.com",
    })  # fmt: skip
    assert settings.issuer == "https://sso.example.com/realms/lvcheng"
    assert settings.secure_cookies


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"WUYE_WORKBENCH_URL": "http://127.0.0.1:8000", "WUYE_CLIENT_SECRET": "x"}, "WUYE_ISSUER"),
        ({"WUYE_ISSUER": "http://k/realms/r", "WUYE_CLIENT_SECRET": "x"}, "WUYE_WORKBENCH_URL"),
        ({"WUYE_ISSUER": "http://k/realms/r", "WUYE_WORKBENCH_URL": "http://w"}, "WUYE_WORKBENCH_CLIENT_SECRET"),
        (
            {
                "WUYE_ISSUER": "http://k/realms/r",
                "WUYE_WORKBENCH_URL": "http://w",
                "WUYE_CLIENT_SECRET": "x",
                "WUYE_WORKBENCH_MAX_SESSION_SECONDS": "ten hours",
            },
            "WUYE_WORKBENCH_MAX_SESSION_SECONDS",
        ),
    ],
)
def test_a_missing_or_malformed_setting_is_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        WorkbenchSettings.from_env(env)

"""The workbench refuses to start with an issuer that is not a Keycloak realm, naming ``WUYE_ISSUER``.

Story: IT sets ``WUYE_ISSUER=https://sso.example.com`` (the server, not the realm) or a realm URL with a stray
path. The workbench started, sent everyone to Keycloak, and then answered 500 after every code exchange (the
tenant is read from ``…/realms/<name>``). A setting that can only fail must fail at start, saying which one.
"""

from __future__ import annotations

import pytest

from sso.workbench import serve
from sso.workbench.settings import SettingsError, WorkbenchSettings

GOOD = {"WUYE_CLIENT_SECRET": "x", "WUYE_WORKBENCH_URL": "http://127.0.0.1:8000"}


@pytest.mark.parametrize(
    "issuer",
    [
        "http://127.0.0.1:8080",
        "http://127.0.0.1:8080/auth",
        "http://127.0.0.1:8080/realms/",
        "http://127.0.0.1:8080/realms/lvcheng/account",
        "http://127.0.0.1:8080/realms/lvcheng?x=1",
        "http://127.0.0.1:8080/admin/realms/lvcheng/users",
    ],
)
def test_a_workbench_with_a_non_realm_issuer_refuses_to_start_naming_wuye_issuer(
    issuer: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SettingsError, match="WUYE_ISSUER"):
        WorkbenchSettings.from_env({**GOOD, "WUYE_ISSUER": issuer})
    for name, value in {**GOOD, "WUYE_ISSUER": issuer}.items():
        monkeypatch.setenv(name, value)
    assert serve.main([]) == 2
    assert "WUYE_ISSUER" in capsys.readouterr().err


def test_a_realm_url_names_the_tenant() -> None:
    for issuer, realm in (("https://sso.example.com/realms/lvcheng", "lvcheng"),
                          ("http://127.0.0.1:8080/auth/realms/wanke-2", "wanke-2")):  # fmt: skip
        settings = WorkbenchSettings.from_env({**GOOD, "WUYE_ISSUER": issuer})
        assert settings.issuer == issuer and settings.tenant == realm

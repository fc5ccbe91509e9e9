"""docker-compose.yml stays true to what the code reads: every service's environment is accepted by its settings."""

from __future__ import annotations

import re
from pathlib import Path
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
    "WUYE_SSO_ADMIN_URL": "https://sso-admin.corp.example.com",
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


# -- the clustered shape (issue 14) and the admin console off the public hostname (issue 11 item 16) ----------
HAPROXY_CFG = PROJECT_ROOT / "deploy" / "haproxy" / "haproxy.cfg"


def test_compose_runs_two_keycloak_nodes_clustered_behind_the_balancer_only() -> None:
    keycloak = COMPOSE["services"]["keycloak"]
    env = _environment("keycloak")
    assert keycloak["deploy"]["replicas"] == 2 and COMPOSE["services"]["workbench"]["deploy"]["replicas"] == 2
    assert env["KC_CACHE"] == "ispn"
    assert "ports" not in keycloak and "ports" not in COMPOSE["services"]["workbench"], "only the balancer is published"
    assert "haproxy.cfg" in " ".join(COMPOSE["services"]["haproxy"]["volumes"])


def test_keycloak_believes_forwarded_headers_from_the_proxy_network_only() -> None:
    import ipaddress

    env = _environment("keycloak")
    assert env["KC_PROXY_HEADERS"] == "xforwarded"
    trusted = ipaddress.ip_network(env["KC_PROXY_TRUSTED_ADDRESSES"])
    edge = ipaddress.ip_network(COMPOSE["networks"]["edge"]["ipam"]["config"][0]["subnet"])
    proxy = ipaddress.ip_address(COMPOSE["services"]["haproxy"]["networks"]["edge"]["ipv4_address"])
    assert trusted == edge and proxy in trusted
    assert COMPOSE["services"]["keycloak"]["networks"] == ["edge", "data"], "only the proxy and the nodes are on edge"
    config = HAPROXY_CFG.read_text()
    assert "http-request set-header X-Forwarded-For %[src]" in config, "the proxy must overwrite X-Forwarded-For"
    assert "option forwardfor" not in config and "add-header X-Forwarded-For" not in config, (
        "appending lets clients forge"
    )


def test_the_admin_console_is_not_on_the_public_hostname() -> None:
    from devstack.haproxy import REFUSED_PUBLIC_PATHS

    env = _environment("keycloak")
    assert env["KC_HOSTNAME_ADMIN"] and env["KC_HOSTNAME_ADMIN"] != env["KC_HOSTNAME"]
    config = HAPROXY_CFG.read_text()
    assert f"acl refused path,url_dec,lower -m reg {REFUSED_PUBLIC_PATHS}" in config, "same rule as the dev cluster"
    assert "http-request deny deny_status 403 if sso_host refused" in config
    public = config.split("frontend public", 1)[1].split("\nfrontend ", 1)[0]
    assert "use_backend keycloak if sso_host" in public and public.index("deny") < public.index("use_backend")


def test_haproxy_loads_the_production_configuration(tmp_path: Path) -> None:
    """Debian's HAProxy 2.6 (the image's version) checks deploy/haproxy/haproxy.cfg, with a throw-away certificate."""
    import datetime
    import subprocess

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from devstack.haproxy import haproxy_binary

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sso.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    certs = tmp_path / "certs"
    certs.mkdir()
    (certs / "sso.pem").write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    config = tmp_path / "haproxy.cfg"
    config.write_text(HAPROXY_CFG.read_text().replace("/usr/local/etc/haproxy/certs/", f"{certs}/"))
    result = subprocess.run(
        [haproxy_binary(), "-c", "-f", str(config)],
        capture_output=True,
        text=True,
        check=False,
        env={"WUYE_SSO_HOST": "sso.example.com", "WUYE_WORKBENCH_HOST": "work.example.com"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_balancer_keeps_sign_ins_on_their_node_and_warms_a_returning_one_like_the_dev_cluster() -> None:
    """The affinity over AUTH_SESSION_ID and user sessions, the slow start and the workbench's safe retries are the
    same in both."""
    from devstack.haproxy import KEYCLOAK_AFFINITY, SLOWSTART_S, USER_SESSIONS_BACKEND

    config = HAPROXY_CFG.read_text()
    keycloak = config.split("\nbackend keycloak", 1)[1].split("\nbackend ", 1)[0]
    workbench = config.split("\nbackend workbench", 1)[1].split("\nbackend ", 1)[0]
    assert all(f"    {line}\n" in keycloak for line in KEYCLOAK_AFFINITY)
    assert "\n".join(USER_SESSIONS_BACKEND) + "\n" in config, "the user sessions' table, as in the dev cluster"
    assert f"slowstart {SLOWSTART_S}s" in keycloak
    assert "    retry-on conn-failure\n" in workbench, "a callback that reached an instance is never replayed"
    assert "level admin" in config, "the runtime API (drain a node) for rolling upgrades"

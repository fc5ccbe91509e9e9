"""The realm template: one file for every tenant, agreeing with the catalogue, with clear errors when broken."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from devstack.keycloak_server import KeycloakEndpoint
from devstack.paths import PROJECT_ROOT
from provisioning.realm_import import create_realm, master_admin
from provisioning.realm_template import (
    RealmSettings,
    RealmTemplateError,
    load_template,
    placeholders,
    render,
)
from sso import catalog
from tests.support.realms import new_settings

TEMPLATE = load_template()


def _composite_permissions(role: str, realm_roles: dict[str, Any]) -> set[str]:
    composites = realm_roles[role].get("composites", {})
    found = set(composites.get("client", {}).get(catalog.WORKBENCH_CLIENT_ID, []))
    for inner in composites.get("realm", []):
        found |= _composite_permissions(inner, realm_roles)
    return found


def test_rank_composites_grant_exactly_the_catalogue_permissions() -> None:
    realm_roles = {r["name"]: r for r in TEMPLATE["roles"]["realm"]}
    for rank, expected in catalog.RANK_PERMISSIONS.items():
        assert _composite_permissions(rank, realm_roles) == set(expected), rank


def test_department_groups_grant_exactly_the_catalogue_permissions() -> None:
    departments = next(g for g in TEMPLATE["groups"] if g["name"] == catalog.DEPARTMENTS_GROUP)["subGroups"]
    assert {g["name"] for g in departments} == set(catalog.DEPARTMENTS)
    for group in departments:
        granted = set(group.get("clientRoles", {}).get(catalog.WORKBENCH_CLIENT_ID, []))
        assert granted == set(catalog.DEPARTMENT_PERMISSIONS[group["name"]]), group["name"]
        assert group["attributes"]["name_zh"] == [catalog.DEPARTMENTS[group["name"]].label.zh]


def test_privileged_posts_carry_the_second_factor_role() -> None:
    realm_roles = {r["name"]: r for r in TEMPLATE["roles"]["realm"]}
    for rank in catalog.PRIVILEGED_RANKS:
        chain = {rank}
        while True:
            more = {i for r in chain for i in realm_roles[r].get("composites", {}).get("realm", [])} - chain
            if not more:
                break
            chain |= more
        assert catalog.MFA_REQUIRED_ROLE in chain, rank
    finance = next(g for top in TEMPLATE["groups"] for g in top["subGroups"] if g["name"] == "finance")
    assert catalog.MFA_REQUIRED_ROLE in finance["realmRoles"]


def test_every_sensitive_permission_carries_the_second_factor_role_itself() -> None:
    """Whoever holds a sensitive permission, by rank, department or a grant by hand, is always asked (issue 11.3)."""
    client_roles = {r["name"]: r for r in TEMPLATE["roles"]["client"][catalog.WORKBENCH_CLIENT_ID]}
    assert set(catalog.PERMISSIONS) >= catalog.SENSITIVE_PERMISSIONS
    assert catalog.FINANCE_PERMISSIONS <= catalog.SENSITIVE_PERMISSIONS
    for permission, role in client_roles.items():
        carries = catalog.MFA_REQUIRED_ROLE in role.get("composites", {}).get("realm", [])
        assert carries == (permission in catalog.SENSITIVE_PERMISSIONS), permission


def test_rendering_fills_every_placeholder_and_leaves_keycloak_message_keys_alone() -> None:
    settings = new_settings(company_name='绿城物业 "Green"')
    rendered = json.dumps(render(TEMPLATE, settings), ensure_ascii=False)
    assert not re.search(r"\$\{WUYE_", rendered)
    assert "${username}" in rendered  # user-profile display names are Keycloak message keys
    assert settings.workbench_client_secret in rendered
    assert render(TEMPLATE, settings)["displayName"] == '绿城物业 "Green"'


def test_a_broken_template_names_the_file_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "realm.json"
    broken.write_text('{\n  "realm": "x",\n  "enabled": true,,\n}\n')
    with pytest.raises(RealmTemplateError) as error:
        load_template(broken)
    assert str(broken) in str(error.value) and "line 3" in str(error.value)


def test_a_template_missing_a_field_names_its_json_path(tmp_path: Path) -> None:
    data = json.loads(json.dumps(TEMPLATE))
    del data["clients"][1]["clientId"]
    path = tmp_path / "realm.json"
    path.write_text(json.dumps(data))
    with pytest.raises(RealmTemplateError) as error:
        load_template(path)
    assert "$.clients[1].clientId" in str(error.value) and str(path) in str(error.value)


def test_a_template_without_the_workbench_client_is_refused(tmp_path: Path) -> None:
    data = json.loads(json.dumps(TEMPLATE))
    data["clients"] = [c for c in data["clients"] if c["clientId"] != catalog.WORKBENCH_CLIENT_ID]
    path = tmp_path / "realm.json"
    path.write_text(json.dumps(data))
    with pytest.raises(RealmTemplateError, match=r"\$\.clients: client 'staff-workbench' is missing"):
        load_template(path)


def test_an_unknown_placeholder_names_its_json_path() -> None:
    data = json.loads(json.dumps(TEMPLATE))
    data["smtpServer"]["host"] = "${WUYE_SMTP_HOSTNAME}"
    with pytest.raises(RealmTemplateError, match=r"\$\.smtpServer\.host: unknown placeholder"):
        render(data, new_settings())


def test_a_tenant_name_that_is_not_a_realm_name_is_refused() -> None:
    with pytest.raises(RealmTemplateError, match="not a realm name"):
        render(TEMPLATE, RealmSettings(realm="绿城", company_name="绿城物业"))


def test_keycloak_refusing_the_realm_names_the_template_file(keycloak: KeycloakEndpoint) -> None:
    data = render(TEMPLATE, new_settings())
    data["passwordPolicy"] = "length(10) and noSuchPolicy(3)"
    admin = master_admin(keycloak.base_url, keycloak.admin_username, keycloak.admin_password)
    with pytest.raises(RealmTemplateError) as error:
        create_realm(admin, data, "realm-export/realm-template.json")
    assert "realm-export/realm-template.json" in str(error.value)
    assert "HTTP 400" in str(error.value) or "HTTP 500" in str(error.value)


def test_docker_compose_sets_every_placeholder_the_template_uses() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    environment = compose["services"]["keycloak"]["environment"]
    names = set(environment) if isinstance(environment, dict) else {e.split("=", 1)[0] for e in environment}
    assert placeholders(TEMPLATE) <= names
    from devstack.distribution import KEYCLOAK_VERSION

    keycloak = compose["services"]["keycloak"]
    assert keycloak["build"]["args"]["KEYCLOAK_VERSION"] == KEYCLOAK_VERSION, "compose must pin the runtime's version"
    dockerfile = (PROJECT_ROOT / keycloak["build"]["dockerfile"]).read_text()
    assert f"ARG KEYCLOAK_VERSION={KEYCLOAK_VERSION}" in dockerfile
    assert "realm-template.json /opt/keycloak/data/import/" in dockerfile

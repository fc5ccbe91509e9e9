"""A downstream declaration with a mistake is refused whole, naming the file and the field (no Keycloak needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack.paths import PROJECT_ROOT
from sso.downstream.client import client_representation
from sso.downstream.declaration import DeclarationError, load_systems


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "systems.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_declaration_is_valid() -> None:
    systems = load_systems(PROJECT_ROOT / "examples" / "downstream.yaml")
    assert [s.client_id for s in systems] == ["billing", "reports", "grafana"]


@pytest.mark.parametrize(("body", "message"), [
    ("systems:\n  - {client_id: billing, redirect_uris: ['https://b.example.com/*']}",
     "$.systems[0].redirect_uris[0]: an exact http(s) URL without wildcards"),
    ("systems:\n  - {client_id: billing, redirect_uris: ['https://b.example.com/cb'], permissions: [billing.rule]}",
     "$.systems[0].permissions[0]: unknown permission 'billing.rule'"),
    ("systems:\n  - {client_id: staff-workbench, redirect_uris: ['https://b.example.com/cb']}",
     "$.systems[0].client_id: 'staff-workbench' is a client of the realm itself"),
    ("systems:\n  - {client_id: a-b, redirect_uris: ['https://b.example.com/cb'], groups: [departments]}",
     "$.systems[0].groups[0]: a full group path such as /departments"),
    ("systems:\n  - {client_id: a-b, redirect_uris: ['https://b.example.com/cb'], group: true}",
     "$.systems[0].group: unknown field"),
    ("systems:\n  - {client_id: a-b, redirect_uris: ['https://a.example.com/cb']}\n"
     "  - {client_id: a-b, redirect_uris: ['https://b.example.com/cb']}",
     "$.systems[1].client_id: 'a-b' is declared twice"),
])  # fmt: skip
def test_a_declaration_with_a_mistake_names_file_and_field(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(DeclarationError) as raised:
        load_systems(path)
    assert str(raised.value) == f"{path}: {message}" or str(raised.value).startswith(f"{path}: {message}")


def test_a_downstream_client_gets_no_role_claims_beyond_its_permissions() -> None:
    (system,) = load_systems(PROJECT_ROOT / "examples" / "downstream.yaml")[:1]
    client = client_representation(system)
    assert client["fullScopeAllowed"] is False and client["publicClient"] is False
    assert client["directAccessGrantsEnabled"] is False and client["implicitFlowEnabled"] is False
    assert "roles" not in client["defaultClientScopes"] and client["optionalClientScopes"] == []
    assert client["attributes"]["pkce.code.challenge.method"] == "S256"

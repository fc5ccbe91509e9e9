"""The realm template (``realm-export/realm-template.json``): load, check, and render it for one tenant.

The template uses ``${WUYE_*}`` placeholders that Keycloak's ``--import-realm`` resolves from the
environment (the docker-compose path); ``render`` resolves the same placeholders from a
``RealmSettings`` for the admin-API path, so both paths read one file. Errors name the file and the
JSON path of the problem, because a bare Keycloak stack trace helps nobody.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sso import catalog

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "realm-export" / "realm-template.json"
_PLACEHOLDER = re.compile(r"\$\{(WUYE_[A-Z0-9_]+)(?::([^}]*))?\}")
_REALM_NAME = re.compile(r"^[a-z][a-z0-9-]{1,35}$")


class RealmTemplateError(ValueError):
    """A problem in the realm template, named by file and JSON path (``$.clients[0].clientId``)."""

    def __init__(self, file: Path | str, path: str, message: str) -> None:
        self.file = str(file)
        self.path = path
        super().__init__(f"{file}: {path}: {message}")


@dataclass(frozen=True)
class RealmSettings:
    """Everything that differs between two tenants' realms; field ``x`` fills placeholder ``WUYE_X``."""

    realm: str
    company_name: str
    workbench_url: str = "http://127.0.0.1:8000"
    workbench_client_secret: str = ""
    workorder_api_client_secret: str = ""
    provisioner_client_secret: str = ""
    helpdesk_client_secret: str = ""
    owner_app_url: str = "http://127.0.0.1:8090"
    smtp_host: str = "127.0.0.1"
    smtp_port: str = "2525"
    smtp_from: str = "sso-noreply@example.com"
    #: Bound browser flow: "wuye sms browser" (工号/手机号/邮箱 + SMS code on new devices, the product default)
    #: or "wuye browser" (username/email + password, OTP for privileged posts only).
    browser_flow: str = "wuye sms browser"

    @classmethod
    def with_random_secrets(cls, realm: str, company_name: str, **given: str) -> RealmSettings:
        """A new tenant's settings: every client secret random unless ``given`` (an empty one is random too)."""
        fresh = {f.name: secrets.token_urlsafe(24) for f in fields(cls) if f.name.endswith("_client_secret")}
        return cls(realm=realm, company_name=company_name, **(fresh | {k: v for k, v in given.items() if v}))

    def variables(self) -> dict[str, str]:
        return {f"WUYE_{f.name.upper()}": str(getattr(self, f.name)) for f in fields(self)}

    def __repr__(self) -> str:  # secrets stay out of logs and test output
        return f"RealmSettings(realm={self.realm!r}, company_name={self.company_name!r})"


# -- structural check of the parts wuye-sso relies on -------------------------------------------
class _Named(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1)


class _Client(BaseModel):
    model_config = ConfigDict(extra="allow")
    clientId: str = Field(min_length=1)
    protocol: str = "openid-connect"


class _Roles(BaseModel):
    model_config = ConfigDict(extra="allow")
    realm: list[_Named]
    client: dict[str, list[_Named]] = {}


class _Group(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1)
    subGroups: list[_Group] = []


class _Realm(BaseModel):
    model_config = ConfigDict(extra="allow")
    realm: str
    enabled: bool
    clients: list[_Client]
    roles: _Roles
    groups: list[_Group]
    passwordPolicy: str
    bruteForceProtected: bool


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """Parse and check the template; a JSON error names file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RealmTemplateError(path, "$", f"cannot be read ({exc.strerror})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RealmTemplateError(
            path, "$", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    check_template(data, path)
    template: dict[str, Any] = data
    return template


def check_template(data: Any, file: Path | str = TEMPLATE_PATH) -> None:
    """Check the shape and the catalogue the rest of wuye-sso relies on."""
    if not isinstance(data, dict):
        raise RealmTemplateError(file, "$", "must be a JSON object (a Keycloak RealmRepresentation)")
    try:
        realm = _Realm.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RealmTemplateError(file, _json_path(first["loc"]), first["msg"]) from exc
    client_ids = [c.clientId for c in realm.clients]
    for wanted in (
        catalog.WORKBENCH_CLIENT_ID,
        catalog.OWNER_APP_CLIENT_ID,
        catalog.WORKORDER_API_CLIENT_ID,
        catalog.PROVISIONER_CLIENT_ID,
    ):
        if wanted not in client_ids:
            raise RealmTemplateError(file, "$.clients", f"client {wanted!r} is missing")
    realm_roles = {r.name for r in realm.roles.realm}
    for rank in catalog.RANKS:
        if rank not in realm_roles:
            raise RealmTemplateError(file, "$.roles.realm", f"rank role {rank!r} is missing")
    permissions = {r.name for r in realm.roles.client.get(catalog.WORKBENCH_CLIENT_ID, [])}
    missing = set(catalog.PERMISSIONS) - permissions
    if missing:
        raise RealmTemplateError(
            file, f"$.roles.client[{catalog.WORKBENCH_CLIENT_ID!r}]", f"permissions missing: {sorted(missing)}"
        )


def render(template: dict[str, Any], settings: RealmSettings, file: Path | str = TEMPLATE_PATH) -> dict[str, Any]:
    """Resolve every ``${WUYE_*}`` placeholder; an unknown one is an error naming its JSON path."""
    if not _REALM_NAME.match(settings.realm):
        raise RealmTemplateError(
            file, "$.realm", f"tenant {settings.realm!r} is not a realm name (lower-case letters, digits, '-')"
        )
    variables = settings.variables()

    def resolve(value: Any, path: str) -> Any:
        if isinstance(value, str):

            def substitute(match: re.Match[str]) -> str:
                name, default = match.group(1), match.group(2)
                if name in variables and variables[name] != "":
                    return variables[name]
                if default is not None:
                    return default
                if name in variables:
                    return ""
                raise RealmTemplateError(file, path, f"unknown placeholder ${{{name}}}")

            return _PLACEHOLDER.sub(substitute, value)
        if isinstance(value, list):
            return [resolve(item, f"{path}[{i}]") for i, item in enumerate(value)]
        if isinstance(value, dict):
            return {key: resolve(item, f"{path}.{key}") for key, item in value.items()}
        return value

    rendered: dict[str, Any] = resolve(copy.deepcopy(template), "$")
    return rendered


def placeholders(template: dict[str, Any]) -> set[str]:
    """Names of all placeholders the template uses (for docs and the compose file check)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.update(m.group(1) for m in _PLACEHOLDER.finditer(value))
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(template)
    return found


def _json_path(loc: tuple[int | str, ...]) -> str:
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path

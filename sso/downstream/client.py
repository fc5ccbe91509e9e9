"""A downstream system → Keycloak client representation: confidential, code flow + PKCE S256, few claims.

Only the ``basic``, ``profile`` and ``email`` scopes (no ``roles``: every realm and client role in the access
token is what pushed oauth2-proxy's cookie past 4 KB), full scope off so role claims list only the declared
permissions, ``name`` in the written order (``wuye-full-name-mapper``), and ``groups`` when declared. By default
the access token is Keycloak's lightweight one (oauth2-proxy keeps ID, access and refresh token in its session:
each claim in the access token would be paid twice); Keycloak refuses it at userinfo, hence the declaration's
``lightweight_access_token: false`` for RPs that call userinfo.
"""

from __future__ import annotations

from typing import Any

from sso import catalog
from sso.downstream.declaration import DownstreamSystem

#: Keycloak's built-in client scopes a downstream client keeps: sub/auth_time, name and 工号, email(_verified).
DEFAULT_SCOPES = ("basic", "profile", "email")
#: The access-token claim oauth2-proxy's keycloak-oidc provider reads for ``--allowed-role=<client>:<role>``.
PERMISSIONS_CLAIM = f"resource_access.{catalog.WORKBENCH_CLIENT_ID}.roles"

_IN_TOKENS = {"id.token.claim": "true", "access.token.claim": "true", "userinfo.token.claim": "true",
              "introspection.token.claim": "true"}  # fmt: skip


def protocol_mappers(system: DownstreamSystem) -> list[dict[str, Any]]:
    mappers: list[dict[str, Any]] = [
        _mapper("full name", "wuye-full-name-mapper", {}),
        _mapper("employee number", "oidc-usermodel-attribute-mapper", {
            "user.attribute": catalog.EMPLOYEE_NO_ATTRIBUTE, "claim.name": "employee_no", "jsonType.label": "String",
        }),
    ]  # fmt: skip
    # oauth2-proxy reads groups from the ID token; userinfo for other libraries; not in the access token
    if system.groups is True:
        mappers.append(_mapper("groups", "oidc-group-membership-mapper", {
            "full.path": "true", "claim.name": "groups", "access.token.claim": "false",
        }))  # fmt: skip
    elif system.groups:
        mappers.append(_mapper("groups", "wuye-visible-groups-mapper", {
            "group.prefixes": ",".join(system.groups), "access.token.claim": "false",
        }))  # fmt: skip
    if system.permissions:  # oauth2-proxy's --allowed-role reads them from the access token only
        mappers.append(_mapper("permissions", "oidc-usermodel-client-role-mapper", {
            "usermodel.clientRoleMapping.clientId": catalog.WORKBENCH_CLIENT_ID, "claim.name": PERMISSIONS_CLAIM,
            "multivalued": "true", "jsonType.label": "String", "lightweight.claim": "true",
            "id.token.claim": "false", "userinfo.token.claim": "false",
        }))  # fmt: skip
    return mappers


def client_representation(system: DownstreamSystem) -> dict[str, Any]:
    return {
        "clientId": system.client_id,
        "name": system.name,
        "description": "Downstream system declared with wuye-sso downstream (docs/INTEGRATION.md)",
        "enabled": True,
        "protocol": "openid-connect",
        "publicClient": False,
        "clientAuthenticatorType": "client-secret",
        "standardFlowEnabled": True,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": False,
        "frontchannelLogout": False,
        "fullScopeAllowed": False,
        "redirectUris": list(system.redirect_uris),
        "webOrigins": [],
        "attributes": {
            "pkce.code.challenge.method": "S256",
            "post.logout.redirect.uris": "+",
            # lightweight: only the basics and the mappers marked lightweight.claim (the permissions); name,
            # email, groups are in the ID token, not a second time in oauth2-proxy's cookie
            "client.use.lightweight.access.token.enabled": str(system.lightweight_access_token).lower(),
        },
        "defaultClientScopes": list(DEFAULT_SCOPES),
        "optionalClientScopes": [],
        "protocolMappers": protocol_mappers(system),
    }


def _mapper(name: str, kind: str, config: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "protocol": "openid-connect", "protocolMapper": kind, "consentRequired": False,
            "config": {**_IN_TOKENS, **config}}  # fmt: skip

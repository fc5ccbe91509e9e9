"""The authorization request (RFC 6749 §4.1.1 + OIDC Core §3.1.2.1) and what must be remembered until the callback.

``state`` binds the callback to this request (RFC 6749 §10.12), ``nonce`` binds the ID token to it
(OIDC Core §15.5.2), the PKCE verifier binds the code to it (RFC 7636). All three are fresh random
values per request, kept server-side in a ``PendingSignIn`` and used once.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any

from authlib.oauth2.rfc6749.parameters import prepare_grant_uri

from sso.oidc.discovery import ProviderMetadata
from sso.oidc.errors import AuthorizationResponseRejected
from sso.oidc.pkce import CHALLENGE_METHOD, code_challenge, new_code_verifier

SCOPE = "openid"


@dataclass(frozen=True)
class PendingSignIn:
    """A sign-in started but not finished: the secrets the callback must match, and where to go after."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    return_to: str
    created_at: float
    #: Started to give a second factor this session lacked (the web app's step-up), with ``prompt=login``.
    step_up: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PendingSignIn:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


def start_authorization(
    metadata: ProviderMetadata,
    client_id: str,
    redirect_uri: str,
    return_to: str,
    *,
    ui_locales: str | None = None,
    prompt: str | None = None,
    step_up: bool = False,
) -> tuple[str, PendingSignIn]:
    """The URL to send the browser to, and the pending sign-in to keep until the callback.

    ``step_up`` forces a fresh sign-in (OIDC Core §3.1.2.1 ``prompt=login``): Keycloak runs the whole browser flow
    again, asking the second factor the account now requires, instead of reusing its SSO session.
    """
    if step_up:
        prompt = "login"
    pending = PendingSignIn(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        code_verifier=new_code_verifier(),
        redirect_uri=redirect_uri,
        return_to=return_to,
        created_at=time.time(),
        step_up=step_up,
    )
    url = prepare_grant_uri(
        metadata.authorization_endpoint,
        client_id,
        "code",
        redirect_uri=redirect_uri,
        scope=SCOPE,
        state=pending.state,
        nonce=pending.nonce,
        code_challenge=code_challenge(pending.code_verifier),
        code_challenge_method=CHALLENGE_METHOD,
        ui_locales=ui_locales,
        prompt=prompt,
    )
    return str(url), pending


def check_response_issuer(metadata: ProviderMetadata, iss: str | None) -> None:
    """RFC 9207 §2.4: the authorization response's ``iss`` must be our issuer, exactly.

    When the provider advertises ``authorization_response_iss_parameter_supported`` a missing ``iss`` is refused
    too; otherwise an ``iss`` that is present is still compared. Checked before the code is exchanged, so a code
    from another provider (mix-up attack) never reaches our token endpoint.
    """
    if iss is None:
        if metadata.authorization_response_iss_parameter_supported:
            raise AuthorizationResponseRejected(
                "authorization response lacks iss (RFC 9207), which the provider promises"
            )
        return
    if iss != metadata.issuer:
        raise AuthorizationResponseRejected("authorization response names another issuer (RFC 9207)")

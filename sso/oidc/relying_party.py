"""The relying party a web app drives: start a sign-in, finish it, refresh, end it, verify logout tokens.

Everything here is framework-free: the web app owns cookies, sessions and pages; this owns the protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from sso.jwks import JwksCache
from sso.oidc.access_token import AccessTokenChecks
from sso.oidc.authorization import PendingSignIn, check_response_issuer, start_authorization
from sso.oidc.discovery import Discovery, ProviderMetadata
from sso.oidc.errors import TokenRejected
from sso.oidc.id_token import IdTokenChecks
from sso.oidc.logout_token import LogoutRequest, LogoutTokenChecks
from sso.oidc.signed_jwt import KeySource, verified
from sso.oidc.tokens import TokenClient, TokenResponse


@dataclass(frozen=True)
class RelyingPartyConfig:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    leeway: int = 30

    def __post_init__(self) -> None:
        if not self.issuer.startswith(("https://", "http://")):
            raise ValueError(f"issuer must be an http(s) URL, got {self.issuer!r}")


@dataclass(frozen=True)
class SignIn:
    """A finished sign-in: verified ID-token and access-token claims, and the tokens (server-side only)."""

    tokens: TokenResponse
    id_claims: dict[str, Any]
    access_claims: dict[str, Any]

    @property
    def subject(self) -> str:
        return str(self.id_claims["sub"])

    @property
    def session_id(self) -> str | None:
        """Keycloak's session id (``sid``), the key of back-channel logout."""
        sid = self.id_claims.get("sid")
        return sid if isinstance(sid, str) else None


class RelyingParty:
    def __init__(self, config: RelyingPartyConfig, http: httpx.AsyncClient, keys: KeySource | JwksCache) -> None:
        self.config = config
        self.discovery = Discovery(config.issuer, http)
        self.tokens = TokenClient(config.client_id, config.client_secret, http)
        self.keys: KeySource = keys

    async def metadata(self) -> ProviderMetadata:
        return await self.discovery.metadata()

    async def start_sign_in(
        self, return_to: str, ui_locales: str | None = None, prompt: str | None = None, step_up: bool = False
    ) -> tuple[str, PendingSignIn]:
        metadata = await self.metadata()
        return start_authorization(
            metadata, self.config.client_id, self.config.redirect_uri, return_to, ui_locales=ui_locales, prompt=prompt,
            step_up=step_up,
        )  # fmt: skip

    async def finish_sign_in(self, pending: PendingSignIn, code: str, iss: str | None = None) -> SignIn:
        """Check the response's ``iss`` (RFC 9207), exchange the code (with the PKCE verifier), check both tokens."""
        metadata = await self.metadata()
        check_response_issuer(metadata, iss)
        tokens = await self.tokens.exchange_code(
            metadata.token_endpoint, code, pending.redirect_uri, pending.code_verifier
        )
        if tokens.id_token is None:
            raise TokenRejected("id_token", "token response carries no ID token (scope openid missing?)")
        id_claims = await self.verify_id_token(metadata, tokens.id_token, nonce=pending.nonce)
        access_claims = await self.verify_access_token(metadata, tokens.access_token, subject=str(id_claims["sub"]))
        return SignIn(tokens, id_claims, access_claims)

    async def refresh(self, refresh_token: str, subject: str, nonce: str | None) -> SignIn:
        """Refresh the tokens; a refreshed ID token must be about the same subject (OIDC Core §12.2)."""
        metadata = await self.metadata()
        tokens = await self.tokens.refresh(metadata.token_endpoint, refresh_token)
        id_claims: dict[str, Any] = {"sub": subject}
        if tokens.id_token is not None:
            id_claims = await self.verify_id_token(metadata, tokens.id_token, nonce=nonce, subject=subject)
        access_claims = await self.verify_access_token(metadata, tokens.access_token, subject=subject)
        return SignIn(tokens, id_claims, access_claims)

    async def verify_id_token(
        self, metadata: ProviderMetadata, token: str, nonce: str | None, subject: str | None = None
    ) -> dict[str, Any]:
        _, claims = await verified(token, self.keys, metadata.id_token_signing_alg_values_supported)
        checks = IdTokenChecks(
            issuer=metadata.issuer,
            client_id=self.config.client_id,
            nonce=nonce,
            subject=subject,
            leeway=self.config.leeway,
        )
        checks.validate(claims)
        return claims

    async def verify_access_token(self, metadata: ProviderMetadata, token: str, subject: str) -> dict[str, Any]:
        _, claims = await verified(token, self.keys, metadata.id_token_signing_alg_values_supported)
        AccessTokenChecks(metadata.issuer, self.config.client_id, subject, leeway=self.config.leeway).validate(claims)
        return claims

    async def verify_logout_token(self, token: str) -> LogoutRequest:
        metadata = await self.metadata()
        header, claims = await verified(token, self.keys, metadata.id_token_signing_alg_values_supported)
        return LogoutTokenChecks(metadata.issuer, self.config.client_id, leeway=self.config.leeway).validate(
            header, claims
        )

    async def end_session_url(
        self, id_token_hint: str | None, post_logout_redirect_uri: str, ui_locales: str | None
    ) -> str:
        """RP-initiated logout (OIDC RP-Initiated Logout 1.0 §2): where to send the browser."""
        metadata = await self.metadata()
        if metadata.end_session_endpoint is None:
            return post_logout_redirect_uri
        params = {"post_logout_redirect_uri": post_logout_redirect_uri, "client_id": self.config.client_id}
        if id_token_hint:
            params["id_token_hint"] = id_token_hint
        if ui_locales:
            params["ui_locales"] = ui_locales
        return f"{metadata.end_session_endpoint}?{urlencode(params)}"

"""The token endpoint (RFC 6749 §4.1.3, §6): exchange a code, refresh; client_secret_basic authentication."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from sso.oidc.errors import GrantRejected, ProviderUnavailable


@dataclass(frozen=True)
class TokenResponse:
    """A successful token response; ``*_expires_at`` are Unix times computed on receipt."""

    access_token: str
    id_token: str | None
    refresh_token: str | None
    access_expires_at: float
    refresh_expires_at: float | None

    def __repr__(self) -> str:  # tokens stay out of logs and tracebacks
        return (
            f"TokenResponse(access_expires_at={self.access_expires_at}, refresh_expires_at={self.refresh_expires_at})"
        )

    @classmethod
    def from_json(cls, data: dict[str, Any], received_at: float) -> TokenResponse:
        if data.get("token_type", "").lower() != "bearer" or not isinstance(data.get("access_token"), str):
            raise GrantRejected("invalid_response", "token response carries no bearer access token")
        expires_in = float(data.get("expires_in") or 60)
        refresh_in = data.get("refresh_expires_in")
        return cls(
            access_token=data["access_token"],
            id_token=data.get("id_token") if isinstance(data.get("id_token"), str) else None,
            refresh_token=data.get("refresh_token") if isinstance(data.get("refresh_token"), str) else None,
            access_expires_at=received_at + expires_in,
            # Keycloak: 0 means "no idle limit of its own" (offline tokens); treat as unknown.
            refresh_expires_at=received_at + float(refresh_in) if refresh_in else None,
        )


def basic_auth_header(client_id: str, client_secret: str) -> str:
    """RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding."""
    raw = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


class TokenClient:
    """Calls the token endpoint for one confidential client."""

    def __init__(self, client_id: str, client_secret: str, http: httpx.AsyncClient) -> None:
        self.client_id = client_id
        self._authorization = basic_auth_header(client_id, client_secret)
        self._http = http

    async def exchange_code(
        self, token_endpoint: str, code: str, redirect_uri: str, code_verifier: str
    ) -> TokenResponse:
        return await self._post(
            token_endpoint,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            },
        )

    async def refresh(self, token_endpoint: str, refresh_token: str) -> TokenResponse:
        return await self._post(token_endpoint, {"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def revoke_session(self, end_session_endpoint: str, refresh_token: str) -> None:
        """End the Keycloak session server-side with the refresh token (Keycloak's back-channel logout)."""
        try:
            await self._http.post(
                end_session_endpoint,
                data={"client_id": self.client_id, "refresh_token": refresh_token},
                headers={"Authorization": self._authorization},
            )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{end_session_endpoint} unreachable: {type(exc).__name__}") from exc

    async def _post(self, endpoint: str, form: dict[str, str]) -> TokenResponse:
        try:
            response = await self._http.post(
                endpoint,
                data=form,
                headers={"Authorization": self._authorization, "Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{endpoint} unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise ProviderUnavailable(f"{endpoint} answered HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise ProviderUnavailable(f"{endpoint} answered HTTP {response.status_code} without JSON") from exc
        if response.status_code != 200:
            # RFC 6749 §5.2: error codes only; Keycloak's description names the reason, never a token.
            raise GrantRejected(str(data.get("error", "invalid_request")), str(data.get("error_description", "")))
        return TokenResponse.from_json(data, received_at=time.time())

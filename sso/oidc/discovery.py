"""OpenID Provider metadata (OIDC Discovery 1.0), fetched lazily and retried, never hard-coded.

The workbench must start while Keycloak is down and recover by itself once it is back, so the
document is fetched on first use, a failure is remembered only for ``retry_after`` seconds (so a
burst of requests costs Keycloak one attempt, not one each), and a good document is kept for
``max_age`` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from sso.http_json import json_object
from sso.oidc.errors import ProviderUnavailable

_REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


@dataclass(frozen=True)
class ProviderMetadata:
    """The parts of the discovery document a relying party uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    id_token_signing_alg_values_supported: tuple[str, ...]
    #: RFC 9207 §3: the provider puts ``iss`` in every authorization response (Keycloak does).
    authorization_response_iss_parameter_supported: bool = False

    @classmethod
    def from_document(cls, document: Mapping[str, Any], expected_issuer: str) -> ProviderMetadata:
        """Discovery §4.3: the ``issuer`` in the document must be exactly the one we asked about."""
        missing = [name for name in _REQUIRED if not isinstance(document.get(name), str)]
        if missing:
            raise ProviderUnavailable(f"discovery document of {expected_issuer} lacks {', '.join(missing)}")
        if document["issuer"] != expected_issuer:
            raise ProviderUnavailable(
                f"discovery document names issuer {document['issuer']!r}, expected {expected_issuer!r}"
            )
        algs = document.get("id_token_signing_alg_values_supported") or ["RS256"]
        end_session = document.get("end_session_endpoint")
        return cls(
            issuer=document["issuer"],
            authorization_endpoint=document["authorization_endpoint"],
            token_endpoint=document["token_endpoint"],
            jwks_uri=document["jwks_uri"],
            end_session_endpoint=end_session if isinstance(end_session, str) else None,
            id_token_signing_alg_values_supported=tuple(str(a) for a in algs),
            authorization_response_iss_parameter_supported=document.get(
                "authorization_response_iss_parameter_supported"
            )
            is True,
        )


class Discovery:
    """``await discovery.metadata()``: the cached document, or one fetch (shared by concurrent callers)."""

    def __init__(
        self,
        issuer: str,
        http: httpx.AsyncClient,
        *,
        max_age: float = 3600.0,
        retry_after: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self._http = http
        self.max_age = max_age
        self.retry_after = retry_after
        self._clock = clock
        self._metadata: ProviderMetadata | None = None
        self._fetched_at = 0.0
        self._failed_at: float | None = None
        self._failure = ""
        self._lock = asyncio.Lock()
        #: Fetch attempts made (tests and benchmarks count calls to Keycloak).
        self.fetch_count = 0

    async def metadata(self) -> ProviderMetadata:
        cached = self._metadata
        if cached is not None and self._clock() - self._fetched_at < self.max_age:
            return cached
        async with self._lock:
            now = self._clock()
            if self._metadata is not None and now - self._fetched_at < self.max_age:
                return self._metadata
            if self._failed_at is not None and now - self._failed_at < self.retry_after:
                if self._metadata is not None:
                    return self._metadata  # an old document beats none while Keycloak is away
                raise ProviderUnavailable(self._failure)
            try:
                metadata = await self._fetch()
            except ProviderUnavailable as exc:
                self._failed_at, self._failure = self._clock(), str(exc)
                if self._metadata is not None:
                    return self._metadata
                raise
            self._metadata, self._fetched_at, self._failed_at = metadata, self._clock(), None
            return metadata

    async def _fetch(self) -> ProviderMetadata:
        url = f"{self.issuer}/.well-known/openid-configuration"
        self.fetch_count += 1
        try:
            response = await self._http.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{url} unreachable: {type(exc).__name__}") from exc
        return ProviderMetadata.from_document(json_object(response, url, ProviderUnavailable), self.issuer)

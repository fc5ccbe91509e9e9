"""``TokenVerifier``: is this bearer token an access token we trust, and who holds it?

The order of checks is chosen so that nothing an attacker controls costs Keycloak a request:

1. parse the compact JWS and refuse a disallowed ``alg`` (no key is even looked at for ``none``/HS*);
2. read the unverified ``iss`` and refuse an issuer we were not configured with, before any network
   call (each tenant's realm is a separate issuer; several can be trusted at once);
3. find the key by ``kid`` in that issuer's JWKS cache only (an unknown kid costs at most one
   rate-limited refetch, see ``sso.jwks``);
4. verify the signature, then the claims (``sso.verify.claims.AccessTokenClaims``);
5. optionally (``verify_active``) ask Keycloak's introspection endpoint whether it is still active.

The result is the shared typed ``sso.principal.Principal``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import httpx

from sso.jwks import JwksCache, JwksUnavailable, KeyNotFound
from sso.principal import Principal, principal_from_claims
from sso.verify.claims import AccessTokenClaims
from sso.verify.errors import InvalidToken, VerifierUnavailable
from sso.verify.introspection import IntrospectionClient, Introspector
from sso.verify.signature import ALLOWED_ALGORITHMS, CompactToken, parse, registry_for, verify_signature


@dataclass(frozen=True)
class TrustedIssuer:
    """One realm whose tokens we accept; ``introspection`` holds our client credentials there, if any."""

    url: str
    introspection: IntrospectionClient | None = None


@dataclass
class _IssuerState:
    keys: JwksCache
    claims: AccessTokenClaims
    introspector: Introspector | None


class TokenVerifier:
    """Verify access tokens of the configured issuers for ``audience``; thread-safe, sync and async."""

    def __init__(
        self,
        issuers: Iterable[str | TrustedIssuer],
        audience: str,
        *,
        algorithms: tuple[str, ...] = ALLOWED_ALGORITHMS,
        leeway: int = 30,
        min_refetch_interval: float = 10.0,
        max_key_age: float = 300.0,
        introspection_cache_seconds: float = 5.0,
        http: httpx.Client | None = None,
        timeout: float = 5.0,
        now: Callable[[], float] = time.time,
    ) -> None:
        if not audience:
            raise ValueError("audience must be set (e.g. 'workorder-api')")
        self.audience = audience
        self.algorithms = tuple(algorithms)
        self._registry = registry_for(self.algorithms)
        self._http = http or httpx.Client(timeout=timeout)
        self._issuers: dict[str, _IssuerState] = {}
        for item in issuers:
            trusted = item if isinstance(item, TrustedIssuer) else TrustedIssuer(item)
            url = trusted.url
            if url.endswith("/"):
                raise ValueError(f"issuer {url!r} must not end with '/' (issuers are compared exactly)")
            if url in self._issuers:
                raise ValueError(f"issuer {url!r} configured twice")
            keys = JwksCache(
                url, http=self._http, min_refetch_interval=min_refetch_interval, max_age=max_key_age
            )
            introspector = None
            if trusted.introspection is not None:
                introspector = Introspector(
                    _introspection_endpoint(keys), trusted.introspection, http=self._http,
                    cache_seconds=introspection_cache_seconds,
                )  # fmt: skip
            self._issuers[url] = _IssuerState(keys, AccessTokenClaims(url, audience, leeway, now), introspector)
        if not self._issuers:
            raise ValueError("at least one issuer must be trusted")

    @property
    def issuers(self) -> tuple[str, ...]:
        return tuple(self._issuers)

    def keys_of(self, issuer: str) -> JwksCache:
        return self._issuers[issuer].keys

    def introspector_of(self, issuer: str) -> Introspector | None:
        return self._issuers[issuer].introspector

    def can_introspect(self) -> bool:
        """Every trusted issuer has introspection credentials (else ``verify_active`` cannot serve all)."""
        return all(state.introspector is not None for state in self._issuers.values())

    # -- local verification ---------------------------------------------------------------------
    def verify_claims(self, token: str) -> dict[str, Any]:
        """The verified claims of an acceptable access token; ``InvalidToken`` naming the reason otherwise."""
        parsed, state = self._prepare(token)
        key = self._key(lambda: state.keys.key_for(parsed.kid or "", parsed.alg), parsed)
        return self._check(parsed, key, state)

    async def averify_claims(self, token: str) -> dict[str, Any]:
        parsed, state = self._prepare(token)
        try:
            key = await state.keys.akey_for(parsed.kid or "", parsed.alg)
        except KeyNotFound as exc:
            raise InvalidToken("unknown_key", str(exc)) from exc
        except JwksUnavailable as exc:
            raise VerifierUnavailable(str(exc)) from exc
        return self._check(parsed, key, state)

    def verify(self, token: str) -> Principal:
        return principal_from_claims(self.verify_claims(token))

    async def averify(self, token: str) -> Principal:
        return principal_from_claims(await self.averify_claims(token))

    # -- with introspection ---------------------------------------------------------------------
    def verify_active(self, token: str) -> Principal:
        """Verify locally, then ask Keycloak (RFC 7662) that the token is still active (short cache)."""
        claims = self.verify_claims(token)
        self._introspector(claims).require_active(token)
        return principal_from_claims(claims)

    async def averify_active(self, token: str) -> Principal:
        claims = await self.averify_claims(token)
        introspector = self._introspector(claims)
        await anyio.to_thread.run_sync(introspector.require_active, token)
        return principal_from_claims(claims)

    def close(self) -> None:
        self._http.close()

    # -- steps ------------------------------------------------------------------------------------
    def _prepare(self, token: str) -> tuple[CompactToken, _IssuerState]:
        parsed = parse(token, self.algorithms)
        issuer = parsed.claims.get("iss")
        state = self._issuers.get(issuer) if isinstance(issuer, str) else None
        if state is None:
            raise InvalidToken("untrusted_issuer", f"issuer {issuer!r} is not trusted here")
        if parsed.kid is None:
            raise InvalidToken("missing_kid", "header has no 'kid' to choose the issuer's key")
        return parsed, state

    @staticmethod
    def _key(lookup: Callable[[], Any], parsed: CompactToken) -> Any:
        try:
            return lookup()
        except KeyNotFound as exc:
            raise InvalidToken("unknown_key", str(exc)) from exc
        except JwksUnavailable as exc:
            raise VerifierUnavailable(str(exc)) from exc

    def _check(self, parsed: CompactToken, key: Any, state: _IssuerState) -> dict[str, Any]:
        verify_signature(parsed, key, self._registry)
        state.claims.validate(parsed.claims)
        return parsed.claims

    def _introspector(self, claims: dict[str, Any]) -> Introspector:
        introspector = self._issuers[claims["iss"]].introspector
        if introspector is None:
            raise VerifierUnavailable(f"no introspection credentials configured for {claims['iss']}")
        return introspector


def _introspection_endpoint(keys: JwksCache) -> Callable[[], str]:
    """The issuer's ``introspection_endpoint`` from discovery (fetched with the keys)."""

    def endpoint() -> str:
        if keys.discovery is None:
            keys.refresh()
        if keys.discovery is None or not isinstance(keys.discovery.get("introspection_endpoint"), str):
            raise VerifierUnavailable(f"discovery of {keys.issuer} gives no introspection endpoint")
        return str(keys.discovery["introspection_endpoint"])

    return endpoint

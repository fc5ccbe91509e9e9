"""``TokenVerifier``: is this bearer token an access token we trust, and who holds it?

The order of checks is chosen so that nothing an attacker controls costs Keycloak a request:

1. parse the compact JWS and refuse a disallowed ``alg`` (no key is even looked at for ``none``/HS*);
2. read the unverified ``iss`` and refuse an issuer we were not configured with, before any network
   call (each tenant's realm is a separate issuer; several can be trusted at once);
3. find the key by ``kid`` in that issuer's JWKS cache only (an unknown kid costs at most one
   rate-limited refetch, see ``sso.jwks``);
4. verify the signature, then the claims (``sso.verify.claims.AccessTokenClaims``);
5. optionally (``verify_active``) ask Keycloak's introspection endpoint whether it is still active.

A token seen before is not re-checked cryptographically: its SHA-256 maps to the verified claims
and principal (``verified_cache_size`` entries, 0 turns it off). A hit still re-checks every time
claim (``exp``/``nbf``/``iat``) and that the signing key is still the issuer's current, non-stale key
object, so expiry, key rotation and key deletion act exactly as without the cache. A workbench
user's token is presented on every call for its 5-minute life, so most calls are hits.

The result is the shared typed ``sso.principal.Principal``.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import httpx

from sso.jwks import JwksCache, JwksUnavailable, KeyNotFound
from sso.jws import ALLOWED_ALGORITHMS, CompactToken, JwsRejected, VerifyingKey, parse
from sso.principal import Principal, principal_from_claims
from sso.verify.claims import AccessTokenClaims
from sso.verify.errors import InvalidToken, VerifierUnavailable
from sso.verify.introspection import IntrospectionClient, Introspector


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


class _Verified:
    """A token that passed: what it said, who it names, and the key object that vouched for it.

    A slotted class, not a frozen dataclass: one is made per verification on the hot path.
    """

    __slots__ = ("alg", "claims", "key", "kid", "principal", "state")

    def __init__(self, state: _IssuerState, kid: str | None, alg: str, key: VerifyingKey, claims: dict[str, Any]):
        self.state = state
        self.kid = kid
        self.alg = alg
        self.key = key
        self.claims = claims
        self.principal: Principal = principal_from_claims(claims)


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
        verified_cache_size: int = 10_000,
        http: httpx.Client | None = None,
        timeout: float = 5.0,
        now: Callable[[], float] = time.time,
    ) -> None:
        if not audience:
            raise ValueError("audience must be set (e.g. 'workorder-api')")
        self.audience = audience
        unknown = [a for a in algorithms if a not in ALLOWED_ALGORITHMS]
        if unknown:
            raise ValueError(f"algorithms {unknown} are not allowed for access tokens (asymmetric only)")
        self.algorithms = tuple(algorithms)
        self._http = http or httpx.Client(timeout=timeout)
        self.verified_cache_size = verified_cache_size
        self._verified: dict[bytes, _Verified] = {}
        self._verified_lock = threading.Lock()
        self._issuers: dict[str, _IssuerState] = {}
        for item in issuers:
            trusted = item if isinstance(item, TrustedIssuer) else TrustedIssuer(item)
            url = trusted.url
            if url.endswith("/"):
                raise ValueError(f"issuer {url!r} must not end with '/' (issuers are compared exactly)")
            if url in self._issuers:
                raise ValueError(f"issuer {url!r} configured twice")
            keys = JwksCache(url, http=self._http, min_refetch_interval=min_refetch_interval, max_age=max_key_age)
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
    def verify(self, token: str) -> Principal:
        """The principal of an acceptable access token; ``InvalidToken`` naming the reason otherwise."""
        return self._verify(token).principal

    async def averify(self, token: str) -> Principal:
        return (await self._averify(token)).principal

    def verify_claims(self, token: str) -> dict[str, Any]:
        """The verified claims (a deep copy: the cached original must not change) of an acceptable access token."""
        return copy.deepcopy(self._verify(token).claims)

    async def averify_claims(self, token: str) -> dict[str, Any]:
        return copy.deepcopy((await self._averify(token)).claims)

    # -- with introspection ---------------------------------------------------------------------
    def verify_active(self, token: str) -> Principal:
        """Verify locally, then ask Keycloak (RFC 7662) that the token is still active (short cache)."""
        verified = self._verify(token)
        self._introspector(verified).require_active(token)
        return verified.principal

    async def averify_active(self, token: str) -> Principal:
        verified = await self._averify(token)
        introspector = self._introspector(verified)
        await anyio.to_thread.run_sync(introspector.require_active, token)
        return verified.principal

    def close(self) -> None:
        self._http.close()

    # -- steps ------------------------------------------------------------------------------------
    def _verify(self, token: str) -> _Verified:
        digest, verified = self._recall(token)
        if verified is not None:
            return verified
        parsed, state = self._prepare(token)
        try:
            key = state.keys.key_for(parsed.kid, parsed.alg)
        except KeyNotFound as exc:
            raise InvalidToken("unknown_key", str(exc)) from exc
        except JwksUnavailable as exc:
            raise VerifierUnavailable(str(exc)) from exc
        return self._check(digest, parsed, key, state)

    async def _averify(self, token: str) -> _Verified:
        digest, verified = self._recall(token)
        if verified is not None:
            return verified
        parsed, state = self._prepare(token)
        try:
            key = await state.keys.akey_for(parsed.kid, parsed.alg)
        except KeyNotFound as exc:
            raise InvalidToken("unknown_key", str(exc)) from exc
        except JwksUnavailable as exc:
            raise VerifierUnavailable(str(exc)) from exc
        return self._check(digest, parsed, key, state)

    def _recall(self, token: str) -> tuple[bytes | None, _Verified | None]:
        """A previous verification of this exact token, if its key is still current; time claims re-checked."""
        if self.verified_cache_size <= 0 or not isinstance(token, str):
            return None, None
        digest = hashlib.sha256(token.encode("utf-8", "replace")).digest()
        verified = self._verified.get(digest)
        if verified is None:
            return digest, None
        if verified.state.keys.fresh_key(verified.kid, verified.alg) is not verified.key:
            self._forget(digest)  # keys changed or stale: verify from scratch (may refetch)
            return digest, None
        try:
            verified.state.claims.validate(verified.claims)
        except InvalidToken:
            self._forget(digest)
            raise
        return digest, verified

    def _prepare(self, token: str) -> tuple[CompactToken, _IssuerState]:
        try:
            parsed = parse(token, self.algorithms)
        except JwsRejected as exc:
            raise InvalidToken(exc.problem, exc.description) from exc
        issuer = parsed.claims.get("iss")
        state = self._issuers.get(issuer) if isinstance(issuer, str) else None
        if state is None:
            raise InvalidToken("untrusted_issuer", f"issuer {issuer!r} is not trusted here")
        if parsed.kid is None:
            raise InvalidToken("missing_kid", "header has no 'kid' to choose the issuer's key")
        return parsed, state

    def _check(self, digest: bytes | None, parsed: CompactToken, key: VerifyingKey, state: _IssuerState) -> _Verified:
        try:
            key.verify(parsed)
        except JwsRejected as exc:
            raise InvalidToken(exc.problem, exc.description) from exc
        state.claims.validate(parsed.claims)
        verified = _Verified(state, parsed.kid, parsed.alg, key, parsed.claims)
        if digest is not None:
            with self._verified_lock:
                self._verified[digest] = verified
                while len(self._verified) > self.verified_cache_size:
                    self._verified.pop(next(iter(self._verified)))  # oldest first
        return verified

    def _forget(self, digest: bytes) -> None:
        with self._verified_lock:
            self._verified.pop(digest, None)

    def _introspector(self, verified: _Verified) -> Introspector:
        introspector = verified.state.introspector
        if introspector is None:
            raise VerifierUnavailable(f"no introspection credentials configured for {verified.state.keys.issuer}")
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

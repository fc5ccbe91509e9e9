"""The signing keys of one token issuer (a Keycloak realm), cached: verify locally, ask Keycloak rarely.

A downstream service must check each token's signature without calling Keycloak per request, yet
follow key rotation without a restart and survive Keycloak being briefly unreachable. ``JwksCache``
does this for one issuer:

* **Discovery** (OpenID Connect Discovery 1.0 §4): ``{issuer}/.well-known/openid-configuration``
  gives ``jwks_uri``; the document's ``issuer`` must equal ours exactly (§4.3), or nothing is trusted.
* **Keys cached** by ``kid``; only signing keys (``use`` absent or ``sig``) of type RSA or EC are kept
  (Keycloak also publishes an ``RSA-OAEP`` encryption key, which never verifies a signature).
* **Unknown kid → one refetch**, rate-limited to one per ``min_refetch_interval`` seconds (10 s by
  default) per issuer, so a flood of tokens with bogus kids costs Keycloak at most one request per
  interval. Concurrent misses share one fetch.
* **Stale keys are re-read** after ``max_age`` seconds (keys Keycloak dropped stop verifying), but a
  failed fetch keeps the keys we have: **Keycloak unreachable → cached keys keep working**.
* **Thread-safe**: readers see an immutable snapshot; one lock serialises fetches.

API::

    cache = JwksCache("https://sso.example.com/realms/lvcheng")
    key = cache.key_for(kid="…", alg="RS256")        # sync; may fetch on a miss (a ``sso.jws.VerifyingKey``)
    key = await cache.akey_for(kid="…", alg="RS256")  # async twin; a miss fetches in a worker thread
    cache.refresh()            # fetch now unless rate-limited; returns whether a fetch happened
    cache.refresh(force=True)  # fetch now regardless of the rate limit (admin action, tests)
    cache.jwks_uri, cache.discovery   # after the first fetch: the URI and the discovery document
    cache.kids()               # kids currently cached
    cache.fresh_key(kid, alg)  # the cached key or None, never fetches (for result caches built on top)

``key_for`` raises ``KeyNotFound`` (no such key even after the permitted refetch) or
``JwksUnavailable`` (no keys at all: Keycloak never answered). Both derive from ``JwksError``.
``http`` may be any ``httpx.Client`` (tests inject faults through ``httpx.MockTransport``);
``clock`` is ``time.monotonic`` unless a test needs to move time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import httpx

from sso.http_json import json_object
from sso.jws import KEY_TYPE_OF, VerifyingKey

log = logging.getLogger(__name__)

#: Key types that can verify the asymmetric signatures we allow.
_SIGNING_KEY_TYPES = frozenset(KEY_TYPE_OF.values())


class JwksError(Exception):
    """The issuer's keys cannot give a key for this token."""


class KeyNotFound(JwksError):
    """No signing key with this ``kid`` (and a fitting type) is published by the issuer."""


class JwksUnavailable(JwksError):
    """The issuer's keys were never fetched successfully (discovery or JWKS unreachable or invalid)."""


@dataclass(frozen=True)
class _Snapshot:
    """What one successful fetch gave: replaced whole, never mutated, so readers need no lock."""

    keys: Mapping[str, VerifyingKey] = field(default_factory=dict)
    fetched_at: float | None = None


class JwksCache:
    """Signing keys of one issuer, cached with a rate-limited refetch on an unknown ``kid``."""

    def __init__(
        self,
        issuer: str,
        *,
        http: httpx.Client | None = None,
        min_refetch_interval: float = 10.0,
        max_age: float = 300.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not issuer.startswith(("https://", "http://")):
            raise ValueError(f"issuer must be an http(s) URL, got {issuer!r}")
        self.issuer = issuer
        self.min_refetch_interval = min_refetch_interval
        self.max_age = max_age
        self._http = http or httpx.Client(timeout=timeout)
        self._clock = clock
        self._snapshot = _Snapshot()
        self._fetch_lock = threading.Lock()
        #: The rate limit applies to refetches caused by an unknown kid while the keys are fresh (a
        #: flood of bogus kids), and to retries after a failed fetch (Keycloak down); a routine first
        #: load or stale refresh does not block the next unknown kid, so a rotation right after a
        #: fetch is still followed.
        self._last_miss_refetch: float | None = None
        self._last_failure: float | None = None
        self.discovery: dict[str, Any] | None = None
        #: Fetches made (successful or not): for tests and benchmarks that count calls to Keycloak.
        self.fetch_count = 0

    # -- reading keys -------------------------------------------------------------------------
    @property
    def jwks_uri(self) -> str | None:
        return None if self.discovery is None else str(self.discovery.get("jwks_uri"))

    def kids(self) -> frozenset[str]:
        return frozenset(self._snapshot.keys)

    def key_for(self, kid: str | None, alg: str) -> VerifyingKey:
        """The key with this ``kid`` fit for ``alg``; refetch once (rate-limited) if it is unknown or stale.

        ``kid=None`` (a token without ``kid``) gets the issuer's only signing key, and only when it publishes
        exactly one (OpenID Connect Core §10.1); with several keys a kid-less token names no key.
        """
        key = self._cached(kid, alg)
        if key is not None and not self._stale():
            return key
        self.refresh(wanted_kid=kid)
        return self._require(kid, alg)

    async def akey_for(self, kid: str | None, alg: str) -> VerifyingKey:
        """Async twin of ``key_for``: a hit costs no I/O; a miss fetches in a worker thread."""
        key = self._cached(kid, alg)
        if key is not None and not self._stale():
            return key
        await anyio.to_thread.run_sync(lambda: self.refresh(wanted_kid=kid))
        return self._require(kid, alg)

    def fresh_key(self, kid: str | None, alg: str) -> VerifyingKey | None:
        """The cached key if present and not stale; never fetches (for callers keeping their own caches)."""
        return None if self._stale() else self._cached(kid, alg)

    def _cached(self, kid: str | None, alg: str) -> VerifyingKey | None:
        keys = self._snapshot.keys
        if kid is None:
            only = list(keys.values())
            key = only[0] if len(only) == 1 else None
        else:
            key = keys.get(kid)
        return key if key is not None and key.fits(alg) else None

    def _require(self, kid: str | None, alg: str) -> VerifyingKey:
        key = self._cached(kid, alg)
        if key is not None:
            return key
        if self._snapshot.fetched_at is None:
            raise JwksUnavailable(f"no signing keys of {self.issuer} could be fetched")
        if kid is None:
            count = len(self._snapshot.keys)
            raise KeyNotFound(f"token names no kid and {self.issuer} publishes {count} signing keys, not exactly one")
        raise KeyNotFound(f"{self.issuer} publishes no {alg} signing key with kid {kid!r}")

    def _stale(self) -> bool:
        fetched_at = self._snapshot.fetched_at
        return fetched_at is None or self._clock() - fetched_at >= self.max_age

    # -- fetching -----------------------------------------------------------------------------
    def refresh(self, force: bool = False, wanted_kid: str | None = None) -> bool:
        """Fetch the keys unless rate-limited; returns whether a fetch was made.

        Concurrent callers queue on one lock; whoever finds the keys fresh (or ``wanted_kid``
        present) after waiting does not fetch again.
        """
        with self._fetch_lock:
            now = self._clock()
            fresh = not self._stale()
            if not force:
                if wanted_kid is not None and wanted_kid in self._snapshot.keys and fresh:
                    return False
                last = self._last_miss_refetch if fresh else self._last_failure
                if last is not None and now - last < self.min_refetch_interval:
                    return False
            if fresh:
                self._last_miss_refetch = now
            self.fetch_count += 1
            try:
                keys = self._fetch()
            except JwksError as exc:
                self._last_failure = now
                kept = len(self._snapshot.keys)
                log.warning("keys of %s not refreshed (%s); keeping %d cached key(s)", self.issuer, exc, kept)
                return True
            self._snapshot = _Snapshot(keys=keys, fetched_at=self._clock())
            log.info("keys of %s refreshed: %d signing key(s)", self.issuer, len(keys))
            return True

    def _fetch(self) -> dict[str, VerifyingKey]:
        if self.discovery is None:
            document = self._get_json(f"{self.issuer}/.well-known/openid-configuration")
            if document.get("issuer") != self.issuer:
                raise JwksUnavailable(
                    f"discovery document names issuer {document.get('issuer')!r}, expected {self.issuer!r}"
                )
            if not isinstance(document.get("jwks_uri"), str):
                raise JwksUnavailable(f"discovery document of {self.issuer} has no jwks_uri")
            self.discovery = document
        jwks = self._get_json(str(self.discovery["jwks_uri"]))
        return signing_keys(jwks, source=str(self.discovery["jwks_uri"]))

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = self._http.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise JwksUnavailable(f"{url} unreachable: {type(exc).__name__}") from exc
        return json_object(response, url, JwksUnavailable)

    def close(self) -> None:
        self._http.close()


def signing_keys(jwks: Mapping[str, Any], source: str = "JWKS") -> dict[str, VerifyingKey]:
    """The usable signing keys of a JWK Set (RFC 7517 §5), by ``kid``; others are skipped, not fatal.

    RFC 7517 §5: a member whose ``kty`` is not understood is ignored. We also skip keys without a
    ``kid`` (Keycloak always sets one, and a kid-less key could be picked for any token),
    encryption keys (``use: enc``) and symmetric keys (a public JWKS must never hold a secret).
    Each key becomes a ready ``VerifyingKey`` here, once per fetch, not once per token.
    """
    members = jwks.get("keys")
    if not isinstance(members, list):
        raise JwksUnavailable(f"{source}: no 'keys' array")
    keys: dict[str, VerifyingKey] = {}
    for index, member in enumerate(members):
        if not isinstance(member, dict):
            continue
        kid, kty, use = member.get("kid"), member.get("kty"), member.get("use")
        if kty not in _SIGNING_KEY_TYPES or not isinstance(kid, str) or not kid or use not in (None, "sig"):
            continue
        if member.get("alg") is not None and member.get("alg") not in KEY_TYPE_OF:
            continue
        try:
            keys[kid] = VerifyingKey.from_jwk(member)
        except (ValueError, TypeError) as exc:
            log.warning("%s: key #%d (kid %s) skipped: %s", source, index, kid, exc)
    return keys

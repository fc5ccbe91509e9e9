"""Token introspection (RFC 7662) for the few endpoints that must see a revocation at once (a leaver).

Local verification trusts a token until it expires (5 minutes in our realms); introspection asks
Keycloak whether the token is still ``active`` (its session not ended, the user not disabled). The
resource server authenticates as its own confidential client (``workorder-api``, RFC 7662 §2.1),
and answers are cached for ``cache_seconds`` (a few seconds: the point is to see revocation soon,
while a burst of calls with one token costs Keycloak one request). The cache key is a SHA-256 of
the token, so tokens are never kept in memory as keys or written to logs.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from sso.http_json import json_object
from sso.verify.errors import InvalidToken, VerifierUnavailable


@dataclass(frozen=True)
class IntrospectionClient:
    """The resource server's own client credentials at one issuer (never logged: ``repr`` hides the secret)."""

    client_id: str
    client_secret: str = field(repr=False)


class Introspector:
    """Ask one issuer's introspection endpoint whether tokens are active, with a short cache."""

    def __init__(
        self,
        endpoint: Callable[[], str],
        credentials: IntrospectionClient,
        *,
        http: httpx.Client | None = None,
        cache_seconds: float = 5.0,
        max_entries: int = 10_000,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._endpoint = endpoint
        self._credentials = credentials
        self._http = http or httpx.Client(timeout=timeout)
        self.cache_seconds = cache_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._cache: OrderedDict[bytes, tuple[float, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()
        #: Requests sent to Keycloak (tests and benchmarks count them).
        self.request_count = 0

    def require_active(self, token: str) -> dict[str, Any]:
        """The introspection answer for an active token; ``InvalidToken("inactive")`` otherwise."""
        answer = self.introspect(token)
        if answer.get("active") is not True:
            raise InvalidToken(
                "inactive", "Keycloak reports the token inactive (revoked, session ended or user disabled)"
            )
        return answer

    def introspect(self, token: str) -> dict[str, Any]:
        digest = hashlib.sha256(token.encode()).digest()
        now = self._clock()
        with self._lock:
            cached = self._cache.get(digest)
            if cached is not None and cached[0] > now:
                return cached[1]
        answer = self._ask(token)
        with self._lock:
            self._cache[digest] = (now + self.cache_seconds, answer)
            self._cache.move_to_end(digest)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return answer

    def _ask(self, token: str) -> dict[str, Any]:
        endpoint = self._endpoint()
        self.request_count += 1
        try:
            response = self._http.post(
                endpoint,
                data={"token": token, "token_type_hint": "access_token"},
                auth=(self._credentials.client_id, self._credentials.client_secret),
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise VerifierUnavailable(f"introspection endpoint {endpoint} unreachable: {type(exc).__name__}") from exc
        return json_object(response, f"introspection endpoint {endpoint}", VerifierUnavailable)

    def close(self) -> None:
        self._http.close()

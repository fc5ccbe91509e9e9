"""Fault injection between the verifier and Keycloak: never a substitute for Keycloak, only a way to break it.

* ``KeycloakRelay`` is an ``httpx`` transport that forwards every request to the real Keycloak, counts
  them, and can be switched ``down`` (connection refused) — a proxy we can stop.
* ``ForgedIssuer`` is an in-process identity provider serving discovery and a JWKS for a key the test
  holds, for the token shapes Keycloak will not issue (``nbf`` in the future, a chosen ``exp``…).
  Only tokens it signs are accepted by a verifier that trusts it: it never stands in for a realm.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey

FORGED_ISSUER = "http://forged-idp.test/realms/forged"


class KeycloakRelay(httpx.BaseTransport):
    """Forwards to the real Keycloak; ``down = True`` makes every request fail to connect."""

    def __init__(self, forged: ForgedIssuer | None = None) -> None:
        self._upstream = httpx.HTTPTransport()
        self._forged = forged
        self._lock = threading.Lock()
        self.down = False
        self.paths: Counter[str] = Counter()
        self.hosts: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self.paths.values())

    def count(self, suffix: str) -> int:
        """Requests whose path ends with ``suffix`` (``/certs``, ``/openid-configuration``, ``/introspect``)."""
        return sum(n for path, n in self.paths.items() if path.endswith(suffix))

    def client(self) -> httpx.Client:
        return httpx.Client(transport=self, timeout=10)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.paths[request.url.path] += 1
            self.hosts[request.url.host] += 1
        if self._forged is not None and str(request.url).startswith("http://forged-idp.test/"):
            return self._forged.answer(request)
        if self.down:
            raise httpx.ConnectError("relay stopped (fault injection)", request=request)
        response = self._upstream.handle_request(request)
        response.read()
        return response

    def close(self) -> None:
        self._upstream.close()


class ForgedIssuer:
    """An issuer we control: its own RSA key, discovery and JWKS; ``sign`` makes tokens it vouches for."""

    def __init__(self, issuer: str = FORGED_ISSUER) -> None:
        self.issuer = issuer
        self.key = RSAKey.generate_key(2048, parameters={"kid": "forged-key-1", "use": "sig", "alg": "RS256"})

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def answer(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/.well-known/openid-configuration"):
            body = {"issuer": self.issuer, "jwks_uri": f"{self.issuer}/protocol/openid-connect/certs"}
        elif request.url.path.endswith("/certs"):
            body = self.jwks()
        else:
            return httpx.Response(404)
        return httpx.Response(200, content=json.dumps(body), headers={"Content-Type": "application/json"})

    def sign(self, claims: dict[str, Any], header: dict[str, Any] | None = None, key: RSAKey | None = None) -> str:
        """Sign ``claims`` (RS256, our kid unless ``header`` says otherwise) with ``key`` or ours."""
        return jwt.encode({"alg": "RS256", "kid": self.key.kid, **(header or {})}, claims, key or self.key)

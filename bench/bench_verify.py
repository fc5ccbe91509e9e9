"""Verifications per second: our library through the Starlette adapter, beside raw joserfc and Keycloak's introspection.

Run: ``.venv/bin/python -m bench.bench_verify [--rounds 7] [--calls 2000] [--introspections 150]``.
Uses ``KEYCLOAK_URL`` (+ ``KEYCLOAK_ADMIN_USERNAME``/``KEYCLOAK_ADMIN_PASSWORD``) if set, else starts the local
distribution. A fresh realm and user give one real access token of ``staff-workbench``; it is deleted afterwards.

Measured, interleaved in each round (medians over rounds are printed):

* ``bare cryptography``: split the token, base64url-decode signature and payload, ``cryptography``'s RS256 verify with
  the public key object in hand, ``json.loads`` of the payload: the least any verifier must do (issue 11 item 13);
* ``raw joserfc``: ``joserfc.jwt.decode`` with the RSA key in hand + ``JWTClaimsRegistry`` (iss, aud, exp…): the floor
  any library built on joserfc pays;
* ``library core``: ``TokenVerifier.verify`` with the verified-token cache off (every call parses, checks the header
  allowlist, verifies the signature on the cached key object, checks the claims and builds the principal);
* ``adapter, cache off`` / ``adapter``: one direct ASGI call of a Starlette endpoint under
  ``@requires("workorder.view")``
  (header parsing, verification, principal, permission check, JSON response), cache off / on (the default; a
  workbench user's token is relayed on every call, so repeats are the common case);
* ``raw in starlette``: the raw joserfc check inside a bare Starlette endpoint (no adapter): the same-app baseline;
* ``starlette alone``: the same endpoint without authentication (what the framework itself costs);
* ``introspection``: sequential RFC 7662 requests to the real Keycloak (keep-alive client), what a service asking
  Keycloak on every call would get.

Targets (issue 5): the library through the adapter at least 80 % of raw, and at least 50x introspection.
Target (issue 11 item 13): the library core at least 80 % of bare cryptography, judged on this thread's CPU time,
interleaved per round (it hardly moves when other processes load the machine); the wall-time ratio and the load
average are printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from joserfc import jwt
from joserfc.jwk import RSAKey
from joserfc.jwt import JWTClaimsRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devstack.keycloak_modes import running_keycloak
from devstack.keycloak_server import KeycloakEndpoint
from provisioning.realm_import import master_admin
from sso import catalog
from sso.verify import TokenVerifier
from sso.verify.starlette import VERIFIER_STATE, current_principal, requires
from tests.support.realms import TestRealm, create_test_realm
from tests.verify.keycloak_tokens import sign_in

PASSWORD = "Bench-pass-2026"


@contextmanager
def bench_realm() -> Iterator[TestRealm]:
    with tempfile.TemporaryDirectory(prefix="wuye-bench-verify-") as tmp, running_keycloak(Path(tmp)) as endpoint:
        realm = create_test_realm(endpoint)
        try:
            yield realm
        finally:
            _delete_realm(endpoint, realm.name)


def _delete_realm(endpoint: KeycloakEndpoint, name: str) -> None:
    master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password).delete_realm(name)


def rate(function: Callable[[], object], calls: int) -> float:
    began = time.perf_counter()
    for _ in range(calls):
        function()
    return calls / (time.perf_counter() - began)


def cpu_rate(function: Callable[[], object], calls: int) -> float:
    """Calls per second of this thread's CPU time: what other processes on the machine barely change."""
    began = time.thread_time()
    for _ in range(calls):
        function()
    return calls / max(time.thread_time() - began, 1e-9)


class AsgiCaller:
    """Calls an ASGI app directly (no sockets, no HTTP client), as a server would hand it a request."""

    def __init__(self, app: Starlette, token: str) -> None:
        self.app = app
        self.headers = [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())]
        self.loop = asyncio.new_event_loop()

    async def _call(self, path: str) -> int:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": self.headers,
            "client": ("127.0.0.1", 50000), "server": ("bench", 80),
        }  # fmt: skip
        status = 0

        async def receive() -> MutableMapping[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])

        await self.app(scope, receive, send)
        return status

    def rate(self, path: str, calls: int) -> float:
        async def loop() -> float:
            if await self._call(path) != 200:
                raise RuntimeError(f"{path} did not answer 200")
            began = time.perf_counter()
            for _ in range(calls):
                await self._call(path)
            return calls / (time.perf_counter() - began)

        return self.loop.run_until_complete(loop())


def adapter_app(verifier: TokenVerifier, raw: Callable[[str], None]) -> Starlette:
    @requires("workorder.view")
    async def guarded(request: Request) -> Response:
        return JSONResponse({"employee_no": current_principal(request).employee_no})

    async def open_(request: Request) -> Response:
        return JSONResponse({"employee_no": "E0001"})

    async def raw_endpoint(request: Request) -> Response:
        raw(request.headers["authorization"][len("Bearer ") :])
        return JSONResponse({"employee_no": "E0001"})

    app = Starlette(routes=[Route("/guarded", guarded), Route("/open", open_), Route("/raw", raw_endpoint)])
    setattr(app.state, VERIFIER_STATE, verifier)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=2000, help="local verifications per measurement")
    parser.add_argument("--introspections", type=int, default=150, help="introspection requests per round")
    args = parser.parse_args(argv)

    with bench_realm() as realm:
        realm.create_user("b0001", PASSWORD)
        token = sign_in(realm, "b0001", PASSWORD).access_token
        jwks = httpx.get(f"{realm.issuer}/protocol/openid-connect/certs", timeout=10).json()
        key = RSAKey.import_key(next(k for k in jwks["keys"] if k["kid"] == _kid(token)))
        claims_registry = JWTClaimsRegistry(
            leeway=30,
            iss={"essential": True, "value": realm.issuer},
            aud={"essential": True, "value": catalog.WORKORDER_API_CLIENT_ID},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            typ={"essential": True, "value": "Bearer"},
        )

        def raw(presented: str = token) -> None:
            decoded = jwt.decode(presented, key, algorithms=["RS256"])
            claims_registry.validate(decoded.claims)

        public_key = key.public_key

        def bare(presented: str = token) -> None:
            head, payload, signature = presented.split(".")
            raw_signature = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
            public_key.verify(raw_signature, f"{head}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
            json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

        uncached = TokenVerifier([realm.issuer], audience=catalog.WORKORDER_API_CLIENT_ID, verified_cache_size=0)
        cached = TokenVerifier([realm.issuer], audience=catalog.WORKORDER_API_CLIENT_ID)
        uncached_caller = AsgiCaller(adapter_app(uncached, raw), token)
        cached_caller = AsgiCaller(adapter_app(cached, raw), token)
        introspect_url = f"{realm.issuer}/protocol/openid-connect/token/introspect"
        secret = realm.settings.workorder_api_client_secret
        keycloak = httpx.Client(timeout=30, auth=(catalog.WORKORDER_API_CLIENT_ID, secret))

        def introspect() -> None:
            answer = keycloak.post(introspect_url, data={"token": token, "token_type_hint": "access_token"})
            if answer.status_code != 200 or answer.json().get("active") is not True:
                raise RuntimeError(f"introspection answered HTTP {answer.status_code}")

        raw()  # warm up, and prove each path accepts the token
        bare()
        uncached.verify(token)
        introspect()
        figures: dict[str, list[float]] = {name: [] for name in (
            "bare cryptography", "raw joserfc", "library core", "raw in starlette", "adapter, cache off", "adapter",
            "starlette alone", "introspection")}  # fmt: skip
        cpu_ratios: list[float] = []
        for round_ in range(args.rounds):
            figures["bare cryptography"].append(rate(bare, args.calls))
            figures["raw joserfc"].append(rate(raw, args.calls))
            figures["library core"].append(rate(lambda: uncached.verify(token), args.calls))
            cpu_ratios.append(cpu_rate(lambda: uncached.verify(token), args.calls) / cpu_rate(bare, args.calls))
            figures["raw in starlette"].append(uncached_caller.rate("/raw", args.calls))
            figures["adapter, cache off"].append(uncached_caller.rate("/guarded", args.calls))
            figures["adapter"].append(cached_caller.rate("/guarded", args.calls))
            figures["starlette alone"].append(cached_caller.rate("/open", args.calls))
            figures["introspection"].append(rate(introspect, args.introspections))
            print(f"round {round_ + 1}/{args.rounds}: " + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in figures.items()),
                  file=sys.stderr)  # fmt: skip
        keycloak.close()
        uncached.close()
        cached.close()

    medians = {name: statistics.median(values) for name, values in figures.items()}
    load = os.getloadavg()
    raw_rate, introspection_rate = medians["raw joserfc"], medians["introspection"]
    print(f"\nToken verification, {args.rounds} rounds (medians), {args.calls} calls per local figure, "
          f"{args.introspections} introspections per round")  # fmt: skip
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, Keycloak at "
          f"{os.environ.get('KEYCLOAK_URL') or 'a local distribution'}, load average {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}\n")  # fmt: skip
    print(f"{'path':<22}{'verifications/s':>18}{'µs each':>10}{'vs raw':>9}{'vs introspection':>18}")
    for name, value in medians.items():
        ratios = f"{value / raw_rate:>8.0%} {value / introspection_rate:>16.1f}x"
        print(f"{name:<22}{value:>18,.0f}{1e6 / value:>10.1f}{ratios}")
    adapter, adapter_off = medians["adapter"], medians["adapter, cache off"]
    in_app = medians["raw in starlette"]
    print()
    print(f"same-app comparison, adapter vs raw joserfc in a bare Starlette endpoint: {adapter / in_app:.0%} "
          f"(cache off: {adapter_off / in_app:.0%})")  # fmt: skip
    verdict = "met" if adapter >= 0.8 * raw_rate else "MISSED"
    print(f"target 1, adapter >= 80% of raw:            {adapter / raw_rate:.0%} "
          f"(cache off: {adapter_off / raw_rate:.0%}) -> {verdict}")  # fmt: skip
    print(f"target 2, adapter >= 50x introspection:     {adapter / introspection_rate:.0f}x "
          f"(cache off: {adapter_off / introspection_rate:.0f}x) -> "
          f"{'met' if adapter >= 50 * introspection_rate else 'MISSED'}")  # fmt: skip
    core, bare_rate = medians["library core"], medians["bare cryptography"]
    cpu_ratio = statistics.median(cpu_ratios)
    print(f"target 3, library core >= 80% of bare cryptography: {core / bare_rate:.0%} wall, {cpu_ratio:.0%} CPU "
          f"(cache off; bare {1e6 / bare_rate:.1f} µs, core {1e6 / core:.1f} µs) -> "
          f"{'met' if cpu_ratio >= 0.8 else 'MISSED'} (judged on CPU time; wall time follows the load average)")  # fmt: skip
    print("Requests to Keycloak: local paths 2 (discovery + JWKS, once per verifier); introspection 1 per call.")
    return 0


def _kid(token: str) -> str:
    header = token.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"])


if __name__ == "__main__":
    raise SystemExit(main())

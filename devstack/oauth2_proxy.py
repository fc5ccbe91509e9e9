"""oauth2-proxy, pinned, built once with ``go install`` from the Go module proxy and cached like Keycloak.

Systems that cannot speak OIDC (收费, 报表, an old ERP) go behind oauth2-proxy (docs/INTEGRATION.md); the suite
runs the same binary in front of a small upstream. The build lands in ``~/.cache/wuye-sso/oauth2-proxy/<version>/``
(one builder at a time, across processes) and is reused by every later run. A running proxy is stopped by its own
pid, never by name; its secrets travel in its environment, never on its command line (``ps`` shows that).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devstack.distribution import _lock
from devstack.errors import SetupError
from devstack.keycloak_server import free_port
from devstack.paths import cache_dir
from devstack.processes import stop_child

log = logging.getLogger(__name__)

OAUTH2_PROXY_MODULE = "github.com/oauth2-proxy/oauth2-proxy/v7"
#: The version the suite and docs/INTEGRATION.md are tested with (issue 16 tried this one).
OAUTH2_PROXY_VERSION = "v7.15.6"
#: Where Go is looked for after ``$WUYE_GO`` and ``PATH``.
GO_FALLBACKS = (Path("/usr/local/go/bin/go"),)


def find_go() -> Path:
    """``$WUYE_GO``, then ``go`` on PATH, then /usr/local/go; a clear paragraph when there is none."""
    candidates = [os.environ.get("WUYE_GO"), shutil.which("go"), *map(str, GO_FALLBACKS)]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise SetupError(
        f"Go is not installed (looked at $WUYE_GO, PATH and {', '.join(map(str, GO_FALLBACKS))}); wuye-sso builds "
        f"oauth2-proxy {OAUTH2_PROXY_VERSION} with `go install` to test the integration of non-OIDC systems.",
        "Install Go 1.22 or newer from https://go.dev/dl/ (or `apt-get install -y golang-go`), or point WUYE_GO at "
        "a go binary, then run again. The build needs the Go module proxy (GOPROXY) once; later runs use the cache.",
    )


def built_oauth2_proxy(version: str = OAUTH2_PROXY_VERSION) -> Path:
    """The cached oauth2-proxy binary of ``version``, built with ``go install`` the first time only."""
    root = cache_dir() / "oauth2-proxy" / version
    binary = root / "oauth2-proxy"
    marker = root / "wuye-build.json"
    with _lock(cache_dir() / "oauth2-proxy" / f".{version}.lock"):
        if marker.exists() and binary.exists():
            return binary
        go = find_go()
        staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=root.parent))
        try:
            _go_install(go, version, staging)
            built = module_version(go, staging / "oauth2-proxy")
            if built != version:
                raise SetupError(
                    f"The oauth2-proxy built for {version} is module version {built!r}.",
                    "Delete ~/.cache/wuye-sso/oauth2-proxy and run again.",
                )
            (staging / "wuye-build.json").write_text(json.dumps({"module": OAUTH2_PROXY_MODULE, "version": version}))
            if root.exists():
                shutil.rmtree(root)
            staging.rename(root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return binary


def _go_install(go: Path, version: str, into: Path) -> None:
    log.info("building oauth2-proxy %s with go install (once; a few minutes)", version)
    env = dict(os.environ, GOBIN=str(into), CGO_ENABLED="0")
    result = subprocess.run(
        [str(go), "install", f"{OAUTH2_PROXY_MODULE}@{version}"],
        capture_output=True, text=True, env=env, cwd=into, check=False, timeout=1800,
    )  # fmt: skip
    if result.returncode != 0 or not (into / "oauth2-proxy").exists():
        raise SetupError(
            f"`go install {OAUTH2_PROXY_MODULE}@{version}` failed (exit {result.returncode}).",
            "Check that the Go module proxy is reachable (`go env GOPROXY`; a corporate mirror goes in GOPROXY) and "
            "that this Go is new enough for the module's go.mod, then run again.",
            (result.stdout + result.stderr)[-3000:],
        )


def module_version(go: Path, binary: Path) -> str | None:
    """The module version recorded in the binary (``go version -m``; ``--version`` says "undefined" for a plain
    ``go install``, which sets no ldflags)."""
    result = subprocess.run(
        [str(go), "version", "-m", str(binary)], capture_output=True, text=True, timeout=60, check=False
    )
    match = re.search(rf"^\s*mod\s+{re.escape(OAUTH2_PROXY_MODULE)}\s+(\S+)", result.stdout, re.MULTILINE)
    return match.group(1) if match else None


@dataclass(frozen=True)
class ProxyConfig:
    """The tested configuration of docs/INTEGRATION.md, as flags (secrets apart, see ``environment``)."""

    issuer: str
    client_id: str
    client_secret: str
    upstream: str
    cookie_secret: str
    #: Re-check the session at Keycloak this often: a leaver's refresh token stops working, so access ends.
    cookie_refresh: str = "30s"
    redis_url: str | None = None
    allowed_groups: tuple[str, ...] = ()
    allowed_roles: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def arguments(self) -> list[str]:
        args = [
            "--provider=keycloak-oidc",
            f"--oidc-issuer-url={self.issuer}",
            f"--client-id={self.client_id}",
            f"--redirect-url={self.url}/oauth2/callback",
            f"--http-address=127.0.0.1:{self.port}",
            f"--upstream={self.upstream}",
            "--code-challenge-method=S256",
            "--email-domain=*",
            "--scope=openid",
            # no --user-id-claim: in v7 it is a deprecated alias of --oidc-email-claim (the 工号 would replace the
            # email and the email_verified check would be skipped); the 工号 reaches the upstream as
            # X-Forwarded-Preferred-Username, X-Forwarded-User is Keycloak's stable subject id
            f"--cookie-refresh={self.cookie_refresh}",
            "--cookie-secure=false",  # plain http on 127.0.0.1 in the suite; production terminates TLS
            "--cookie-samesite=lax",
            "--skip-provider-button=true",
            "--pass-user-headers=true",
            "--reverse-proxy=false",
            "--request-logging=false",
        ]
        if self.redis_url:
            args += ["--session-store-type=redis", f"--redis-connection-url={self.redis_url}"]
        args += [f"--allowed-group={group}" for group in self.allowed_groups]
        args += [f"--allowed-role={role}" for role in self.allowed_roles]
        return args

    def environment(self) -> dict[str, str]:
        """Secrets go through the environment (oauth2-proxy reads ``OAUTH2_PROXY_<FLAG>``), not argv."""
        return {"OAUTH2_PROXY_CLIENT_SECRET": self.client_secret, "OAUTH2_PROXY_COOKIE_SECRET": self.cookie_secret}


class Oauth2Proxy:
    """One oauth2-proxy process on 127.0.0.1, logging to ``work_dir/oauth2-proxy.log``."""

    def __init__(self, binary: Path, config: ProxyConfig, work_dir: Path) -> None:
        self.binary = binary
        self.config = config
        self.log_path = work_dir / "oauth2-proxy.log"
        work_dir.mkdir(parents=True, exist_ok=True)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return self.config.url

    def start(self, timeout: float = 30.0) -> Oauth2Proxy:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OAUTH2_PROXY_")}
        env.update(self.config.environment())
        with self.log_path.open("ab") as log_file:
            self._process = subprocess.Popen(
                [str(self.binary), *self.config.arguments()],
                stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT, env=env,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                raise SetupError(
                    f"oauth2-proxy exited at start (code {self._process.returncode}).",
                    f"Its log is {self.log_path}; the end of it is below.",
                    self.log_tail(),
                )
            try:
                if httpx.get(f"{self.url}/ping", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise SetupError(
                    f"oauth2-proxy did not answer on {self.url}/ping within {timeout:.0f} s.",
                    f"See {self.log_path}.",
                    self.log_tail(),
                )
            time.sleep(0.1)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self._process is None:
            return
        stop_child(self._process, 10)
        self._process = None


@contextmanager
def running_oauth2_proxy(config: ProxyConfig, work_dir: Path, binary: Path | None = None) -> Iterator[Oauth2Proxy]:
    proxy = Oauth2Proxy(binary or built_oauth2_proxy(), config, work_dir).start()
    try:
        yield proxy
    finally:
        proxy.stop()


def cookie_chunks(names: Sequence[str], cookie_name: str = "_oauth2_proxy") -> list[str]:
    """The session cookie's parts: oauth2-proxy splits a cookie past 4 KB into ``<name>_0``, ``<name>_1``…"""
    pattern = re.compile(rf"^{re.escape(cookie_name)}(_\d+)?$")
    return sorted(n for n in names if pattern.match(n))

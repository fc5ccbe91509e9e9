"""The load balancer of the clustered stack: Debian's HAProxy, its configuration written from the ports in use.

Three front doors on 127.0.0.1, as in production (``deploy/haproxy/haproxy.cfg`` is the same design):

* **public SSO** (what staff browsers and the workbench reach): Keycloak's pages and tokens, but
  ``/admin`` and the ``master`` realm are refused (issue 11 item 16);
* **internal SSO** (IT and provisioning only): the admin console and admin API;
* **workbench**: the workbench instances, which share their sessions in Redis.

Every request's ``X-Forwarded-For`` is *overwritten* with the peer's address (never appended to), so
Keycloak, which trusts forwarded headers only from the proxy's address, sees a client IP nobody
can forge. Keycloak nodes are checked on ``/health/ready`` of their management port.

**Affinity over Keycloak's own cookie** (its reverse-proxy guide: sticky on ``AUTH_SESSION_ID``): the
node that answers a sign-in's first request creates its authentication session with a key it owns, and
every later request of that sign-in goes back to it (``KEYCLOAK_AFFINITY``), so the session is read and
written where it lives instead of across the cluster. A drained node still gets the sign-ins stuck to it
(``devstack/rolling_restart.py``); a down one does not (``option redispatch``), and the sign-in goes on
at another node, which holds the session's second copy.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from devstack.errors import SetupError

#: Paths the public front door refuses: the admin console/API and the master realm (any case, %-encoded or
#: with doubled slashes, since Keycloak normalises those too).
REFUSED_PUBLIC_PATHS = r"^/+(admin|realms/+master)(/|$)"


@dataclass(frozen=True)
class Backend:
    """One server behind the balancer: where it serves and where its health check answers."""

    name: str
    port: int
    check_port: int
    check_path: str


@dataclass(frozen=True)
class BalancerPorts:
    public_sso: int
    internal_sso: int
    workbench: int


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if found is None:
        raise SetupError(
            "HAProxy is not installed (the clustered stack's load balancer).",
            "Install Debian's package: `apt-get install -y haproxy` (scripts/install-system-packages.sh does it).",
        )
    return found


#: Seconds over which a Keycloak node back in the balancer reaches its full share (HAProxy's ``slowstart``).
SLOWSTART_S = 20

#: HAProxy's table of Keycloak user sessions: which node created each one (and so holds it).
USER_SESSIONS_TABLE = "keycloak_user_sessions"

#: A sign-in's requests stay on the node that started it: HAProxy remembers which server set each ``AUTH_SESSION_ID``
#: (its first 64 characters hold the session's id) for 30 minutes, Keycloak's longest sign-in. And every later
#: request about the user session goes to the node that created it too: the workbench's code exchange and token
#: refreshes carry no cookie, but the session's id is inside them (the code is ``<uuid>.<session id>.<client>``,
#: the refresh token's ``sid`` claim), and the sign-in's redirect names it (``session_state``). Without this, half
#: of those requests read and wrote the session across the cluster (bench/bench_cluster.py).
KEYCLOAK_AFFINITY = (
    "option http-buffer-request",
    "stick-table type string len 64 size 200k expire 30m",
    "stick on req.cook(AUTH_SESSION_ID)",
    f"stick match req.body_param(code),field(2,.) table {USER_SESSIONS_TABLE}",
    f"stick match req.body_param(refresh_token),jwt_payload_query('$.sid') table {USER_SESSIONS_TABLE}",
    "stick store-response res.cook(AUTH_SESSION_ID)",
    "stick store-response \"res.hdr(location),regsub('^.*[?&]session_state=([^&]*).*','\\\\1')\" "
    f"table {USER_SESSIONS_TABLE} if {{ res.hdr(location) -m sub session_state= }}",
)

#: The user sessions' table, as long as the realm's longest session (``ssoSessionMaxLifespan``, 10 h); a match
#: renews an entry.
USER_SESSIONS_BACKEND = (f"backend {USER_SESSIONS_TABLE}", "    stick-table type string len 64 size 500k expire 10h")


def render_config(
    ports: BalancerPorts,
    keycloak: Sequence[Backend],
    workbenches: Sequence[Backend],
    admin_socket: Path | None = None,
) -> str:
    """The whole ``haproxy.cfg``: loopback only, health-checked backends, L7 retries on a dead server, sign-ins
    kept on the node that started them; ``admin_socket``: the runtime API (drain a node) on that path, mode 0600."""
    runtime_api = f"\n    stats socket {admin_socket} mode 600 level admin" if admin_socket else ""
    affinity = "\n".join(f"    {line}" for line in KEYCLOAK_AFFINITY)
    user_sessions = "\n".join(USER_SESSIONS_BACKEND)

    def servers(backends: Sequence[Backend], options: str = "") -> str:
        checked = [f"    server {b.name} 127.0.0.1:{b.port} check port {b.check_port}{options}" for b in backends]
        # fail open: if every server fails its checks (a machine too busy to answer them in time), send traffic to
        # them unchecked rather than answer 503 to everyone; a dead one still refuses and the request is retried
        unchecked = [f"    server {b.name}-unchecked 127.0.0.1:{b.port} backup" for b in backends]
        return "\n".join(checked + unchecked + ["    option allbackups"])

    return f"""# Written by devstack/haproxy.py for the clustered dev stack; see deploy/haproxy/haproxy.cfg for production.
global
    maxconn 4096{runtime_api}
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 60s
    timeout server 30s
    timeout http-request 10s
    # a server that died mid-request, or is stopping and refuses new work (503): try the next one
    option redispatch 1
    retries 3
    retry-on conn-failure empty-response 503
    # a dead server refuses connections at once (and the request is retried on the next one); a live one must
    # miss three health checks of up to 5 s before it is taken out (a busy node answers slowly, it is not dead)
    default-server inter 1s fastinter 500ms downinter 1s fall 3 rise 2
    timeout check 5s

frontend sso_public
    bind 127.0.0.1:{ports.public_sso}
    http-request set-header X-Forwarded-For %[src]
    http-request set-header X-Forwarded-Proto http
    acl refused path,url_dec,lower -m reg {REFUSED_PUBLIC_PATHS}
    http-request deny deny_status 403 if refused
    default_backend keycloak

frontend sso_internal
    bind 127.0.0.1:{ports.internal_sso}
    http-request set-header X-Forwarded-For %[src]
    http-request set-header X-Forwarded-Proto http
    stats enable
    stats uri /haproxy-stats
    default_backend keycloak

frontend workbench
    bind 127.0.0.1:{ports.workbench}
    http-request set-header X-Forwarded-For %[src]
    default_backend workbench

backend keycloak
    balance roundrobin
{affinity}
    option httpchk GET /health/ready
    http-check expect status 200
    # a node back from a restart is cold (JIT, caches): its share of new requests grows over {SLOWSTART_S} s
{servers(keycloak, f" slowstart {SLOWSTART_S}s")}

backend workbench
    balance roundrobin
    # only a request that never reached an instance is sent again: a callback that reached one has used its
    # one-time state, and a replay of it would fail ("callback answered HTTP 400" in the rolling restart)
    retry-on conn-failure
    option httpchk GET /healthz
    http-check expect status 200
{servers(workbenches)}

{user_sessions}
"""


def check_config(path: Path) -> None:
    """``haproxy -c``: refuse a configuration HAProxy would not load, naming the file."""
    result = subprocess.run(
        [haproxy_binary(), "-c", "-q", "-f", str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SetupError(
            f"HAProxy refuses its configuration {path}.",
            "Its message is below.",
            (result.stdout + result.stderr)[-2000:],
        )

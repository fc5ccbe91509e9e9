"""A rolling restart of the Keycloak nodes, the way an upgrade is done: one node at a time, no sign-in lost.

For each node in turn:

1. **drain** it in HAProxy: new sign-ins go to the other nodes, while the sign-ins in flight there (HAProxy's
   stick table on their ``AUTH_SESSION_ID``) still reach it and finish; the token requests of the user sessions it
   created (HAProxy's user-session table) go to any node from now on, since every node can serve them;
2. **wait** until it has served its last request: nothing in flight and nothing sent to it for ``quiet``
   seconds, at most ``drain_timeout`` (a sign-in left on its form longer goes on at another node: every
   authentication session has a copy on a second node);
3. **stop** it (TERM: Keycloak answers "not ready", then stops), **start** it (the new version, when
   upgrading) and wait until it is ready, a member of the cluster again and every cache rebalanced;
4. **prime** it while it is still out of the balancer: each realm's discovery document, keys, sign-in page
   and token endpoint, straight at the node, a few rounds (the first requests of a fresh JVM load the
   realm, compile the login theme's templates and load classes: token exchanges of 3.6–6.0 s were seen under
   load, longer than the workbench's 5 s);
5. put it **back** in HAProxy and wait until HAProxy's checks have it UP, then let it **warm up** while its
   share grows (HAProxy's ``slowstart``): a cold node that alone takes everyone's requests answers some of
   them slower than the workbench waits; only then the next node.

Used by ``wuye-sso stack rolling-restart`` and the rolling-restart fault test; ``deploy/haproxy`` and the
README's upgrade steps say the same with HAProxy's runtime API.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from devstack.cluster import Cluster
from devstack.haproxy import SLOWSTART_S, USER_SESSIONS_TABLE
from provisioning.realm_import import master_admin
from sso.catalog import WORKBENCH_CLIENT_ID
from sso.oidc.pkce import code_challenge, new_code_verifier

#: HAProxy's backend of the Keycloak nodes, and the suffix of each node's unchecked fail-open twin.
BACKEND, UNCHECKED = "keycloak", "-unchecked"
#: Seconds without any request that count as "its sign-ins are done".
QUIET_S = 2.0
#: At most this long for a drained node to finish its sign-ins in flight.
DRAIN_TIMEOUT_S = 30.0
#: Rounds of priming requests per realm, and at most this many realms primed.
PRIME_ROUNDS, PRIME_REALMS = 5, 50


@dataclass(frozen=True)
class NodeRestart:
    """What one node's restart took, in seconds."""

    node: int
    drain_s: float
    drain_timed_out: bool
    stop_s: float
    start_s: float
    rejoin_s: float
    prime_s: float
    back_s: float


def rolling_restart(
    cluster: Cluster,
    drain_timeout: float = DRAIN_TIMEOUT_S,
    quiet: float = QUIET_S,
    say: Callable[[str], None] = lambda _: None,
    warm_up: float = SLOWSTART_S,
) -> list[NodeRestart]:
    """Restart every node of ``cluster`` in turn, drained first, warmed up after; returns each node's timings."""
    pages = sign_in_pages(cluster)
    steps = []
    for index in range(len(cluster.layout.nodes)):
        if index:
            say(f"{cluster.node_name(index - 1)}: warming up for {warm_up:.0f} s before the next node goes")
            time.sleep(warm_up)
        steps.append(restart_drained(cluster, index, pages, drain_timeout, quiet, say))
    return steps


def sign_in_pages(cluster: Cluster) -> list[tuple[str, str | None]]:
    """(realm, the workbench's redirect URI or None) of the realms to prime, read once through the balancer."""
    endpoint = cluster.admin_endpoint()
    admin = master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password)
    pages: list[tuple[str, str | None]] = []
    for realm in [r["realm"] for r in admin.get_realms() if r["realm"] != "master"][:PRIME_REALMS]:
        admin.change_current_realm(realm)
        client_id = admin.get_client_id(WORKBENCH_CLIENT_ID)
        redirects = admin.get_client(client_id).get("redirectUris", []) if client_id else []
        pages.append((realm, redirects[0].rstrip("*") if redirects else None))
    return pages


def prime(node_url: str, pages: Sequence[tuple[str, str | None]], rounds: int = PRIME_ROUNDS) -> None:
    """What a sign-in asks of a node, straight at it; answers are not checked (a refused code is fine)."""
    with httpx.Client(base_url=node_url, timeout=30.0) as client:
        for _ in range(rounds):
            for realm, redirect_uri in pages:
                base = f"/realms/{realm}/protocol/openid-connect"
                client.get(f"/realms/{realm}/.well-known/openid-configuration")
                client.get(f"{base}/certs")
                if redirect_uri:
                    query = {
                        "client_id": WORKBENCH_CLIENT_ID, "response_type": "code", "scope": "openid",
                        "redirect_uri": redirect_uri, "state": secrets.token_urlsafe(8),
                        "code_challenge": code_challenge(new_code_verifier()), "code_challenge_method": "S256",
                    }  # fmt: skip
                    client.get(f"{base}/auth?{urlencode(query)}")
                client.post(
                    f"{base}/token",
                    data={"grant_type": "authorization_code", "code": "primer", "client_id": WORKBENCH_CLIENT_ID},
                )


def restart_drained(
    cluster: Cluster,
    index: int,
    pages: Sequence[tuple[str, str | None]] = (),
    drain_timeout: float = DRAIN_TIMEOUT_S,
    quiet: float = QUIET_S,
    say: Callable[[str], None] = lambda _: None,
) -> NodeRestart:
    name, balancer = cluster.node_name(index), cluster.balancer
    members = len(cluster.layout.nodes)
    say(f"{name}: draining (new sign-ins go to the other nodes)")
    started = time.monotonic()
    balancer.set_state(BACKEND, name, "drain")
    balancer.set_state(BACKEND, name + UNCHECKED, "maint")  # the fail-open twin must not take traffic either
    balancer.forget_stuck_to(USER_SESSIONS_TABLE, BACKEND, name)  # else its people's refreshes never let it go quiet
    timed_out = not _wait_drained(cluster, name, drain_timeout, quiet)
    drained = time.monotonic()
    say(f"{name}: {'drain timed out' if timed_out else 'drained'} after {drained - started:.1f} s; stopping")
    node = cluster.node(index)
    node.stop()
    stopped = time.monotonic()
    say(f"{name}: stopped in {stopped - drained:.1f} s; starting")
    node.start()
    ready = time.monotonic()
    say(f"{name}: ready in {ready - stopped:.1f} s; waiting for the cluster view and the rebalance")
    cluster.wait_for_members(members)
    rejoined = time.monotonic()
    prime(cluster.node_url(index), pages)
    primed = time.monotonic()
    say(f"{name}: rejoined in {rejoined - ready:.1f} s, primed in {primed - rejoined:.1f} s; back in the balancer")
    balancer.set_state(BACKEND, name, "ready")
    balancer.set_state(BACKEND, name + UNCHECKED, "ready")
    cluster.wait_in_balancer(index)
    back = time.monotonic()
    say(f"{name}: back in the balancer ({back - started:.1f} s in all)")
    return NodeRestart(
        node=index + 1,
        drain_s=round(drained - started, 1),
        drain_timed_out=timed_out,
        stop_s=round(stopped - drained, 1),
        start_s=round(ready - stopped, 1),
        rejoin_s=round(rejoined - ready, 1),
        prime_s=round(primed - rejoined, 1),
        back_s=round(back - primed, 1),
    )


def _wait_drained(cluster: Cluster, name: str, timeout: float, quiet: float) -> bool:
    """Until the server has nothing in flight and got nothing for ``quiet`` seconds; False when ``timeout`` passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stat = cluster.balancer.server(BACKEND, name)
        if stat.current == 0 and (stat.idle_seconds < 0 or stat.idle_seconds >= quiet):
            return True
        time.sleep(0.25)
    return False

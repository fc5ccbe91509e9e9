"""Every request about a person's Keycloak session reaches the node that holds it.

Keycloak keeps a user session on the node that created it (the sign-in's node). The browser's requests
find it by the ``AUTH_SESSION_ID`` cookie; the workbench's code exchange and token refreshes carry no
cookie, and round-robin sent half of them to the other node, which read and wrote the session across
the cluster (the clustering cost in ``bench/bench_cluster.py``). HAProxy now reads the session's id from
the code and from the refresh token's ``sid`` (``devstack/haproxy.py``, ``KEYCLOAK_AFFINITY``). Which node
served a request is read from HAProxy's own per-server counters.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from devstack.form_login import FormLogin, LoginPage, loopback_client
from sso.catalog import WORKBENCH_CLIENT_ID
from tests.cluster.conftest import ClusterStack
from tests.support.oidc_login import authorize_url, exchange_code, pkce_pair
from tests.support.realms import TestRealm

#: Sign-ins in the test: enough for round-robin to start sessions on every node.
SIGN_INS = 8
REFRESHES_EACH = 3


class Counters:
    """HAProxy's count of requests sent to each Keycloak node, to tell which node served the last step."""

    def __init__(self, stack: ClusterStack) -> None:
        self.balancer = stack.cluster.balancer
        self.nodes = [stack.cluster.node_name(i) for i in range(len(stack.cluster.layout.nodes))]
        self._last = self._read()

    def _read(self) -> dict[str, int]:
        return {node: self.balancer.server("keycloak", node).total for node in self.nodes}

    def served_since_last(self) -> list[str]:
        now = self._read()
        moved = [node for node in self.nodes if now[node] > self._last[node]]
        self._last = now
        return moved


def _refresh(realm: TestRealm, refresh_token: str) -> dict[str, Any]:
    answer = httpx.post(
        f"{realm.issuer}/protocol/openid-connect/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(WORKBENCH_CLIENT_ID, realm.settings.workbench_client_secret),
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


def test_the_workbench_code_exchange_and_refreshes_reach_the_node_that_holds_the_session(
    cluster_stack: ClusterStack,
) -> None:
    public = replace(
        cluster_stack.realm, endpoint=replace(cluster_stack.realm.endpoint, base_url=cluster_stack.cluster.public_url)
    )
    counters = Counters(cluster_stack)
    created_on: Counter[str] = Counter()
    elsewhere: list[str] = []
    for _ in range(SIGN_INS):
        username, password = cluster_stack.new_person()
        verifier, challenge = pkce_pair()
        with loopback_client(follow_redirects=False) as browser:
            flow = FormLogin(browser, cluster_stack.cluster.public_url)
            assert isinstance(flow.open(authorize_url(public, challenge, secrets.token_urlsafe(12))), LoginPage)
            counters.served_since_last()
            done = flow.submit(username=username, password=password, credentialId="")
            assert not isinstance(done, LoginPage), f"sign-in stopped on {done.form_id!r}: {done.error!r}"
            (home,) = counters.served_since_last()  # the node that checked the password created the session
        created_on[home] += 1
        code = parse_qs(urlsplit(done.headers["location"]).query)["code"][0]
        tokens = exchange_code(public, code, verifier)
        steps = [("code exchange", counters.served_since_last())]
        for n in range(REFRESHES_EACH):
            tokens = _refresh(public, tokens["refresh_token"])
            steps.append((f"refresh {n + 1}", counters.served_since_last()))
        elsewhere += [f"{username} ({home}): {step} at {served}" for step, served in steps if served != [home]]
    assert len(created_on) == len(counters.nodes), f"sessions were created on {dict(created_on)} only"
    assert elsewhere == [], (
        f"{len(elsewhere)} of {SIGN_INS * (1 + REFRESHES_EACH)} token requests went elsewhere: {elsewhere[:4]}"
    )

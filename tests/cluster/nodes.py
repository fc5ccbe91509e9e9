"""Send a person's requests to one chosen Keycloak node, whatever URL Keycloak's pages name.

Every node writes the balancer's public URL into its pages (one ``--hostname``); to prove that state
holds across nodes a test must choose the node of each step. ``PinnedTransport`` rewrites requests
for the public port to the pinned node's port (cookies do not depend on the port, so the browser's
session follows); ``pin`` moves the person to another node between two steps.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from urllib.parse import urlsplit

import httpx

from devstack.form_login import FormLogin, LoginPage, loopback_client
from tests.cluster.conftest import ClusterStack
from tests.support.oidc_login import authorize_url, pkce_pair
from tests.support.realms import TestRealm


class PinnedTransport(httpx.HTTPTransport):
    def __init__(self, public_port: int, node_port: int) -> None:
        super().__init__()
        self.public_port = public_port
        self.node_port = node_port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.port != self.public_port:
            return super().handle_request(request)
        pinned = httpx.Request(
            request.method,
            request.url.copy_with(port=self.node_port),
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return super().handle_request(pinned)  # the client files the answer under the public URL


class PinnedBrowser:
    """A browser whose Keycloak requests go to node ``index`` until ``pin`` says otherwise."""

    def __init__(self, stack: ClusterStack, index: int) -> None:
        self.stack = stack
        public_port = urlsplit(stack.cluster.public_url).port or 80
        self.transport = PinnedTransport(public_port, stack.cluster.layout.nodes[index].http)
        self.client = loopback_client(transport=self.transport, follow_redirects=False)
        self.flow = FormLogin(self.client, stack.cluster.public_url)

    def pin(self, index: int) -> None:
        self.transport.node_port = self.stack.cluster.layout.nodes[index].http

    def open_sign_in(self, realm: TestRealm) -> LoginPage:
        """Keycloak's login page of ``realm`` for the workbench client (the authorize URL on the public host)."""
        public = replace(realm, endpoint=replace(realm.endpoint, base_url=self.stack.cluster.public_url))
        _, challenge = pkce_pair()
        step = self.flow.open(authorize_url(public, challenge, secrets.token_urlsafe(12)))
        assert isinstance(step, LoginPage), f"expected the login page, got HTTP {step.status_code}"
        return step

    def submit(self, **fields: str) -> LoginPage | httpx.Response:
        return self.flow.submit(**fields)

    def close(self) -> None:
        self.client.close()


def left_keycloak_signed_in(step: LoginPage | httpx.Response) -> bool:
    """Keycloak sent the browser back to the workbench with a code: the person is signed in."""
    return isinstance(step, httpx.Response) and "code=" in step.headers.get("location", "")

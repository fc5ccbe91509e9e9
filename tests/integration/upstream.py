"""The legacy system behind oauth2-proxy, as small as it gets: it answers with the identity headers it received."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from devstack.keycloak_server import free_port

#: Headers oauth2-proxy sets with ``--pass-user-headers`` (what a system that cannot speak OIDC trusts).
IDENTITY_HEADERS = ("X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Preferred-Username", "X-Forwarded-Groups")


class _Echo(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"upstream": True, "path": self.path,
                           "headers": {h: self.headers.get(h) for h in IDENTITY_HEADERS}}).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


class EchoUpstream:
    """An http.server on 127.0.0.1 in a daemon thread of the test process."""

    def __init__(self) -> None:
        self.port = free_port()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _Echo)
        self._thread = threading.Thread(target=self._server.serve_forever, name="echo-upstream", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> EchoUpstream:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

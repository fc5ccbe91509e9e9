"""A tiny SMS outbox for the dev stack and the tests: Keycloak's ``dev-outbox`` sender posts here.

- ``POST /messages``: JSON ``{"to": "+86...", "text": "...", ...}`` is stored in memory.
- ``GET /``: an HTML page listing the messages, newest first (what a developer reads instead of a phone).
- ``GET /api/messages?to=+86...``: the messages as JSON (tests read codes from it), newest last.
- ``DELETE /api/messages``: forget everything.

``SmsOutbox().start()`` runs it on a free port of 127.0.0.1 in a thread (uvicorn); ``failing`` and ``delay_s``
let tests play a broken or slow gateway.
"""

from __future__ import annotations

import asyncio
import html
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from devstack.keycloak_server import free_port

if TYPE_CHECKING:
    from keycloak import KeycloakAdmin

_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass
class OutboxState:
    """Messages and fault switches, shared by the app and whoever started it."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    failing: bool = False
    delay_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, message: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            stored = {**message, "id": len(self.messages) + 1, "received_at": time.time()}
            self.messages.append(stored)
            return stored

    def find(self, to: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.messages if to is None or m.get("to") == to]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


def code_of(message: dict[str, Any]) -> str | None:
    """The 6-digit code of a message: its ``code`` field, else the first 6 digits in its text."""
    if message.get("code"):
        return str(message["code"])
    found = _CODE.search(str(message.get("text", "")))
    return found.group(1) if found else None


def create_app(state: OutboxState | None = None) -> Starlette:
    state = state or OutboxState()

    async def post_message(request: Request) -> Response:
        if state.delay_s:
            await asyncio.sleep(state.delay_s)
        if state.failing:
            return JSONResponse({"error": "gateway failure (simulated)"}, status_code=503)
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "body must be JSON"}, status_code=400)
        if not isinstance(body, dict) or not isinstance(body.get("to"), str) or not isinstance(body.get("text"), str):
            return JSONResponse({"error": "need JSON object with string fields 'to' and 'text'"}, status_code=400)
        stored = state.add(body)
        return JSONResponse({"id": stored["id"]}, status_code=201)

    async def list_json(request: Request) -> Response:
        return JSONResponse({"messages": state.find(request.query_params.get("to"))})

    async def clear(request: Request) -> Response:
        state.clear()
        return Response(status_code=204)

    async def page(request: Request) -> Response:
        rows = "".join(
            f"<tr><td>{m['id']}</td><td>{html.escape(time.strftime('%H:%M:%S', time.localtime(m['received_at'])))}</td>"
            f"<td>{html.escape(str(m.get('realm', '')))}</td><td>{html.escape(m['to'])}</td>"
            f"<td>{html.escape(m['text'])}</td></tr>"
            for m in reversed(state.find())
        )
        body = (
            "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>短信发件箱 SMS outbox</title>"
            "<style>body{font-family:sans-serif;margin:2rem}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;"
            "text-align:left}</style></head><body><h1>短信发件箱 · SMS outbox (dev)</h1>"
            f"<p>{len(state.find())} message(s). Nothing here leaves this machine.</p>"
            "<table><thead><tr><th>#</th><th>time</th><th>realm</th><th>to</th><th>text</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></body></html>"
        )
        return HTMLResponse(body)

    app = Starlette(
        routes=[
            Route("/", page, methods=["GET"]),
            Route("/messages", post_message, methods=["POST"]),
            Route("/api/messages", list_json, methods=["GET"]),
            Route("/api/messages", clear, methods=["DELETE"]),
        ]
    )
    app.state.outbox = state
    return app


class SmsOutbox:
    """The outbox served by uvicorn in a daemon thread: ``start()``, ``url``, ``stop()``."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.state = OutboxState()
        self.host = host
        self.port = port or free_port()
        self._server = uvicorn.Server(
            uvicorn.Config(create_app(self.state), host=self.host, port=self.port, log_level="warning", lifespan="off")
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout_s: float = 10.0) -> SmsOutbox:
        self._thread = threading.Thread(target=self._server.run, name="sms-outbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the SMS outbox did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread:
            self._thread.join(timeout=5)

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        return self.state.find(to)

    def wait_for_code(self, to: str, after: int = 0, timeout_s: float = 10.0) -> str:
        """The code of the first message to ``to`` numbered above ``after``; waits for it to arrive."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for message in self.messages(to):
                if message["id"] > after:
                    code = code_of(message)
                    if code:
                        return code
            time.sleep(0.05)
        raise AssertionError(f"no SMS code reached {to} within {timeout_s} s")

    def last_id(self) -> int:
        found = self.state.find()
        return found[-1]["id"] if found else 0


def send_realm_sms_here(admin: KeycloakAdmin, realm: str, outbox_url: str, **attributes: str) -> None:
    """Point a realm's SMS sender at this outbox (realm attributes; ``attributes`` adds more, such as the
    activation pace ``wuyeSmsActivationPerSecond``); the realm's other attributes are kept."""
    current = dict(admin.get_realm(realm).get("attributes") or {})
    current |= {"wuyeSmsSender": "dev-outbox", "wuyeSmsOutboxUrl": outbox_url, "wuyeSmsTimeoutMillis": "3000"}
    admin.update_realm(realm, {"attributes": current | attributes})


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Run the dev SMS outbox (Keycloak's dev-outbox sender posts here).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args(argv)
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

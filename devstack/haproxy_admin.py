"""HAProxy's runtime API on its admin socket: what an operator does to a server without reloading the balancer.

``drain`` takes a server out of load balancing while the requests that are bound to it (a sign-in whose
``AUTH_SESSION_ID`` names that node) still reach it; ``maint`` takes it out completely; ``ready`` puts it
back. ``server`` reads a server's live figures (current requests, seconds since the last one, status)
from ``show stat``. The socket (``stats socket … level admin`` in ``haproxy.cfg``) is mode 0600: only
the user that runs the balancer may use it.
"""

from __future__ import annotations

import csv
import socket
from dataclasses import dataclass
from pathlib import Path

from devstack.errors import SetupError

#: Server states ``set server <backend>/<server> state`` accepts.
STATES = ("ready", "drain", "maint")


@dataclass(frozen=True)
class ServerStat:
    """One server's row of ``show stat``."""

    status: str  # UP, DOWN, DRAIN, MAINT, "UP 1/2" while rising…
    weight: int
    current: int  # requests being served now (``scur``)
    idle_seconds: int  # since the last request was sent to it (``lastsess``; -1: never)
    total: int  # requests sent to it since HAProxy started (``stot``)
    server_id: int  # HAProxy's id of the server (``sid``), as stick tables name it


class HAProxyAdmin:
    """The runtime API of one HAProxy, by the path of its admin socket."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path

    def command(self, line: str, timeout: float = 5.0) -> str:
        """Send one command, return HAProxy's whole answer (it closes the connection after it)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            try:
                sock.connect(str(self.socket_path))
            except OSError as exc:
                raise SetupError(
                    f"HAProxy's admin socket {self.socket_path} does not answer ({exc}).",
                    "Is the balancer running (`wuye-sso stack status`), with `stats socket … level admin` in its config?",
                ) from exc
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode(errors="replace")

    def set_state(self, backend: str, server: str, state: str) -> None:
        if state not in STATES:
            raise ValueError(f"state must be one of {STATES}, not {state!r}")
        answer = self.command(f"set server {backend}/{server} state {state}").strip()
        if answer:  # success is an empty answer
            raise SetupError(f"HAProxy refused `set server {backend}/{server} state {state}`.", answer[:500])

    def server(self, backend: str, server: str) -> ServerStat:
        rows = csv.DictReader(self.command("show stat").removeprefix("# ").splitlines())
        for row in rows:
            if row.get("pxname") == backend and row.get("svname") == server:
                return ServerStat(
                    status=row["status"],
                    weight=int(row["weight"] or 0),
                    current=int(row["scur"] or 0),
                    idle_seconds=int(row["lastsess"] or -1),
                    total=int(row["stot"] or 0),
                    server_id=int(row["sid"] or 0),
                )
        raise SetupError(f"HAProxy has no server {backend}/{server}.", "See `show stat` on its admin socket.")

    def forget_stuck_to(self, table: str, backend: str, server: str) -> None:
        """Drop ``table``'s entries that send requests to ``server`` (they go to any server again)."""
        server_id = self.server(backend, server).server_id
        answer = self.command(f"clear table {table} data.server_id eq {server_id}").strip()
        if answer:  # success is an empty answer
            raise SetupError(f"HAProxy refused to clear {table}'s entries of {backend}/{server}.", answer[:500])

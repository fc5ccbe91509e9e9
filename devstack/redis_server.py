"""A local ``redis-server`` on 127.0.0.1 and a free port, for tests and the dev stack (Debian's package).

No persistence (``--save ''``, no AOF): it holds workbench sessions, which may be lost with the
process. Stopped by its own pid, never by name.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from devstack.errors import SetupError
from devstack.keycloak_server import free_port
from devstack.processes import stop_child


class RedisServer:
    def __init__(self, work_dir: Path, port: int | None = None, persistent: bool = False) -> None:
        """``persistent`` keeps sessions across a restart (append-only file in ``work_dir``), as production should."""
        self.dir = work_dir
        self.persistent = persistent
        self.port = port or free_port()
        self.log_path = work_dir / "redis.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def argv(self) -> list[str]:
        """The ``redis-server`` command line (also run by the clustered stack under its own pid file)."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise SetupError("redis-server is not installed.", "Install it: apt-get install -y redis-server")
        return [
            binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
            "--appendonly", "yes" if self.persistent else "no",
            "--dir", str(self.dir), "--protected-mode", "yes", "--logfile", str(self.log_path),
        ]  # fmt: skip

    def start(self, timeout: float = 10.0) -> RedisServer:
        args = self.argv()
        self.dir.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        try:
            while True:
                if self._process.poll() is not None:
                    raise SetupError(
                        f"redis-server exited at start (code {self._process.returncode}).", f"See {self.log_path}."
                    )
                try:
                    if client.ping():
                        return self
                except redis.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise SetupError(
                        f"redis-server did not answer on port {self.port} within {timeout:.0f} s.",
                        f"See {self.log_path}.",
                    )
                time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self._process is None:
            return
        stop_child(self._process, 5)
        self._process = None


@contextmanager
def running_redis(work_dir: Path) -> Iterator[RedisServer]:
    server = RedisServer(work_dir).start()
    try:
        yield server
    finally:
        server.stop()

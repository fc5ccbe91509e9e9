"""Background processes of the dev stack (mail sink, SMS outbox, workbench, API), each with a pid file and a log.

Keycloak has its own runner (``keycloak_server.py``); this is the same idea for the small Python
services: start once (a second start is a no-op), stop by pid, logs under ``.wuye/logs``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from devstack.errors import SetupError
from devstack.keycloak_server import port_in_use, process_alive


def stop_child(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Stop a child this process started: TERM, then KILL if it has not ended within ``timeout_s``."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout_s)


@dataclass(frozen=True)
class Service:
    name: str
    argv: tuple[str, ...]
    port: int
    health_url: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    #: The program to run with ``argv``; this Python (``-m module``) when ``None``, else e.g. redis-server or haproxy.
    program: str | None = None


class ServiceRunner:
    def __init__(self, state_dir: Path) -> None:
        self.run_dir = state_dir / "run"
        self.log_dir = state_dir / "logs"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def pid(self, name: str) -> int | None:
        try:
            pid = int((self.run_dir / f"{name}.pid").read_text())
        except (OSError, ValueError):
            return None
        return pid if process_alive(pid) else None

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def start(self, service: Service, timeout: float = 30.0) -> int:
        existing = self.pid(service.name)
        if existing is not None:
            return existing
        if port_in_use(service.port):
            raise SetupError(
                f"Port {service.port} on 127.0.0.1, wanted for {service.name}, is already in use.",
                f"Stop whatever listens there (`ss -ltnp | grep :{service.port}`) or choose another port, then run again.",
            )
        env = dict(os.environ)
        env.update(dict(service.env))
        with self.log_path(service.name).open("ab") as log:
            process = subprocess.Popen(
                [service.program or sys.executable, *service.argv],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        (self.run_dir / f"{service.name}.pid").write_text(str(process.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SetupError(
                    f"{service.name} exited at start-up (exit {process.returncode}).",
                    f"Its log is {self.log_path(service.name)}; the end of it is below.",
                    "\n".join(self.log_path(service.name).read_text(errors="replace").splitlines()[-30:]),
                )
            if self._answers(service):
                return process.pid
            time.sleep(0.2)
        self.stop(service.name)
        raise SetupError(
            f"{service.name} did not answer within {timeout:.0f} s.", f"See {self.log_path(service.name)}."
        )

    @staticmethod
    def _answers(service: Service) -> bool:
        if service.health_url is None:
            return port_in_use(service.port)
        try:
            return httpx.get(service.health_url, timeout=2).status_code < 500
        except httpx.HTTPError:
            return False

    def stop(self, name: str) -> bool:
        pid = self.pid(name)
        (self.run_dir / f"{name}.pid").unlink(missing_ok=True)
        if pid is None:
            return False
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            return False
        for _ in range(50):
            if not process_alive(pid):
                return True
            time.sleep(0.1)
        os.killpg(pid, signal.SIGKILL)
        return True

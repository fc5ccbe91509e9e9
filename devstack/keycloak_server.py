"""A Keycloak server process on 127.0.0.1, started from a built distribution and stopped by its own pid.

Each instance has its own folder (H2 database, log, pid and state files), so the dev stack and a
test run can each have one without sharing data. The state file makes a second ``start`` on a
running instance a no-op.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from devstack.distribution import BuiltDistribution
from devstack.errors import SetupError
from devstack.toolchain import find_java

log = logging.getLogger(__name__)

READY_TIMEOUT_S = float(os.environ.get("WUYE_KEYCLOAK_READY_TIMEOUT", "240"))


@dataclass(frozen=True)
class KeycloakEndpoint:
    """How to reach a running Keycloak and its master-realm admin; the same for every mode."""

    base_url: str
    admin_username: str
    admin_password: str
    mode: str
    management_url: str | None = None

    def __repr__(self) -> str:  # never print the password
        return f"KeycloakEndpoint(base_url={self.base_url!r}, mode={self.mode!r})"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class LocalKeycloak:
    """One Keycloak process and its folder: ``start`` (idempotent), ``stop``, ``endpoint``."""

    def __init__(
        self,
        distribution: BuiltDistribution,
        instance_dir: Path,
        http_port: int = 8080,
        management_port: int = 9000,
        extra_args: tuple[str, ...] = (),
        extra_env: dict[str, str] | None = None,
        cache: str = "local",
        hostname: str | None = None,
    ) -> None:
        """``cache="ispn"`` joins the other nodes on the same database; ``hostname`` is the one public URL
        every node of a cluster must share (else each issues tokens under its own URL)."""
        self.distribution = distribution
        self.cache = cache
        self.hostname = hostname
        self.dir = instance_dir
        self.http_port = http_port
        self.management_port = management_port
        self.extra_args = extra_args
        self.extra_env = extra_env or {}
        self.log_path = instance_dir / "keycloak.log"
        self.state_path = instance_dir / "keycloak.json"

    # -- state ---------------------------------------------------------------------------------
    def _read_state(self) -> dict[str, int] | None:
        """pid and ports as ``start`` wrote them; None when there is no readable state file."""
        try:
            raw = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(raw, dict):
            return None
        return {key: value for key, value in raw.items() if isinstance(value, int) and not isinstance(value, bool)}

    def running_pid(self) -> int | None:
        state = self._read_state()
        if not state or "pid" not in state:
            return None
        pid = state["pid"]
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return pid

    def _admin_password(self) -> str:
        """Created once per instance and kept in a 0600 file: the H2 database remembers the bootstrap admin."""
        secret_path = self.dir / "admin-password"
        if secret_path.exists():
            return secret_path.read_text().strip()
        password = secrets.token_urlsafe(18)
        secret_path.touch(mode=0o600)
        secret_path.write_text(password)
        return password

    def endpoint(self) -> KeycloakEndpoint:
        state = self._read_state() or {}
        http_port = state.get("http_port", self.http_port)
        management_port = state.get("management_port", self.management_port)
        return KeycloakEndpoint(
            base_url=f"http://127.0.0.1:{http_port}",
            admin_username="admin",
            admin_password=self._admin_password(),
            mode="local",
            management_url=f"http://127.0.0.1:{management_port}",
        )

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> KeycloakEndpoint:
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.running_pid() is not None:
            endpoint = self.endpoint()
            if _ready(endpoint.management_url or ""):
                log.info("Keycloak already running (pid %s) at %s", self.running_pid(), endpoint.base_url)
                return endpoint
            return self._wait_ready(self.running_pid())
        for port, what in ((self.http_port, "HTTP"), (self.management_port, "management")):
            if port_in_use(port):
                raise SetupError(
                    f"Port {port} on 127.0.0.1, wanted for Keycloak's {what} interface, is already in use.",
                    f"Stop whatever listens there (`ss -ltnp | grep :{port}`) or choose another port "
                    "(KEYCLOAK_HTTP_PORT / KEYCLOAK_MANAGEMENT_PORT), then run again.",
                )
        java = find_java()
        password = self._admin_password()
        env = dict(os.environ)
        env.update(
            {
                "JAVA_HOME": str(java.home),
                "KC_BOOTSTRAP_ADMIN_USERNAME": "admin",
                "KC_BOOTSTRAP_ADMIN_PASSWORD": password,
                "JAVA_OPTS_KC_HEAP": os.environ.get("WUYE_KEYCLOAK_HEAP", "-Xms128m -Xmx1g"),
            }
        )
        env.update(self.extra_env)
        args = [
            str(self.distribution.kc_sh),
            "start",
            "--optimized",
            "--http-enabled=true",
            "--http-host=127.0.0.1",
            f"--http-port={self.http_port}",
            f"--http-management-port={self.management_port}",
            *((f"--hostname={self.hostname}",) if self.hostname else ("--hostname-strict=false",)),
            # a run-time option: without `local`, `start` clusters over JGroups (JDBC_PING) and a restart on the
            # same database waits ~18 s for the previous, dead member
            f"--cache={self.cache}",
            *self._db_args(),
            *self.extra_args,
        ]
        log.info("starting Keycloak %s on 127.0.0.1:%d", self.distribution.version, self.http_port)
        with self.log_path.open("ab") as log_file:
            process = subprocess.Popen(
                args,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=self.dir,
                start_new_session=True,
            )
        self.state_path.write_text(
            json.dumps(
                {
                    "pid": process.pid,
                    "http_port": self.http_port,
                    "management_port": self.management_port,
                    "started_at": time.time(),
                }
            )
        )
        return self._wait_ready(process.pid, process)

    def _db_args(self) -> list[str]:
        if any(a.startswith("--db=") for a in self.distribution.build_options if a != "--db=dev-file"):
            return []
        h2 = self.dir / "h2" / "keycloakdb"
        return [f"--db-url=jdbc:h2:file:{h2};NON_KEYWORDS=VALUE"]

    def _wait_ready(self, pid: int | None, process: subprocess.Popen[bytes] | None = None) -> KeycloakEndpoint:
        endpoint = self.endpoint()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                self.state_path.unlink(missing_ok=True)
                raise SetupError(
                    f"Keycloak exited during start-up (exit code {process.returncode}).",
                    f"The end of its log ({self.log_path}) is below; fix what it names and run again.",
                    self.log_tail(),
                )
            if _ready(endpoint.management_url or ""):
                return endpoint
            time.sleep(0.5)
        self.stop()
        raise SetupError(
            f"Keycloak did not answer /health/ready within {READY_TIMEOUT_S:.0f} s and was stopped.",
            f"The end of its log ({self.log_path}) is below; a slow machine can raise WUYE_KEYCLOAK_READY_TIMEOUT.",
            self.log_tail(),
        )

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the process group started by ``start``; returns whether anything was running."""
        return stop_instance(self.dir, timeout)

    def java_pid(self) -> int | None:
        """The JVM's pid: ``kc.sh`` (the recorded pid) runs Java as its child."""
        shell = self.running_pid()
        if shell is None:
            return None
        try:
            children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
        except OSError:
            return None
        return int(children[0]) if children else None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def stop_instance(instance_dir: Path, timeout: float = 30.0) -> bool:
    """Stop the Keycloak recorded in ``instance_dir`` by its own pid (TERM, then KILL); no distribution needed."""
    state_path = instance_dir / "keycloak.json"
    try:
        pid = int(json.loads(state_path.read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return False
    if not process_alive(pid):
        state_path.unlink(missing_ok=True)
        return False
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and process_alive(pid):
            time.sleep(0.2)
        if not process_alive(pid):
            break
    state_path.unlink(missing_ok=True)
    return True


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a child of ours that exited is reaped here, so a zombie does not count)."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _ready(management_url: str) -> bool:
    try:
        return httpx.get(f"{management_url}/health/ready", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False

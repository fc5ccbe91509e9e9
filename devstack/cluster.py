"""A Keycloak cluster on this machine, loopback only: PostgreSQL, N nodes, HAProxy, Redis, two workbenches.

Every node runs the same built distribution (``CLUSTER_BUILD_OPTIONS``: PostgreSQL, Infinispan caches,
health) in production mode (``start --optimized``) with its own HTTP, management and JGroups ports;
they find each other through the database (``jdbc-ping``, Keycloak's default) with JGroups bound to
127.0.0.1, and share one ``--hostname``: the load balancer's public URL, so a token issued by one
node verifies on every other. HAProxy (``devstack/haproxy.py``) routes by health. The layout (ports)
is kept in ``cluster.json`` so ``up`` twice is a no-op and ``down``/``status`` find everything.

Used by ``wuye-sso stack up --nodes N`` (``make up-cluster``), the fault tests in ``tests/cluster/``
and ``bench/bench_cluster.py``; each of them only ever stops the processes it started, by pid.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import socket
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from devstack.distribution import CLUSTER_BUILD_OPTIONS, BuiltDistribution, built_distribution
from devstack.errors import SetupError
from devstack.extensions import extension_jars
from devstack.haproxy import Backend, BalancerPorts, check_config, haproxy_binary, render_config
from devstack.haproxy_admin import HAProxyAdmin
from devstack.keycloak_server import KeycloakEndpoint, LocalKeycloak, free_port, process_alive, stop_instance
from devstack.postgres_server import PostgresDatabase, PostgresServer
from devstack.processes import Service, ServiceRunner
from devstack.redis_server import RedisServer

log = logging.getLogger("wuye.cluster")

#: JGroups' failure detection (FD_SOCK2) listens on the bind port + this offset: both must be free.
JGROUPS_FD_OFFSET = 100


@dataclass(frozen=True)
class NodePorts:
    http: int
    management: int
    jgroups: int


@dataclass(frozen=True)
class ClusterLayout:
    """Every port of one cluster; chosen once (free ports unless given) and kept in ``cluster.json``."""

    nodes: tuple[NodePorts, ...]
    workbenches: tuple[int, ...]
    balancer: BalancerPorts
    redis: int

    @classmethod
    def fresh(cls, nodes: int, workbenches: int = 2, balancer: BalancerPorts | None = None) -> ClusterLayout:
        if nodes < 1 or workbenches < 1:
            raise SetupError(
                f"A cluster needs at least one node and one workbench (asked {nodes} and {workbenches}).",
                "Ask for --nodes 2 or more.",
            )
        return cls(
            nodes=tuple(NodePorts(free_port(), free_port(), _free_jgroups_port()) for _ in range(nodes)),
            workbenches=tuple(free_port() for _ in range(workbenches)),
            balancer=balancer or BalancerPorts(free_port(), free_port(), free_port()),
            redis=free_port(),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> ClusterLayout | None:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return cls(
            nodes=tuple(NodePorts(**n) for n in data["nodes"]),
            workbenches=tuple(int(p) for p in data["workbenches"]),
            balancer=BalancerPorts(**data["balancer"]),
            redis=int(data["redis"]),
        )


def _free_jgroups_port() -> int:
    for _ in range(50):
        port = free_port()
        if port + JGROUPS_FD_OFFSET < 65536 and _bindable(port + JGROUPS_FD_OFFSET):
            return port
    raise SetupError(
        "No free pair of ports for JGroups (port and port+100) on 127.0.0.1.",
        "Free some ports (`ss -ltn`) and run again.",
    )


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Cluster:
    """The infrastructure of one cluster, in its own folder: start it, break it, mend it, stop it."""

    def __init__(self, root: Path, layout: ClusterLayout) -> None:
        self.root = root
        self.layout = layout
        root.mkdir(parents=True, exist_ok=True)
        layout.save(root / "cluster.json")
        self.runner = ServiceRunner(root)
        self.postgres = PostgresServer(root / "postgres")
        self.redis = RedisServer(root / "redis", port=layout.redis, persistent=True)
        self.database: PostgresDatabase | None = None
        self._distribution: BuiltDistribution | None = None

    # -- where things are ---------------------------------------------------------------------
    @property
    def public_url(self) -> str:
        """Keycloak as staff browsers reach it (the load balancer's public front door); every node's hostname."""
        return f"http://127.0.0.1:{self.layout.balancer.public_sso}"

    @property
    def internal_url(self) -> str:
        """Keycloak's admin console and admin API, on the balancer's internal front door only."""
        return f"http://127.0.0.1:{self.layout.balancer.internal_sso}"

    @property
    def workbench_url(self) -> str:
        return f"http://127.0.0.1:{self.layout.balancer.workbench}"

    @property
    def redis_url(self) -> str:
        return self.redis.url

    def node_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.layout.nodes[index].http}"

    def workbench_instance_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.layout.workbenches[index]}"

    @staticmethod
    def node_name(index: int) -> str:
        """Node ``index``'s name: Keycloak's (the route in ``AUTH_SESSION_ID``) and its server's in HAProxy."""
        return f"kc{index + 1}"

    @property
    def balancer(self) -> HAProxyAdmin:
        """HAProxy's runtime API (drain, maint, ready; live figures), on its admin socket in the cluster folder."""
        return HAProxyAdmin(self.root / "haproxy.sock")

    def admin_endpoint(self) -> KeycloakEndpoint:
        """The master admin through the internal front door (the public one refuses it)."""
        return KeycloakEndpoint(self.internal_url, "admin", self._admin_password(), "cluster", None)

    def _admin_password(self) -> str:
        """One bootstrap admin for the shared database, kept 0600 in the cluster folder."""
        path = self.root / "admin-password"
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(18))
        return path.read_text().strip()

    # -- the parts ----------------------------------------------------------------------------
    def distribution(self) -> BuiltDistribution:
        if self._distribution is None:
            self._distribution = built_distribution(CLUSTER_BUILD_OPTIONS, providers=extension_jars())
        return self._distribution

    def node(self, index: int, hostname: str | None = None) -> LocalKeycloak:
        """Node ``index``; ``hostname`` other than the balancer's only for a baseline without it (benchmarks)."""
        ports = self.layout.nodes[index]
        folder = self.root / f"keycloak-{index + 1}"
        folder.mkdir(parents=True, exist_ok=True)
        password_file = folder / "admin-password"
        if not password_file.exists():
            password_file.touch(mode=0o600)
            password_file.write_text(self._admin_password())
        database = self.database or self.postgres.resume()
        return LocalKeycloak(
            self.distribution(),
            folder,
            http_port=ports.http,
            management_port=ports.management,
            cache="ispn",
            hostname=hostname or self.public_url,
            extra_args=(
                f"--db-url={database.jdbc_url}",
                f"--hostname-admin={self.internal_url}",
                "--cache-embedded-network-bind-address=127.0.0.1",
                f"--cache-embedded-network-bind-port={ports.jgroups}",
                # the route Keycloak appends to AUTH_SESSION_ID, and the balancer's name for this node's server
                f"--spi-cache-embedded--default--node-name={self.node_name(index)}",
                # forwarded headers only from the balancer (loopback here; the proxy's network in production)
                "--proxy-headers=xforwarded",
                "--proxy-trusted-addresses=127.0.0.1",
                # on TERM, answer "not ready" for 6 s first: the balancer (checks every 1 s, down after 3 misses)
                # stops sending new requests before the node stops taking them
                "--shutdown-delay=6s",
            ),
            extra_env={"KC_DB_USERNAME": database.username, "KC_DB_PASSWORD": database.password},
        )

    def start_infrastructure(self) -> KeycloakEndpoint:
        """PostgreSQL, Redis, the balancer, then node 1 (it creates the schema) and the others together."""
        self.database = self.postgres.start()
        self.start_redis()
        self.start_balancer()
        self.node(0).start()
        if len(self.layout.nodes) > 1:
            with ThreadPoolExecutor(len(self.layout.nodes) - 1) as pool:
                list(pool.map(lambda i: self.node(i).start(), range(1, len(self.layout.nodes))))
        self.wait_for_members(len(self.layout.nodes))
        return self.admin_endpoint()

    def start_redis(self) -> None:
        self.redis.dir.mkdir(parents=True, exist_ok=True)
        self.runner.start(
            Service("redis", tuple(self.redis.argv()[1:]), self.layout.redis, program=self.redis.argv()[0])
        )

    def start_balancer(self) -> None:
        config = self.root / "haproxy.cfg"
        keycloak = [
            Backend(self.node_name(i), p.http, p.management, "/health/ready") for i, p in enumerate(self.layout.nodes)
        ]
        workbenches = [Backend(f"wb{i + 1}", p, p, "/healthz") for i, p in enumerate(self.layout.workbenches)]
        config.write_text(render_config(self.layout.balancer, keycloak, workbenches, self.balancer.socket_path))
        check_config(config)
        self.runner.start(
            Service("haproxy", ("-db", "-f", str(config)), self.layout.balancer.public_sso, program=haproxy_binary())
        )

    def start_workbenches(self, env: Mapping[str, str]) -> None:
        """Every workbench instance, serving the balancer's workbench URL, sessions in the cluster's Redis."""
        for index, port in enumerate(self.layout.workbenches):
            self.start_workbench(index, env, port)

    def start_workbench(self, index: int, env: Mapping[str, str], port: int | None = None) -> None:
        port = port or self.layout.workbenches[index]
        values = {"WUYE_WORKBENCH_URL": self.workbench_url, "WUYE_REDIS_URL": self.redis_url, **env}
        self.runner.start(
            Service(
                f"workbench-{index + 1}",
                ("-m", "wuye_sso", "workbench", "--port", str(port)),
                port,
                health_url=f"http://127.0.0.1:{port}/healthz",
                env=tuple(values.items()),
            )
        )

    # -- faults -------------------------------------------------------------------------------
    def kill_node(self, index: int) -> int:
        """``kill -9`` the node's JVM (a crash: no graceful leave); returns the pid killed."""
        node = self.node(index)
        pid = node.java_pid()
        if pid is None:
            raise SetupError(f"Keycloak node {index + 1} has no running JVM to kill.", "Start it first.")
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid)
        node.stop()  # reaps kc.sh and forgets the state file
        return pid

    def restart_node(self, index: int) -> None:
        """Stop gracefully (if running) and start again; returns when it answers ``/health/ready``."""
        node = self.node(index)
        node.stop()
        node.start()

    def kill_service(self, name: str) -> int:
        """``kill -9`` one of our services (e.g. ``workbench-1``) by its recorded pid."""
        pid = self.runner.pid(name)
        if pid is None:
            raise SetupError(f"{name} is not running.", "Start it first.")
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid)
        self.runner.stop(name)  # forgets the pid file
        return pid

    def restart_redis(self) -> None:
        self.runner.stop("redis")
        self.start_redis()

    def wait_for_members(self, members: int, timeout: float = 120.0) -> None:
        """Until every running node's log shows a cluster view of ``members`` (Infinispan's ISPN000094) and every
        rebalance the coordinator started has finished (ISPN100002 / ISPN100010): a node that joined but has not
        received its share of the authentication sessions yet must not be left alone (a rolling restart's next step)."""
        deadline = time.monotonic() + timeout
        pattern = f"({members})"
        while time.monotonic() < deadline:
            views = [self._last_view(i) for i in range(len(self.layout.nodes)) if self.node(i).running_pid()]
            if views and all(v is not None and pattern in v for v in views) and self._rebalanced():
                return
            time.sleep(0.5)
        raise SetupError(
            f"The Keycloak nodes did not form a cluster of {members} within {timeout:.0f} s.",
            f"See the logs in {self.root}/keycloak-*/keycloak.log (look for ISPN000094).",
        )

    def wait_in_balancer(self, index: int, timeout: float = 60.0) -> None:
        """Until HAProxy's own checks have taken node ``index`` back (status UP in its stats): a node that answers
        ``/health/ready`` is not yet one the balancer sends traffic to (``rise 2``)."""
        import httpx

        name, deadline = self.node_name(index), time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                csv = httpx.get(f"{self.internal_url}/haproxy-stats;csv", timeout=5).text
            except httpx.HTTPError:
                csv = ""
            rows = [line.split(",") for line in csv.splitlines()]
            if any(len(row) > 17 and row[0] == "keycloak" and row[1] == name and row[17] == "UP" for row in rows):
                return
            time.sleep(0.25)
        raise SetupError(
            f"HAProxy did not take Keycloak node {index + 1} back within {timeout:.0f} s.",
            f"See {self.internal_url}/haproxy-stats and the node's log in {self.root}.",
        )

    def _rebalanced(self) -> bool:
        """Every cache rebalance started in the nodes' logs has finished."""
        started = finished = 0
        for index in range(len(self.layout.nodes)):
            try:
                text = (self.root / f"keycloak-{index + 1}" / "keycloak.log").read_text(errors="replace")
            except OSError:
                continue
            started += text.count("ISPN100002: Starting rebalance")
            finished += text.count("ISPN100010: Finished rebalance")
        return started == finished

    def _last_view(self, index: int) -> str | None:
        try:
            lines = (self.root / f"keycloak-{index + 1}" / "keycloak.log").read_text(errors="replace").splitlines()
        except OSError:
            return None
        views = [line for line in lines if "ISPN000094" in line]
        return views[-1] if views else None

    # -- stop, status ---------------------------------------------------------------------------
    def status(self) -> list[tuple[str, str]]:
        rows = [
            ("postgres", "running" if self.postgres.running() else "stopped"),
            ("redis", _pid_text(self.runner.pid("redis"))),
            (
                "haproxy",
                _pid_text(self.runner.pid("haproxy")) + f", public {self.public_url}, "
                f"internal {self.internal_url}, workbench {self.workbench_url}",
            ),
        ]
        for index in range(len(self.layout.nodes)):
            node = self.node_without_database(index)
            rows.append((f"keycloak-{index + 1}", _pid_text(node) + f", {self.node_url(index)}"))
        for index in range(len(self.layout.workbenches)):
            rows.append((f"workbench-{index + 1}", _pid_text(self.runner.pid(f"workbench-{index + 1}"))))
        return rows

    def node_without_database(self, index: int) -> int | None:
        """The node's recorded pid, without building or asking the database (for status and stop)."""
        state = self.root / f"keycloak-{index + 1}" / "keycloak.json"
        try:
            pid = int(json.loads(state.read_text())["pid"])
        except (OSError, ValueError, KeyError):
            return None
        return pid if process_alive(pid) else None

    def stop(self, services: tuple[str, ...] = ()) -> list[str]:
        """Stop everything of this cluster (``services`` first: workbenches, API, sinks); what was stopped."""
        stopped = []
        names = (*services, *(f"workbench-{i + 1}" for i in range(len(self.layout.workbenches))), "haproxy")
        for name in names:
            if self.runner.stop(name):
                stopped.append(name)
        for index in range(len(self.layout.nodes)):
            if stop_instance(self.root / f"keycloak-{index + 1}"):
                stopped.append(f"keycloak-{index + 1}")
        if self.runner.stop("redis"):
            stopped.append("redis")
        if self.postgres.running():
            self.postgres.stop()
            stopped.append("postgres")
        return stopped


def _pid_text(pid: int | None) -> str:
    return f"running (pid {pid})" if pid else "stopped"


def _wait_gone(pid: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)

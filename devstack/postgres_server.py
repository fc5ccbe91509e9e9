"""A throw-away PostgreSQL server (Debian's package) on 127.0.0.1, for the production-path tests.

PostgreSQL refuses to run as root, so when we are root the server runs as the ``postgres`` user
that Debian's package creates; its data folder is handed to that user.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from devstack.errors import SetupError
from devstack.keycloak_server import free_port


@dataclass(frozen=True)
class PostgresDatabase:
    host: str
    port: int
    database: str
    username: str
    password: str

    @property
    def jdbc_url(self) -> str:
        return f"jdbc:postgresql://{self.host}:{self.port}/{self.database}"

    def __repr__(self) -> str:
        return f"PostgresDatabase({self.host}:{self.port}/{self.database})"


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SetupError(
            "PostgreSQL's server programs (initdb, pg_ctl) are not installed.",
            "Install Debian's package: `apt-get install -y postgresql` (scripts/install-system-packages.sh does it).",
        )
    return Path(found[-1]).parent


class PostgresServer:
    def __init__(self, root: Path, port: int | None = None) -> None:
        """``root`` is a fresh folder of ours (not under a 0700 pytest tmp dir: the postgres user must reach it)."""
        self.root = root
        self.data_dir = root / "data"
        self.port = port or free_port()
        self.bin = _bin_dir()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *argv: str, input_text: str | None = None) -> subprocess.CompletedProcess[str]:
        command = list(argv)
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, input=input_text, check=False)
        if result.returncode != 0:
            raise SetupError(
                f"PostgreSQL command failed: {' '.join(argv[:2])} (exit {result.returncode}).",
                "See the output below.",
                (result.stdout + result.stderr)[-2000:],
            )
        return result

    @property
    def _credentials_path(self) -> Path:
        return self.root / "database.json"

    def running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists()

    def resume(self) -> PostgresDatabase:
        """Start (if stopped) a server made earlier by ``start`` in the same folder, with its data and role."""
        saved = json.loads(self._credentials_path.read_text())
        self.port = int(saved["port"])
        if not self.running():
            self._pg_ctl_start()
        return PostgresDatabase("127.0.0.1", self.port, saved["database"], saved["username"], saved["password"])

    def restart(self) -> None:
        """A fast restart (``pg_ctl restart -m fast``): every client connection is cut, the data stays."""
        self._pg_ctl("restart", "-m", "fast")

    def _server_options(self) -> str:
        return f"-p {self.port} -h 127.0.0.1 -k {self.data_dir}"

    def _pg_ctl_start(self) -> None:
        self._pg_ctl("start")

    def _pg_ctl(self, action: str, *options: str) -> None:
        """``pg_ctl ACTION`` on our data directory and options, waiting until it is done (``-w``)."""
        log = str(self.data_dir / "server.log")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data_dir), "-l", log, *options, "-w",
                  "-o", self._server_options(), action)  # fmt: skip

    def start(self, database: str = "keycloak", username: str = "keycloak") -> PostgresDatabase:
        if self._credentials_path.exists():
            return self.resume()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.data_dir, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self._pg_ctl_start()
        password = secrets.token_urlsafe(16)
        sql = (
            f"CREATE ROLE {username} LOGIN PASSWORD '{password}';\n"
            f"CREATE DATABASE {database} OWNER {username} ENCODING 'UTF8';\n"
        )
        self._run(
            str(self.bin / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-f",
            "-",
            input_text=sql,
        )
        self._credentials_path.touch(mode=0o600)
        self._credentials_path.write_text(
            json.dumps({"port": self.port, "database": database, "username": username, "password": password})
        )
        return PostgresDatabase("127.0.0.1", self.port, database, username, password)

    def stop(self) -> None:
        with contextlib.suppress(SetupError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

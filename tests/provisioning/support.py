"""Helpers for provisioning stories: write a roster, run ``wuye-sso provision`` in-process, look at the realm."""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import io
import itertools
import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import yaml

from devstack.form_login import FormLogin, LoginPage, loopback_client
from provisioning import cli
from sso import catalog
from tests.support.realms import TestRealm

PROJECT = Path(__file__).resolve().parents[2]

SITES = [{"code": "songyuan", "name": "松园"}, {"code": "hupan", "name": "湖畔花园"}]


def person(
    no: int,
    name: str = "王小明",
    rank: str = "staff",
    departments: tuple[str, ...] = ("service",),
    sites: tuple[str, ...] = ("songyuan",),
    status: str = "active",
    email: bool = True,
    mobile: str | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "employee_no": f"WY{no:04d}",
        "name": name,
        "mobile": mobile or f"138 {no:04d} {no:04d}",
        "departments": list(departments),
        "rank": rank,
        "sites": list(sites),
        "status": status,
    }
    if email:
        entry["email"] = f"WY{no:04d}@Example.com"
    return entry


@dataclass
class Run:
    code: int
    out: dict[str, Any]
    err: str


@dataclass
class Provisioner:
    """Runs the command line against one test realm, as the provisioner service account by default."""

    realm: TestRealm
    workdir: Path
    runs: list[Run] = field(default_factory=list)

    @property
    def credentials_file(self) -> Path:
        return self.workdir / "credentials.csv"

    @property
    def audit_log(self) -> Path:
        return self.workdir / "audit.jsonl"

    def roster(
        self,
        people: list[dict[str, Any]],
        name: str = "roster.yaml",
        sites: list[dict[str, str]] | None = None,
        **settings: Any,
    ) -> Path:
        path = self.workdir / name
        data = {
            "tenant": self.realm.name,
            "company": "测试物业",
            **settings,
            "sites": SITES if sites is None else sites,
            "staff": people,
        }
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    def env(self, admin: bool = False) -> dict[str, str]:
        env = {
            "KEYCLOAK_ADMIN_USERNAME": self.realm.endpoint.admin_username,
            "KEYCLOAK_ADMIN_PASSWORD": self.realm.endpoint.admin_password,
        }
        if not admin:
            env["WUYE_PROVISIONER_CLIENT_SECRET"] = self.realm.settings.provisioner_client_secret
        return env

    def start_apply(
        self,
        roster: Path,
        *extra: str,
        admin: bool = True,
        credentials_file: Path | None = None,
        env: dict[str, str] | None = None,
        capture: bool = False,
    ) -> subprocess.Popen[bytes]:
        """``provisioning apply`` as a child process (small batches, one worker): for the tests that kill it or race
        two of them; ``capture`` keeps its output (stdout and stderr together) for ``communicate()``."""
        child_env = {**os.environ, **self.env(admin=admin), "PYTHONPATH": str(PROJECT), **(env or {})}
        child_env.pop("KEYCLOAK_URL", None)
        if admin:
            child_env.pop("WUYE_PROVISIONER_CLIENT_SECRET", None)
        command = [
            sys.executable, "-m", "provisioning.cli", "apply", str(roster), "--yes",
            "--keycloak-url", self.realm.endpoint.base_url,
            *self._credentials_option(extra, credentials_file),
            "--audit-log", str(self.audit_log),
            "--batch-size", "5", "--workers", "1", *extra,
        ]  # fmt: skip
        out, err = (subprocess.PIPE, subprocess.STDOUT) if capture else (subprocess.DEVNULL, subprocess.DEVNULL)
        return subprocess.Popen(command, env=child_env, cwd=PROJECT, stdout=out, stderr=err)

    def __call__(self, command: str, roster: Path, *extra: str, admin: bool = False) -> Run:
        argv = [command, str(roster), "--keycloak-url", self.realm.endpoint.base_url, "--json", *extra]
        if command == "apply":
            argv += ["--yes", *self._credentials_option(extra), "--audit-log", str(self.audit_log)]
        stdout, stderr = io.StringIO(), io.StringIO()
        with (
            mock.patch.dict(os.environ, self.env(admin)),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            if not admin:
                os.environ.pop("KEYCLOAK_URL", None)
            else:
                os.environ.pop("WUYE_PROVISIONER_CLIENT_SECRET", None)
            code = cli.main(argv)
        text = stdout.getvalue().strip()
        run = Run(code, json.loads(text.splitlines()[-1]) if text else {}, stderr.getvalue())
        self.runs.append(run)
        return run

    def _credentials_option(self, extra: tuple[str, ...], path: Path | None = None) -> tuple[str, ...]:
        """``--credentials-file`` unless the run chose SMS activation (which gives no passwords, and refuses one)."""
        sms = ("--activation", "sms") in itertools.pairwise(extra)
        return () if sms else ("--credentials-file", str(path or self.credentials_file))

    # -- looking at the realm through the admin API ----------------------------------------------------
    def user(self, employee_no: str) -> dict[str, Any]:
        admin = self.realm.admin()
        found = admin.get_users({"username": employee_no.lower(), "exact": True})
        assert len(found) == 1, f"expected one account {employee_no}, found {len(found)}"
        return dict(admin.get_user(found[0]["id"]))

    def roles(self, user_id: str) -> set[str]:
        return {r["name"] for r in self.realm.admin().get_realm_roles_of_user(user_id)}

    def groups(self, user_id: str) -> set[str]:
        return {g["path"] for g in self.realm.admin().get_user_groups(user_id)}


def authorize_url(provision: Provisioner) -> tuple[str, str]:
    """The workbench's authorization URL (PKCE) for this realm, and its code verifier."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "client_id": catalog.WORKBENCH_CLIENT_ID,
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": f"{provision.realm.settings.workbench_url}/auth/callback",
        "state": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{provision.realm.issuer}/protocol/openid-connect/auth?{urlencode(params)}", verifier


def credential_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as rows:
        return list(csv.DictReader(rows))


def one_time_password_works(provision: Provisioner, username: str, password: str) -> bool:
    """Whether the login page takes this one-time password (it then asks for a new one)."""
    with loopback_client() as client:
        flow = FormLogin(client, provision.realm.endpoint.base_url)
        flow.open(authorize_url(provision)[0])
        step = flow.submit(username=username, password=password, credentialId="")
    return isinstance(step, LoginPage) and step.form_id == "kc-passwd-update-form"

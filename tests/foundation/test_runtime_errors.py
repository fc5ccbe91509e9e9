"""Set-up problems get a one-paragraph answer that says what to do (no stack trace to decode)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from devstack import distribution, toolchain
from devstack.distribution import BuiltDistribution, verify_archive
from devstack.errors import SetupError
from devstack.keycloak_server import LocalKeycloak, free_port


def test_a_port_already_in_use_is_named_with_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = LocalKeycloak(BuiltDistribution(tmp_path, "26.7.3", ()), tmp_path / "kc", port, free_port())
        with pytest.raises(SetupError) as error:
            server.start()
    assert f"Port {port}" in str(error.value) and "already in use" in str(error.value)
    assert "KEYCLOAK_HTTP_PORT" in str(error.value)


def test_missing_java_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SetupError) as error:
        toolchain.find_java()
    assert "No usable Java" in str(error.value) and "apt-get install" in str(error.value)


def test_a_too_old_java_is_not_taken(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "java"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(SetupError) as error:
        toolchain.find_java()
    assert "Java 17" in str(error.value)


def test_missing_maven_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SetupError) as error:
        toolchain.find_maven()
    assert "apt-get install -y maven" in str(error.value)


def test_a_corrupt_keycloak_archive_is_refused_and_deleted(tmp_path: Path) -> None:
    archive = tmp_path / "keycloak-quarkus-dist-26.7.3.tar.gz"
    archive.write_bytes(b"truncated download")
    with pytest.raises(SetupError) as error:
        verify_archive(archive, "26.7.3")
    assert "corrupt" in str(error.value) and "Run again" in str(error.value)
    assert not archive.exists()


def test_the_cached_archive_matches_the_recorded_checksum() -> None:
    archive = distribution.fetch_archive()  # cached after the first run; verified every time
    verify_archive(archive)
    assert archive.stat().st_size > 100_000_000

"""The official Keycloak server distribution: fetched with Maven, verified, unpacked and built once.

A built distribution is keyed by its build options and the provider jars placed in ``providers/``,
so the dev-file build and the PostgreSQL build, or a build with a new extension jar, live side by
side in the cache and are reused by every later run (``kc.sh start --optimized`` skips the
separate Quarkus build JVM, which is most of a cold start).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from devstack.errors import SetupError
from devstack.paths import cache_dir
from devstack.toolchain import Java, find_java, find_maven

log = logging.getLogger(__name__)

KEYCLOAK_VERSION = "26.7.3"
#: sha256 of keycloak-quarkus-dist-<version>.tar.gz as served by Maven Central.
KNOWN_SHA256 = {
    "26.7.3": "77657f30b7e90d70f727712ce1c967f430fd6a5e9f458d32d8c6df0635345f47",
}
#: Build-time options of the local (dev-file, H2) server.
DEV_BUILD_OPTIONS: tuple[str, ...] = ("--health-enabled=true", "--cache=local", "--db=dev-file")
#: Build-time options of the PostgreSQL server used by the production-path tests.
POSTGRES_BUILD_OPTIONS: tuple[str, ...] = ("--health-enabled=true", "--cache=local", "--db=postgres")
#: Build-time options of the clustered nodes (``devstack/cluster.py``): Infinispan caches shared over JGroups.
CLUSTER_BUILD_OPTIONS: tuple[str, ...] = ("--health-enabled=true", "--cache=ispn", "--db=postgres")


@dataclass(frozen=True)
class BuiltDistribution:
    """An unpacked, ``kc.sh build``-ed Keycloak home, ready for ``start --optimized``."""

    home: Path
    version: str
    build_options: tuple[str, ...]
    providers: tuple[Path, ...] = field(default=())

    @property
    def kc_sh(self) -> Path:
        return self.home / "bin" / "kc.sh"


def archive_path(version: str = KEYCLOAK_VERSION) -> Path:
    return cache_dir() / "downloads" / f"keycloak-quarkus-dist-{version}.tar.gz"


def fetch_archive(version: str = KEYCLOAK_VERSION) -> Path:
    """Fetch the distribution archive through Maven (reusing ~/.m2) and verify its sha256."""
    target = archive_path(version)
    if target.exists() and _sha256(target) == KNOWN_SHA256.get(version, _sha256(target)):
        return target
    mvn = find_maven()
    target.parent.mkdir(parents=True, exist_ok=True)
    artifact = f"org.keycloak:keycloak-quarkus-dist:{version}:tar.gz"
    log.info("fetching %s with Maven", artifact)
    result = subprocess.run(
        [str(mvn), "-q", "-B", "-C", "dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={target.parent}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not target.exists():
        raise SetupError(
            f"Maven could not fetch {artifact}.",
            "Check that Maven Central is reachable (or your Maven mirror in ~/.m2/settings.xml) and run again.",
            (result.stdout + result.stderr)[-3000:],
        )
    verify_archive(target, version)
    return target


def verify_archive(path: Path, version: str = KEYCLOAK_VERSION) -> None:
    """Refuse an archive whose sha256 is not the recorded one (a truncated or tampered download)."""
    expected = KNOWN_SHA256.get(version)
    actual = _sha256(path)
    if expected is None:
        log.warning("no recorded sha256 for Keycloak %s; archive sha256 is %s", version, actual)
        return
    if actual != expected:
        path.unlink(missing_ok=True)
        raise SetupError(
            f"The Keycloak archive {path} is corrupt (sha256 {actual}, expected {expected}); it has been deleted.",
            "Run again to fetch it anew; if it keeps failing, delete ~/.m2/repository/org/keycloak/keycloak-quarkus-dist.",
        )


def built_distribution(
    build_options: Sequence[str] = DEV_BUILD_OPTIONS,
    providers: Sequence[Path] = (),
    version: str = KEYCLOAK_VERSION,
) -> BuiltDistribution:
    """Return a built Keycloak home for these options and provider jars, building it only the first time."""
    java = find_java()
    options = tuple(build_options)
    jars = tuple(sorted(Path(p).resolve() for p in providers))
    key = _build_key(version, options, jars)
    root = cache_dir() / "keycloak" / f"{version}-{key}"
    home = root / f"keycloak-{version}"
    marker = root / "wuye-build.json"
    with _lock(cache_dir() / "keycloak" / f".{version}-{key}.lock"):
        if marker.exists():
            marker.touch()  # most recently used: kept by _prune_old_builds
            return BuiltDistribution(home, version, options, jars)
        archive = fetch_archive(version)
        if root.exists():
            shutil.rmtree(root)
        staging = Path(tempfile.mkdtemp(prefix=f".{version}-{key}-", dir=root.parent))
        try:
            _unpack(archive, staging)
            staged_home = staging / f"keycloak-{version}"
            for jar in jars:
                shutil.copy2(jar, staged_home / "providers" / jar.name)
            _kc_build(java, staged_home, options)
            (staging / "wuye-build.json").write_text(
                json.dumps({"version": version, "options": list(options), "providers": [str(j) for j in jars]})
            )
            staging.rename(root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    _prune_old_builds(root.parent, keep=KEEP_BUILDS)
    return BuiltDistribution(home, version, options, jars)


#: Built homes kept in the cache (each ~250 MB); a new extension jar makes a new one.
KEEP_BUILDS = 4


def _prune_old_builds(builds: Path, keep: int) -> None:
    """Delete built homes beyond the ``keep`` most recently used that nobody used for a day (a developer
    rebuilding the jar makes many; one used today may belong to a server still running)."""
    day_ago = time.time() - 86_400
    built = sorted(
        (d for d in builds.iterdir() if (d / "wuye-build.json").exists()),
        key=lambda d: (d / "wuye-build.json").stat().st_mtime,
        reverse=True,
    )
    for old in built[keep:]:
        if (old / "wuye-build.json").stat().st_mtime > day_ago:
            continue
        log.info("removing unused Keycloak build %s", old.name)
        shutil.rmtree(old, ignore_errors=True)


def _kc_build(java: Java, home: Path, options: tuple[str, ...]) -> None:
    log.info("building Keycloak (%s); this happens once per option set", " ".join(options))
    env = dict(os.environ, JAVA_HOME=str(java.home))
    result = subprocess.run(
        [str(home / "bin" / "kc.sh"), "build", *options], capture_output=True, text=True, env=env, check=False
    )
    if result.returncode != 0:
        raise SetupError(
            f"`kc.sh build {' '.join(options)}` failed (exit {result.returncode}).",
            "Read the output below; a provider jar in providers/ that does not fit this Keycloak version is the usual cause.",
            (result.stdout + result.stderr)[-4000:],
        )


def _unpack(archive: Path, into: Path) -> None:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="tar")
    except (tarfile.TarError, EOFError, OSError) as exc:
        archive.unlink(missing_ok=True)
        raise SetupError(
            f"The Keycloak archive {archive} could not be unpacked ({exc}); it has been deleted.",
            "Run again to fetch it anew.",
        ) from exc


def _build_key(version: str, options: tuple[str, ...], jars: tuple[Path, ...]) -> str:
    digest = hashlib.sha256(version.encode())
    for option in options:
        digest.update(b"\0opt" + option.encode())
    for jar in jars:
        digest.update(b"\0jar" + jar.name.encode() + _sha256(jar).encode())
    return digest.hexdigest()[:12]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    """One builder at a time per key, across processes (two test runs starting together)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

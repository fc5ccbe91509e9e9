"""Build our Keycloak extension jar (``keycloak-extensions/``) so it can go into the distribution's ``providers/``."""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

from devstack.errors import SetupError
from devstack.paths import PROJECT_ROOT
from devstack.toolchain import find_maven

log = logging.getLogger(__name__)

MODULE_DIR = PROJECT_ROOT / "keycloak-extensions"
JAR_NAME = "wuye-keycloak-extensions.jar"


def extension_jars(module_dir: Path = MODULE_DIR) -> list[Path]:
    """Package the extension (its JUnit tests run separately in ``make test``) and return its jar.

    ``WUYE_WITHOUT_EXTENSION=1`` leaves it out: for working on the Python side while the Java side is broken.
    """
    if not (module_dir / "pom.xml").exists() or os.environ.get("WUYE_WITHOUT_EXTENSION") == "1":
        return []
    jar = module_dir / "target" / JAR_NAME
    if jar.exists() and _newest_source(module_dir) <= jar.stat().st_mtime:
        return [jar]
    log.info("building the Keycloak extension in %s", module_dir)
    result = subprocess.run(
        [str(find_maven()), "-q", "-B", "-DskipTests", "package"],
        cwd=module_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not jar.exists():
        raise SetupError(
            f"The Keycloak extension in {module_dir} did not build (mvn package exit {result.returncode}).",
            "Fix the compile error shown below (or run `mvn -B package` there to see it whole), then run again.",
            (result.stdout + result.stderr)[-4000:],
        )
    return [jar]


def _newest_source(module_dir: Path) -> float:
    newest = (module_dir / "pom.xml").stat().st_mtime
    for path in (module_dir / "src").rglob("*"):
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
    return newest

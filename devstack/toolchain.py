"""Find the Java and Maven this machine has, and say exactly what is missing when they are not there."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from devstack.errors import SetupError

MIN_JAVA = 17


@dataclass(frozen=True)
class Java:
    executable: Path
    home: Path
    major: int


def find_java() -> Java:
    """JAVA_HOME first (as Keycloak's kc.sh does), then PATH; Java 17 or newer."""
    candidates: list[Path] = []
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidates.append(Path(java_home) / "bin" / "java")
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if not candidate.is_file():
            continue
        major = _java_major(candidate)
        if major is not None and major >= MIN_JAVA:
            real = candidate.resolve()
            return Java(executable=real, home=real.parent.parent, major=major)
    seen = ", ".join(str(c) for c in candidates) or "none on PATH and JAVA_HOME unset"
    raise SetupError(
        f"No usable Java found (Keycloak 26 needs Java {MIN_JAVA}, 21 or 25; looked at: {seen}).",
        "Install a JDK (on Debian: `apt-get install -y openjdk-17-jdk-headless`) or set JAVA_HOME to one, then run again.",
    )


def _java_major(executable: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(executable), "-version"], capture_output=True, text=True, timeout=30, check=False
        ).stderr
    except OSError:
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_maven() -> Path:
    mvn = shutil.which("mvn")
    if not mvn:
        raise SetupError(
            "Maven (`mvn`) is not on PATH; wuye-sso fetches the Keycloak distribution and builds its extension with it.",
            "Install it (on Debian: `apt-get install -y maven`) and run again.",
        )
    return Path(mvn)

"""Where the stack keeps what it fetches (cache, outside git) and what it runs (state, in .wuye/)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """Fetched and built artefacts shared by every checkout: ``$WUYE_CACHE_DIR`` or ``~/.cache/wuye-sso``."""
    root = os.environ.get("WUYE_CACHE_DIR") or str(Path.home() / ".cache" / "wuye-sso")
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def state_dir() -> Path:
    """Run-time state of the local stack (pids, logs, databases, secrets): ``$WUYE_STATE_DIR`` or ``.wuye/``."""
    root = os.environ.get("WUYE_STATE_DIR") or str(PROJECT_ROOT / ".wuye")
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path

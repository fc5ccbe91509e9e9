"""The audit log: one JSON line per change carried out (time, operator, realm, account, change, before/after).

Never a password: joiners' one-time passwords go only to the credentials file.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any


class AuditLog:
    def __init__(self, path: Path | None, operator: str, realm: str) -> None:
        self.path, self.operator, self.realm = path, operator, realm
        self._lock = threading.Lock()
        self._handle: Any = None
        self.lines = 0

    def record(self, account: str, change: str, target: str = "", before: Any = None, after: Any = None,
               user_id: str | None = None) -> None:
        entry = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "operator": self.operator, "realm": self.realm, "account": account, "user_id": user_id,
            "change": change, "target": target, "before": before, "after": after,
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.lines += 1
            if self.path is None:
                return
            if self._handle is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = self.path.open("a", encoding="utf-8")
            self._handle.write(line)
            self._handle.flush()

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None

"""One-time passwords for joiners: random, policy-compliant, written once to a 0600 file and nowhere else.

The realm's policy (realm template): 10-64 characters, a digit, a letter, not the username or e-mail.
Keycloak forces a change at first sign-in (temporary credential → UPDATE_PASSWORD). Re-running
provisioning never sets a password again, so password history stays intact.
"""

from __future__ import annotations

import csv
import os
import secrets
import threading
from pathlib import Path

from sso.csv_safe import csv_text

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
_LENGTH = 16


def one_time_password() -> str:
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


class CredentialsFile:
    """Append-only CSV (username, employee_no, name, password), mode 0600, created on first use.

    Each batch is written and fsync'd *before* the accounts are created, so a crash can leave a
    password for an account that was never made (harmless) but never an account whose password is lost.
    A later apply reuses a password already in the file (``known``) instead of writing a second row: the
    file holds one row per account, and that row works, whatever was killed when. Cells a spreadsheet
    would read as formulas (a roster name ``=HYPERLINK(…)``) are written as text (``sso.csv_safe``).
    """

    HEADER = ("username", "employee_no", "display_name", "one_time_password")

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.written = 0

    def write(self, rows: list[tuple[str, str, str, str]]) -> None:
        if not rows:
            return
        with self._lock:
            new = not self.path.exists()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.fchmod(fd, 0o600)
                text = csv_text(rows, header=self.HEADER if new else None)
                os.write(fd, text.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            self.written += len(rows)

    def known(self) -> dict[str, str]:
        """username → one-time password, for every row already in the file."""
        try:
            with self.path.open(encoding="utf-8", newline="") as rows:
                return {
                    row["username"]: row["one_time_password"]
                    for row in csv.DictReader(rows)
                    if row.get("username") and row.get("one_time_password")
                }
        except FileNotFoundError:
            return {}

    def __repr__(self) -> str:
        return f"CredentialsFile({str(self.path)!r})"

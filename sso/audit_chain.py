"""The project's tamper-evident audit log: JSON lines, each carrying the hash of the one before.

One line = one record (any JSON object: the help desk's actions, provisioning's changes) plus three fields the
chain owns: ``seq`` (1, 2, 3 …), ``prev`` (the ``hash`` of the line before; 64 zeros on the first line) and
``hash`` = SHA-256 of the line's canonical form without ``hash``. The canonical form is defined once, in
``canonical()``: UTF-8 JSON, keys sorted, no spaces, non-ASCII kept as is.

What ``verify`` finds, by line number: a changed line (its hash no longer matches), a removed line (the next
line's ``prev``/``seq`` no longer follow), lines swapped (same), a line that is not JSON. What a chain alone cannot
see is the last lines cut off: ``verify`` prints the head hash and count so an auditor can note them, and compare
later ("the log had 1,204 lines ending in 3f9a… on 1 December").

Several processes may append (two workbench instances, a provisioning run): ``append`` takes an exclusive
``flock`` on the file while it reads the last line and writes the next, so the chain never forks.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

GENESIS = "0" * 64
#: Fields the chain writes on every line; a record may not bring its own.
CHAIN_FIELDS = ("seq", "prev", "hash")


class AuditChainError(ValueError):
    """The audit log cannot be appended to (its last line is unreadable); the message names file and line."""


def canonical(entry: Mapping[str, object]) -> bytes:
    """The one byte form every hash of the chain is taken over."""
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def line_hash(entry: Mapping[str, object]) -> str:
    """SHA-256 (hex) of the entry's canonical form, its own ``hash`` field left out."""
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def now_iso() -> str:
    """UTC time with milliseconds, the form every audit record's ``time`` uses."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class AuditChain:
    """``AuditChain(path).append(record)``: one line, locked and fsync'd (the help desk: a few lines per action).

    A writer that appends many lines (a provisioning run: two per change) opens ``ChainWriter`` once instead: it holds
    the lock for its life, so the head is read once and every line costs one ``write``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, record: Mapping[str, object]) -> dict[str, object]:
        """Append ``record`` (a ``time`` is added when it has none) and return the line as written."""
        with ChainWriter(self.path) as writer:
            return writer.append(record)


class ChainWriter:
    """Holds the chain's lock from ``open`` to ``close``; ``append`` writes each line at once (``O_APPEND``, one
    ``write``: a killed process leaves whole lines), ``close`` fsyncs and releases the lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.fchmod(self._fd, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            self._seq, self._prev = self._head(self._fd)
        except BaseException:
            os.close(self._fd)
            raise

    def __enter__(self) -> ChainWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def append(self, record: Mapping[str, object]) -> dict[str, object]:
        """Append ``record`` (a ``time`` is added when it has none) and return the line as written."""
        if self._fd is None:
            raise AuditChainError(f"{self.path}: the audit writer is closed")
        clash = [name for name in CHAIN_FIELDS if name in record]
        if clash:
            raise ValueError(f"audit record may not set the chain's own fields: {clash}")
        entry: dict[str, object] = {"time": now_iso(), **record}
        entry["seq"], entry["prev"] = self._seq + 1, self._prev
        entry["hash"] = line_hash(entry)
        os.write(self._fd, canonical(entry) + b"\n")
        self._seq, self._prev = self._seq + 1, str(entry["hash"])
        return entry

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.fsync(self._fd)
            finally:
                os.close(self._fd)  # releases the lock
                self._fd = None

    def _head(self, fd: int) -> tuple[int, str]:
        """(seq, hash) of the last line, (0, GENESIS) for an empty file."""
        size = os.lseek(fd, 0, os.SEEK_END)
        if size == 0:
            return 0, GENESIS
        chunk, data = 4096, b""
        while True:
            start = max(0, size - len(data) - chunk)
            os.lseek(fd, start, os.SEEK_SET)
            data = os.read(fd, size - start)
            lines = data.rstrip(b"\n").split(b"\n")
            if len(lines) > 1 or start == 0:
                break
        try:
            last = json.loads(lines[-1])
            return int(last["seq"]), str(last["hash"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AuditChainError(f"{self.path}: the last line is not a chained audit record ({exc})") from exc


def read_records(path: Path) -> Iterator[dict[str, object]]:
    """The records of a log (chained or plain JSON lines), skipping blank and unreadable lines."""
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            if raw.strip():
                try:
                    value = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(value, dict):
                    yield value


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Verdict:
    lines: int
    head: str
    problems: tuple[Problem, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(path: Path) -> Verdict:
    """Walk the chain and name every line where it breaks (the first problem is the one to look at)."""
    problems: list[Problem] = []
    prev, seq, count = GENESIS, 0, 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            count = number
            try:
                entry = json.loads(raw)
            except ValueError as exc:
                problems.append(Problem(number, f"not a JSON record ({exc})"))
                continue
            if not isinstance(entry, dict):
                problems.append(Problem(number, "not a JSON object"))
                continue
            if entry.get("hash") != line_hash(entry):
                problems.append(Problem(number, "changed: its content no longer matches its hash"))
            elif entry.get("prev") != prev or entry.get("seq") != seq + 1:
                problems.append(
                    Problem(
                        number,
                        f"out of chain: expected seq {seq + 1} after hash {prev[:12]}…, found seq {entry.get('seq')} "
                        "(a line before it was removed, or lines were reordered)",
                    )
                )
            prev = str(entry.get("hash"))
            seq = entry["seq"] if isinstance(entry.get("seq"), int) else seq + 1
    return Verdict(count, prev, tuple(problems))

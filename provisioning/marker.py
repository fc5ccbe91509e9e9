"""Provisioning's own records, kept in Keycloak itself so that every machine sees them.

A top-level group ``wuye-provisioning`` (manageable with the provisioner's ``manage-users``) holds:
- the apply lock: a child group ``apply-lock``. Creating a group whose name exists is refused by
  Keycloak (409), which makes taking the lock atomic across machines; its attributes say who holds it
  and until when (renewed while the apply runs; a holder on this host whose process is gone is stale).
- the last complete apply: the server times of its lock and of its last write, who applied, the accounts
  it wrote, and a snapshot: one short digest per managed account of what provisioning owns on it
  (``employee_no``, ``phone_number``, ``display_name``, managed roles and groups). Reading 10,000 users'
  attributes and memberships costs minutes; the snapshot plus the admin events since the apply tell
  which accounts can differ and need reading.
  An apply removes the snapshot before it writes, so a killed apply leaves none and the next run reads
  everything.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import socket
import time
from dataclasses import dataclass, field

from provisioning.keycloak_gateway import Conflict, KeycloakGateway, NotFound

MARKER_GROUP = "wuye-provisioning"
LOCK_GROUP = "apply-lock"
LOCK_TTL_S = 120
_CHUNK = 200  # group attribute values hold at most 255 characters
_DIGEST_BYTES = 8


def state_digest(
    username: str, attributes: dict[str, str], realm_roles: set[str] | frozenset[str], groups: set[str] | frozenset[str]
) -> bytes:
    """8 bytes standing for what provisioning owns on one account: its attributes, roles and groups."""
    parts = [
        username,
        *(f"{k}={attributes[k]}" for k in sorted(attributes)),
        "roles",
        *sorted(realm_roles),
        "groups",
        *sorted(groups),
    ]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=_DIGEST_BYTES).digest()


@dataclass
class Marker:
    """The marker group as read: its id, the last apply's watermark and snapshot (if valid)."""

    group_id: str | None
    read_started_ms: int = 0
    writes_ended_ms: int = 0
    applier: str = ""
    snapshot: frozenset[bytes] | None = None
    touched: frozenset[str] = field(default_factory=frozenset)  # user ids the last apply wrote
    lock_id: str = ""  # the last apply's lock group (deleted after the snapshot is written)

    @property
    def has_snapshot(self) -> bool:
        return self.group_id is not None and self.snapshot is not None and self.read_started_ms > 0


def read_marker(gateway: KeycloakGateway) -> Marker:
    group = gateway.group_by_path(f"/{MARKER_GROUP}")
    if group is None:
        return Marker(group_id=None)
    attrs: dict[str, list[str]] = group.get("attributes") or {}

    def one(name: str) -> str:
        values = attrs.get(name) or [""]
        return values[0]

    marker = Marker(group_id=str(group["id"]))
    if one("snapshot_complete") != "true":
        return marker
    try:
        marker.read_started_ms = int(one("read_started_ms") or 0)
        marker.writes_ended_ms = int(one("writes_ended_ms") or 0)
    except ValueError:
        return marker
    marker.applier = one("applier")
    marker.lock_id = one("lock_id")
    marker.snapshot = _decode(attrs.get("snapshot") or [])
    marker.touched = frozenset(_decode_ids(attrs.get("touched") or []))
    return marker


def ensure_marker(gateway: KeycloakGateway, marker: Marker) -> str:
    if marker.group_id:
        return marker.group_id
    try:
        marker.group_id = gateway.create_group(
            MARKER_GROUP, {"description": ["wuye-sso provisioning records: do not edit"]}
        )
    except Conflict as exc:
        found = gateway.group_by_path(f"/{MARKER_GROUP}")
        if found is None:  # made by another apply and deleted again meanwhile: a run-time race, not a bug
            raise Conflict(
                exc.method, exc.path, exc.status, f"/{MARKER_GROUP} changed under this apply: run again"
            ) from exc
        marker.group_id = str(found["id"])
    return marker.group_id


def clear_snapshot(gateway: KeycloakGateway, group_id: str) -> None:
    """Called before an apply writes: until it completes, no run may trust the old snapshot."""
    gateway.update_group(
        group_id,
        {
            "name": MARKER_GROUP,
            "attributes": {
                "description": ["wuye-sso provisioning records: do not edit"],
                "snapshot_complete": ["false"],
            },
        },
    )


def write_snapshot(
    gateway: KeycloakGateway,
    group_id: str,
    read_started_ms: int,
    writes_ended_ms: int,
    applier: str,
    digests: set[bytes],
    touched: set[str],
    lock_id: str,
) -> None:
    gateway.update_group(
        group_id,
        {
            "name": MARKER_GROUP,
            "attributes": {
                "description": ["wuye-sso provisioning records: do not edit"],
                "snapshot_complete": ["true"],
                "read_started_ms": [str(read_started_ms)],
                "writes_ended_ms": [str(writes_ended_ms)],
                "applier": [applier],
                "lock_id": [lock_id],
                "snapshot": _encode(sorted(digests)),
                "touched": _encode_ids(sorted(touched)),
            },
        },
    )


def _encode(digests: list[bytes]) -> list[str]:
    text = base64.b64encode(b"".join(digests)).decode()
    return [f"{i:05d}:{text[at : at + _CHUNK]}" for i, at in enumerate(range(0, len(text), _CHUNK))] or ["00000:"]


def _decode(values: list[str]) -> frozenset[bytes]:
    text = "".join(v.split(":", 1)[1] for v in sorted(values) if ":" in v)
    data = base64.b64decode(text) if text else b""
    return frozenset(data[i : i + _DIGEST_BYTES] for i in range(0, len(data), _DIGEST_BYTES))


def _encode_ids(ids: list[str]) -> list[str]:
    return _encode([bytes.fromhex(i.replace("-", "")) for i in ids if len(i.replace("-", "")) == 32])


def _decode_ids(values: list[str]) -> list[str]:
    text = "".join(v.split(":", 1)[1] for v in sorted(values) if ":" in v)
    data = base64.b64decode(text) if text else b""
    out = []
    for i in range(0, len(data) - 15, 16):
        h = data[i : i + 16].hex()
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


# -- the apply lock ----------------------------------------------------------------------------------
class LockHeld(Exception):
    """Another apply holds the realm's lock; the message says who and until when."""


@dataclass
class ApplyLock:
    gateway: KeycloakGateway
    marker_id: str
    holder: str
    group_id: str | None = None

    def _attributes(self) -> dict[str, list[str]]:
        return {
            "holder": [self.holder],
            "host": [socket.gethostname()],
            "pid": [str(os.getpid())],
            "expires_at": [str(int(time.time()) + LOCK_TTL_S)],
        }

    def acquire(self) -> None:
        for _ in range(2):
            try:
                self.group_id = self.gateway.create_group(LOCK_GROUP, self._attributes(), parent_id=self.marker_id)
                return
            except Conflict:
                current = self._current()
                if current is None:
                    continue
                group_id, attrs = current
                if not _stale(attrs):
                    raise LockHeld(
                        f"another apply is running on realm {self.gateway.realm}: held by {attrs.get('holder', ['?'])[0]} "
                        f"on {attrs.get('host', ['?'])[0]} (pid {attrs.get('pid', ['?'])[0]}) until "
                        f"{time.strftime('%H:%M:%S', time.localtime(int(attrs.get('expires_at', ['0'])[0])))}. "
                        "Wait for it to finish and run again."
                    ) from None
                with contextlib.suppress(NotFound):
                    self.gateway.delete_group(group_id)  # stale: its holder is gone
        raise LockHeld(f"could not take the apply lock on realm {self.gateway.realm}; try again")

    def renew(self) -> None:
        if self.group_id:
            self.gateway.update_group(self.group_id, {"name": LOCK_GROUP, "attributes": self._attributes()})

    def release(self) -> None:
        if self.group_id:
            with contextlib.suppress(NotFound):
                self.gateway.delete_group(self.group_id)
            self.group_id = None

    def _current(self) -> tuple[str, dict[str, list[str]]] | None:
        group = self.gateway.group_by_path(f"/{MARKER_GROUP}/{LOCK_GROUP}")
        if group is None:
            return None
        return str(group["id"]), dict(group.get("attributes") or {})


def _stale(attrs: dict[str, list[str]]) -> bool:
    try:
        expires = int((attrs.get("expires_at") or ["0"])[0])
    except ValueError:
        return True
    if expires < time.time():
        return True
    if (attrs.get("host") or [""])[0] == socket.gethostname():
        try:
            pid = int((attrs.get("pid") or ["0"])[0])
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            return True
        except PermissionError:
            return False
    return False

"""Server-side workbench sessions: the browser holds only an opaque random id; tokens never leave the server.

Two stores with one interface: ``MemorySessionStore`` (one process, the default) and
``RedisSessionStore`` (several workbench instances serving one user). Both:

* key records by SHA-256 of the session id, so a dump of the store holds no usable cookie value;
* index sessions by Keycloak's session id (``sid``) and by subject, so a back-channel logout ends
  the matching sessions at once;
* keep pending sign-ins (state → nonce, PKCE verifier, return-to) for ``PENDING_TTL`` seconds, taken
  once (a replayed callback finds nothing);
* expire a session at ``expires_at`` = min(idle expiry from Keycloak's refresh token, absolute cap).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass, field
from typing import Any, ParamSpec, Protocol, TypeVar

from sso.oidc.authorization import PendingSignIn

#: A started sign-in must come back within this many seconds.
PENDING_TTL = 600


def new_session_id() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class WorkbenchSession:
    """One signed-in employee's session (kept server-side only)."""

    subject: str
    keycloak_sid: str | None
    id_token: str = field(repr=False)
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    access_expires_at: float
    #: Keycloak's idle limit: the refresh token's expiry, moved on at each refresh.
    idle_expires_at: float
    #: The absolute cap (sign-in time + ``max_session_seconds``).
    absolute_expires_at: float
    nonce: str = field(repr=False)
    csrf_token: str = field(repr=False)
    #: Verified access-token claims: what ``principal_from_claims`` reads.
    claims: dict[str, Any] = field(repr=False)
    created_at: float = field(default_factory=time.time)
    #: How the Keycloak session was established (the ID token's ``amr``): read by the step-up rule.
    amr: list[str] = field(default_factory=list)
    #: This session came from a step-up sign-in (so a still-missing factor is shown, not asked again in a loop).
    stepped_up: bool = False

    @property
    def expires_at(self) -> float:
        return min(self.idle_expires_at, self.absolute_expires_at)

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expires_at

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> WorkbenchSession:
        data = json.loads(text)
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


class SessionStore(Protocol):
    async def create(self, session: WorkbenchSession) -> str:
        """Store a new session under a fresh random id and return the id (the cookie value)."""

    async def get(self, session_id: str) -> WorkbenchSession | None:
        """The live session, or ``None`` when unknown or expired."""

    async def save(self, session_id: str, session: WorkbenchSession) -> None: ...

    async def delete(self, session_id: str) -> None: ...

    async def end_sessions(self, keycloak_sid: str | None, subject: str | None) -> int:
        """End the sessions of a Keycloak session (or, without ``sid``, of a subject); how many ended."""

    async def put_pending(self, pending: PendingSignIn, browser_binding: str) -> None: ...

    async def take_pending(self, state: str, browser_binding: str) -> PendingSignIn | None:
        """The pending sign-in for ``state`` if this browser started it; removed either way."""

    async def close(self) -> None: ...


class MemorySessionStore:
    """One process's sessions, in a dict; expired entries are dropped when met and swept on create."""

    def __init__(self) -> None:
        self._sessions: dict[str, WorkbenchSession] = {}
        self._pending: dict[str, tuple[float, str, PendingSignIn]] = {}
        self._lock = asyncio.Lock()

    async def create(self, session: WorkbenchSession) -> str:
        session_id = new_session_id()
        async with self._lock:
            self._sweep()
            self._sessions[_digest(session_id)] = session
        return session_id

    async def get(self, session_id: str) -> WorkbenchSession | None:
        key = _digest(session_id)
        session = self._sessions.get(key)
        if session is not None and session.expired():
            self._sessions.pop(key, None)
            return None
        return session

    async def save(self, session_id: str, session: WorkbenchSession) -> None:
        key = _digest(session_id)
        if key in self._sessions:
            self._sessions[key] = session

    async def delete(self, session_id: str) -> None:
        self._sessions.pop(_digest(session_id), None)

    async def end_sessions(self, keycloak_sid: str | None, subject: str | None) -> int:
        async with self._lock:
            doomed = [
                key
                for key, s in self._sessions.items()
                if (keycloak_sid is not None and s.keycloak_sid == keycloak_sid)
                or (keycloak_sid is None and subject is not None and s.subject == subject)
            ]
            for key in doomed:
                del self._sessions[key]
        return len(doomed)

    async def put_pending(self, pending: PendingSignIn, browser_binding: str) -> None:
        async with self._lock:
            now = time.time()
            self._pending = {k: v for k, v in self._pending.items() if v[0] > now}
            self._pending[_digest(pending.state)] = (now + PENDING_TTL, _digest(browser_binding), pending)

    async def take_pending(self, state: str, browser_binding: str) -> PendingSignIn | None:
        entry = self._pending.pop(_digest(state), None)
        if entry is None or entry[0] <= time.time():
            return None
        if not secrets.compare_digest(entry[1], _digest(browser_binding)):
            return None
        return entry[2]

    async def close(self) -> None:
        return None

    def _sweep(self) -> None:
        now = time.time()
        self._sessions = {k: s for k, s in self._sessions.items() if not s.expired(now)}

    def __len__(self) -> int:
        return len(self._sessions)


class SessionStoreUnavailable(Exception):
    """The shared session store cannot be reached (Redis restarting): a 503 to retry, never a 500."""


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _unavailable_on_redis_error(
    method: Callable[_P, Coroutine[Any, Any, _R]],
) -> Callable[_P, Coroutine[Any, Any, _R]]:
    """Turn any Redis error into ``SessionStoreUnavailable``; the client reconnects by itself on the next call."""
    from redis.exceptions import RedisError

    @functools.wraps(method)
    async def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return await method(*args, **kwargs)
        except RedisError as exc:
            raise SessionStoreUnavailable(f"session store: {type(exc).__name__}") from exc

    return wrapper


class RedisSessionStore:
    """Sessions in Redis, shared by several workbench instances; Redis expires them by TTL."""

    PREFIX = "wuye:workbench:"

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis  # only when configured
        from redis.asyncio.retry import Retry  # not redis.retry.Retry: that one cannot await, so it never retries
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import BusyLoadingError, ConnectionError, TimeoutError

        # After a Redis restart every pooled connection is stale, and while Redis reloads its append-only file it
        # answers LOADING: retry on a fresh connection for about 3 s (0.1 + 0.2 + 0.4 + 0.8 + 1 + 1) before the
        # request gets the retry page, so a short restart is a pause for people, not an error
        # (tests/workbench/test_redis_restart.py)
        self._redis = redis.Redis.from_url(
            url,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 6),
            retry_on_error=[ConnectionError, TimeoutError, BusyLoadingError],
            health_check_interval=10,
        )

    def _key(self, kind: str, value: str) -> str:
        return f"{self.PREFIX}{kind}:{_digest(value)}"

    @_unavailable_on_redis_error
    async def create(self, session: WorkbenchSession) -> str:
        session_id = new_session_id()
        await self._write(_digest(session_id), session)
        return session_id

    async def _write(self, digest: str, session: WorkbenchSession) -> None:
        ttl = max(1, int(session.expires_at - time.time()) + 1)
        pipe = self._redis.pipeline(transaction=True)
        pipe.set(f"{self.PREFIX}session:{digest}", session.to_json(), ex=ttl)
        for index in self._indexes(session):
            pipe.sadd(index, digest)
            pipe.expire(index, ttl, gt=True)
            pipe.expire(index, ttl, nx=True)
        await pipe.execute()

    def _indexes(self, session: WorkbenchSession) -> list[str]:
        indexes = [self._key("by-subject", session.subject)]
        if session.keycloak_sid:
            indexes.append(self._key("by-sid", session.keycloak_sid))
        return indexes

    @_unavailable_on_redis_error
    async def get(self, session_id: str) -> WorkbenchSession | None:
        raw = await self._redis.get(f"{self.PREFIX}session:{_digest(session_id)}")
        if raw is None:
            return None
        session = WorkbenchSession.from_json(raw)
        return None if session.expired() else session

    @_unavailable_on_redis_error
    async def save(self, session_id: str, session: WorkbenchSession) -> None:
        digest = _digest(session_id)
        # Only if it still exists: a back-channel logout between read and write must win.
        if await self._redis.exists(f"{self.PREFIX}session:{digest}"):
            await self._write(digest, session)

    @_unavailable_on_redis_error
    async def delete(self, session_id: str) -> None:
        await self._redis.delete(f"{self.PREFIX}session:{_digest(session_id)}")

    @_unavailable_on_redis_error
    async def end_sessions(self, keycloak_sid: str | None, subject: str | None) -> int:
        if keycloak_sid is not None:
            index = self._key("by-sid", keycloak_sid)
        elif subject is not None:
            index = self._key("by-subject", subject)
        else:
            return 0
        digests = [d.decode() if isinstance(d, bytes) else str(d) for d in await self._redis.smembers(index)]
        if not digests:
            return 0
        ended = int(await self._redis.delete(*(f"{self.PREFIX}session:{d}" for d in digests)))
        await self._redis.delete(index)
        return ended

    @_unavailable_on_redis_error
    async def put_pending(self, pending: PendingSignIn, browser_binding: str) -> None:
        record = json.dumps({"binding": _digest(browser_binding), "pending": pending.to_dict()})
        await self._redis.set(self._key("pending", pending.state), record, ex=PENDING_TTL)

    @_unavailable_on_redis_error
    async def take_pending(self, state: str, browser_binding: str) -> PendingSignIn | None:
        raw = await self._redis.getdel(self._key("pending", state))
        if raw is None:
            return None
        record = json.loads(raw)
        if not secrets.compare_digest(str(record["binding"]), _digest(browser_binding)):
            return None
        return PendingSignIn.from_dict(record["pending"])

    async def close(self) -> None:
        await self._redis.aclose()


def store_for(redis_url: str | None) -> SessionStore:
    return RedisSessionStore(redis_url) if redis_url else MemorySessionStore()

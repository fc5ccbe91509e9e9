"""Redis restarts (an upgrade, a crash, a failover): people signed in to the workbench should not notice a blip.

The session store retries a Redis call on a fresh connection for about 3 s before it gives the retry page (503),
so a restart shorter than that costs people a pause, not an error, and the connections pooled before the
restart are replaced on first use instead of failing one request each. A real ``redis-server`` with its
append-only file (as production runs it), stopped and started on the same port.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.redis_server import RedisServer
from sso.workbench.sessions import RedisSessionStore, SessionStoreUnavailable, WorkbenchSession

#: People using the workbench at once in these tests.
PEOPLE = 20


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis", persistent=True).start()
    try:
        yield server
    finally:
        server.stop()


def _session() -> WorkbenchSession:
    now = time.time()
    return WorkbenchSession(
        subject="f7c1d2a4-0000-4000-8000-000000000001",
        keycloak_sid=None,
        id_token="id",
        access_token="access",
        refresh_token="refresh",
        access_expires_at=now + 300,
        idle_expires_at=now + 1800,
        absolute_expires_at=now + 36000,
        nonce="nonce",
        csrf_token="csrf",
        claims={},
    )


def _restart_in_background(server: RedisServer, down_seconds: float) -> threading.Thread:
    def restart() -> None:
        server.stop()
        time.sleep(down_seconds)
        server.start()

    thread = threading.Thread(target=restart, daemon=True)
    thread.start()
    return thread


async def _browse(store: RedisSessionStore, session_ids: list[str], seconds: float) -> list[str]:
    """Every person reads and saves their session in a loop for ``seconds``; the failures they met."""
    failures: list[str] = []

    async def person(session_id: str) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                session = await store.get(session_id)
                if session is None:
                    failures.append("signed out")
                    return
                await store.save(session_id, session)
            except SessionStoreUnavailable as exc:
                failures.append(f"{exc} ({exc.__cause__})")
            await asyncio.sleep(0.05)

    await asyncio.gather(*(person(session_id) for session_id in session_ids))
    return failures


def test_a_one_second_redis_restart_is_a_pause_for_people_signed_in_not_an_error(
    redis_server: RedisServer,
) -> None:
    async def scenario() -> list[str]:
        store = RedisSessionStore(redis_server.url)
        try:
            session_ids = [await store.create(_session()) for _ in range(PEOPLE)]
            restart = _restart_in_background(redis_server, down_seconds=1.0)
            failures = await _browse(store, session_ids, seconds=5.0)
            await asyncio.to_thread(restart.join, 30)
            return failures
        finally:
            await store.close()

    failures = asyncio.run(scenario())
    assert failures == [], f"{len(failures)} requests failed during a 1 s Redis restart, e.g. {failures[:3]}"


def test_connections_pooled_before_a_restart_fail_nobody_after_it(redis_server: RedisServer) -> None:
    async def scenario() -> list[str]:
        store = RedisSessionStore(redis_server.url)
        try:
            session_ids = [await store.create(_session()) for _ in range(PEOPLE)]
            await _browse(store, session_ids, seconds=0.5)  # every person's request holds a pooled connection
            await asyncio.to_thread(redis_server.stop)
            await asyncio.to_thread(redis_server.start)  # while nobody is asking
            return await _browse(store, session_ids, seconds=1.0)
        finally:
            await store.close()

    failures = asyncio.run(scenario())
    assert failures == [], f"{len(failures)} requests failed on connections from before the restart: {failures[:3]}"


def test_a_redis_that_stays_down_gives_the_retry_page_within_seconds_not_a_hang(
    redis_server: RedisServer,
) -> None:
    async def scenario() -> tuple[float, BaseException | None]:
        store = RedisSessionStore(redis_server.url)
        try:
            session_id = await store.create(_session())
            await asyncio.to_thread(redis_server.stop)
            started = time.monotonic()
            try:
                await store.get(session_id)
            except SessionStoreUnavailable as exc:
                return time.monotonic() - started, exc
            return time.monotonic() - started, None
        finally:
            await store.close()

    waited, error = asyncio.run(scenario())
    assert isinstance(error, SessionStoreUnavailable), "a read with Redis down must end in the retry page"
    assert waited < 10, f"people waited {waited:.1f} s for the retry page"

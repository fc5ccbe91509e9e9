"""Sessions live as long as Keycloak says (refreshing silently), never past the 10 h cap, and end cleanly."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from devstack.form_login import loopback_client
from sso.workbench.sessions import MemorySessionStore, WorkbenchSession
from tests.workbench.conftest import WorkbenchStack
from tests.workbench.http_login import sign_in


@pytest.fixture(scope="module")
def eager_refresh(make_stack: Callable[..., WorkbenchStack]) -> WorkbenchStack:
    """A workbench that refreshes whenever fewer than 299 of the token's 300 s are left: at every request."""
    return make_stack(refresh_leeway_seconds=299)


def _the_session(stack: WorkbenchStack, subject_hint: str | None = None) -> WorkbenchSession:
    assert isinstance(stack.store, MemorySessionStore)
    sessions = list(stack.store._sessions.values())
    assert len(sessions) >= 1
    return sessions[-1]


def test_the_access_token_is_refreshed_silently_before_it_expires(eager_refresh: WorkbenchStack) -> None:
    employee = eager_refresh.employee()
    with loopback_client() as client:
        sign_in(client, eager_refresh.url, eager_refresh.keycloak_url, *employee)
        before = _the_session(eager_refresh)
        first_token, first_expiry = before.access_token, before.access_expires_at
        time.sleep(1.1)  # Keycloak's token times have one-second resolution
        assert client.get(f"{eager_refresh.url}/").status_code == 200
        after = _the_session(eager_refresh)
        assert after.access_token != first_token
        assert after.access_expires_at > first_expiry


def test_a_refused_refresh_sends_the_employee_back_to_sign_in(eager_refresh: WorkbenchStack) -> None:
    employee = eager_refresh.employee()
    with loopback_client() as client:
        sign_in(client, eager_refresh.url, eager_refresh.keycloak_url, *employee)
        _the_session(eager_refresh).refresh_token = "revoked-or-tampered"
        time.sleep(1.1)
        answer = client.get(f"{eager_refresh.url}/billing")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/auth/login?next=%2Fbilling"


def test_a_session_past_keycloaks_idle_limit_is_over() -> None:
    session = _session(idle_in=-1, absolute_in=3600)
    assert session.expired()


def test_a_session_never_outlives_the_absolute_cap() -> None:
    session = _session(idle_in=1800, absolute_in=-1)
    assert session.expired()
    assert not _session(idle_in=1800, absolute_in=3600).expired()


@pytest.mark.parametrize("max_session", [36_000])
def test_the_absolute_cap_is_ten_hours_by_default(max_session: int) -> None:
    from sso.workbench.settings import WorkbenchSettings

    settings = WorkbenchSettings(
        issuer="http://127.0.0.1:1/realms/x", public_url="http://127.0.0.1:2", client_secret="s"
    )
    assert settings.max_session_seconds == max_session


def _session(idle_in: float, absolute_in: float) -> WorkbenchSession:
    now = time.time()
    return WorkbenchSession(
        subject="s", keycloak_sid="k", id_token="i", access_token="a", refresh_token="r",
        access_expires_at=now + 300, idle_expires_at=now + idle_in, absolute_expires_at=now + absolute_in,
        nonce="n", csrf_token="c", claims={},
    )  # fmt: skip

"""The sign-in protocol as an HTTP client sees it: state, codes, nonces, redirects, cookies, CSRF."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from devstack.form_login import FormLogin, LoginPage, loopback_client
from sso.workbench import cookies
from tests.workbench.conftest import WorkbenchStack
from tests.workbench.http_login import (
    callback_url,
    sign_in,
    submit_password,
    to_keycloak,
)


@pytest.fixture(scope="module")
def employee(stack: WorkbenchStack) -> tuple[str, str]:
    return stack.employee(rank="staff", departments=("engineering",))


def session_cookie(client: httpx.Client) -> str | None:
    return client.cookies.get(cookies.SESSION)


def test_an_employee_signs_in_and_lands_on_home(stack: WorkbenchStack, employee: tuple[str, str]) -> None:
    with loopback_client() as client:
        answer = sign_in(client, stack.url, stack.keycloak_url, *employee)
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        home = client.get(f"{stack.url}/")
        assert home.status_code == 200
        assert employee[0].upper() in home.text and "王小明" in home.text
        assert "工程" in home.text  # department label


def test_a_callback_with_another_state_is_refused(stack: WorkbenchStack, employee: tuple[str, str]) -> None:
    with loopback_client() as client:
        flow = to_keycloak(client, stack.url, stack.keycloak_url)
        callback = callback_url(submit_password(flow, *employee))
        answer = client.get(_with_param(callback, state="forged-state"))
        assert answer.status_code == 400
        assert "登录未完成" in answer.text
        assert session_cookie(client) is None


def test_a_callback_from_another_browser_is_refused(stack: WorkbenchStack, employee: tuple[str, str]) -> None:
    """Login CSRF: the pending sign-in is bound to the browser that started it (the wuye_login cookie)."""
    with loopback_client() as victim, loopback_client() as attacker:
        flow = to_keycloak(attacker, stack.url, stack.keycloak_url)
        callback = callback_url(submit_password(flow, *employee))
        answer = victim.get(callback)
        assert answer.status_code == 400
        assert session_cookie(victim) is None


def test_a_replayed_authorization_code_signs_nobody_in(stack: WorkbenchStack, employee: tuple[str, str]) -> None:
    with loopback_client() as client:
        flow = to_keycloak(client, stack.url, stack.keycloak_url)
        callback = callback_url(submit_password(flow, *employee))
        assert client.get(callback).status_code == 303
        first_session = session_cookie(client)
        replay = client.get(callback)
        assert replay.status_code == 400
        assert session_cookie(client) == first_session  # no new session from the replay
    with loopback_client() as other:
        # The same code in a fresh sign-in of another browser (its own state and verifier): Keycloak refuses it.
        code = parse_qs(urlsplit(callback).query)["code"][0]
        pending_state = _pending_state(other, stack)
        answer = other.get(f"{stack.url}/auth/callback?" + urlencode({"state": pending_state, "code": code}))
        assert answer.status_code == 400
        assert session_cookie(other) is None


def test_an_id_token_with_another_nonce_is_refused(stack: WorkbenchStack, employee: tuple[str, str]) -> None:
    with loopback_client() as client:
        to_keycloak_redirect = client.get(f"{stack.url}/auth/login")
        authorize = to_keycloak_redirect.headers["location"]
        assert parse_qs(urlsplit(authorize).query)["nonce"][0]
        flow = FormLogin(client, stack.keycloak_url)
        step = flow.open(_with_param(authorize, nonce="not-the-nonce-we-sent"))
        assert isinstance(step, LoginPage)
        answer = client.get(callback_url(submit_password(flow, *employee)))
        assert answer.status_code == 400
        assert session_cookie(client) is None


@pytest.mark.parametrize(
    "next_path",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "/%5Cevil.example/",
        "/%2F/evil.example/",
        "/\t/evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        "/auth/logout",
    ],
)
def test_return_to_never_leaves_the_site(next_path: str) -> None:
    from sso.workbench.return_to import safe_return_to

    assert safe_return_to(next_path) == "/"


def test_return_to_keeps_a_path_on_the_site() -> None:
    from sso.workbench.return_to import safe_return_to

    assert safe_return_to("/billing?month=2026-11") == "/billing?month=2026-11"


def test_sign_in_with_a_foreign_return_to_lands_on_home(stack: WorkbenchStack, employee: tuple[str, str]) -> None:
    with loopback_client() as client:
        answer = sign_in(client, stack.url, stack.keycloak_url, *employee, next_path="//evil.example/steal")
        assert answer.headers["location"] == "/"
    with loopback_client() as client:
        answer = sign_in(client, stack.url, stack.keycloak_url, *employee, next_path="/workorders?page=2")
        assert answer.headers["location"] == "/workorders?page=2"


def test_sign_out_without_the_csrf_token_is_refused(stack: WorkbenchStack, employee: tuple[str, str]) -> None:
    with loopback_client() as client:
        sign_in(client, stack.url, stack.keycloak_url, *employee)
        refused = client.post(f"{stack.url}/auth/logout", data={})
        assert refused.status_code == 403
        forged = client.post(f"{stack.url}/auth/logout", data={"csrf_token": "guess"})
        assert forged.status_code == 403
        assert client.get(f"{stack.url}/").status_code == 200  # still signed in


def test_sign_out_ends_the_session_and_logs_out_at_keycloak(stack: WorkbenchStack, employee: tuple[str, str]) -> None:
    with loopback_client() as client:
        sign_in(client, stack.url, stack.keycloak_url, *employee)
        home = client.get(f"{stack.url}/")
        token = _csrf_token(home.text)
        answer = client.post(f"{stack.url}/auth/logout", data={"csrf_token": token})
        assert answer.status_code == 303
        target = urlsplit(answer.headers["location"])
        query = parse_qs(target.query)
        assert target.path.endswith("/protocol/openid-connect/logout")
        assert query["post_logout_redirect_uri"] == [f"{stack.url}/signed-out"]
        assert query["id_token_hint"][0].count(".") == 2
        # Keycloak ends its session and sends the browser back to /signed-out
        back = client.get(answer.headers["location"])
        assert back.status_code == 302 and back.headers["location"].startswith(f"{stack.url}/signed-out")
        assert client.get(f"{stack.url}/").headers["location"].startswith("/auth/login")
        # ...and the Keycloak session is gone too: signing in again shows the form
        assert isinstance(to_keycloak(client, stack.url, stack.keycloak_url).page, LoginPage)


def test_session_cookie_is_httponly_lax_and_opaque(stack: WorkbenchStack, employee: tuple[str, str]) -> None:
    with loopback_client() as client:
        answer = sign_in(client, stack.url, stack.keycloak_url, *employee)
        set_cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(f"{cookies.SESSION}="))
        attributes = {a.strip().split("=")[0].lower() for a in set_cookie.split(";")[1:]}
        assert {"httponly", "path", "samesite"} <= attributes
        assert "samesite=lax" in set_cookie.lower() and "path=/" in set_cookie.lower()
        assert "secure" not in attributes  # plain http on loopback
        value = session_cookie(client) or ""
        assert len(value) >= 40 and value.count(".") == 0  # an opaque id, not a token


def test_under_https_cookies_are_secure_and_host_prefixed(stack: WorkbenchStack) -> None:
    from starlette.responses import Response

    from tests.workbench.conftest import workbench_settings

    settings = workbench_settings(stack.realm, "https://workbench.example")
    response = Response()
    cookies.put(response, cookies.SESSION, "opaque", settings)
    header = response.headers["set-cookie"]
    assert header.startswith("__Host-wuye_session=opaque;")
    assert "Secure" in header and "HttpOnly" in header and "Path=/" in header and "Domain" not in header


def test_the_session_id_changes_at_sign_in(stack: WorkbenchStack, employee: tuple[str, str]) -> None:
    with loopback_client() as client:
        client.cookies.set(cookies.SESSION, "planted-by-an-attacker", domain="127.0.0.1")
        sign_in(client, stack.url, stack.keycloak_url, *employee)
        first = session_cookie(client)
        assert first and first != "planted-by-an-attacker"
        # Signing in again (Keycloak's SSO session answers without the form) gives yet another id
        again = client.get(f"{stack.url}/auth/login")
        keycloak_answer = client.get(again.headers["location"])
        client.get(keycloak_answer.headers["location"])
        second = session_cookie(client)
        assert second and second != first
    with loopback_client() as stale:
        stale.cookies.set(cookies.SESSION, first, domain="127.0.0.1")
        assert stale.get(f"{stack.url}/").status_code == 303  # the old id no longer works


def test_an_owner_is_refused_with_the_staff_edition_page(stack: WorkbenchStack) -> None:
    owner = stack.employee(rank=None, extra_roles=("owner",))
    with loopback_client() as client:
        answer = sign_in(client, stack.url, stack.keycloak_url, *owner)
        assert answer.status_code == 403
        assert "物业版" in answer.text and "业主版" in answer.text
        assert session_cookie(client) is None


def test_a_forged_logout_token_is_refused(stack: WorkbenchStack, employee: tuple[str, str]) -> None:
    with loopback_client() as client:
        sign_in(client, stack.url, stack.keycloak_url, *employee)
        garbage = client.post(f"{stack.url}/auth/backchannel-logout", data={"logout_token": "a.b.c"})
        assert garbage.status_code == 400
        # A genuine, Keycloak-signed ID token is not a logout token (no events claim, carries a nonce)
        session = _only_session(stack)
        id_token = client.post(f"{stack.url}/auth/backchannel-logout", data={"logout_token": session.id_token})
        assert id_token.status_code == 400
        assert client.get(f"{stack.url}/").status_code == 200  # still signed in


def test_an_admin_logout_ends_the_workbench_session(stack: WorkbenchStack) -> None:
    username, password = stack.employee()
    with loopback_client() as client:
        sign_in(client, stack.url, stack.keycloak_url, username, password)
        assert client.get(f"{stack.url}/").status_code == 200
        admin = stack.realm.admin()
        admin.user_logout(admin.get_user_id(username))  # Keycloak posts the logout token to the workbench
        answer = client.get(f"{stack.url}/")
        assert answer.status_code == 303 and answer.headers["location"].startswith("/auth/login")


# -- helpers ------------------------------------------------------------------------------------
def _with_param(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _pending_state(client: httpx.Client, stack: WorkbenchStack) -> str:
    """Start a sign-in in this browser and return its state (without finishing it)."""
    answer = client.get(f"{stack.url}/auth/login")
    return parse_qs(urlsplit(answer.headers["location"]).query)["state"][0]


def _csrf_token(page: str) -> str:
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _only_session(stack: WorkbenchStack):  # type: ignore[no-untyped-def]
    from sso.workbench.sessions import MemorySessionStore

    assert isinstance(stack.store, MemorySessionStore)
    return next(iter(stack.store._sessions.values()))

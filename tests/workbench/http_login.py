"""Sign in to the workbench with an HTTP client through Keycloak's real form (no browser, no password grant).

The one place protocol tests and the benchmark step through the pages, so a change to the realm's
browser flow touches only this file (and ``browser_login.py`` for Playwright).
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from devstack.form_login import FormLogin, LoginPage


def to_keycloak(client: httpx.Client, workbench_url: str, keycloak_url: str, next_path: str | None = None) -> FormLogin:
    """Open the workbench's sign-in and stop on Keycloak's login page."""
    flow = FormLogin(client, keycloak_url)
    url = f"{workbench_url}/auth/login" + (f"?next={quote(next_path, safe='')}" if next_path is not None else "")
    step = flow.open(url)
    if not isinstance(step, LoginPage):
        raise AssertionError(f"expected Keycloak's login page, got HTTP {step.status_code} from {step.url}")
    return flow


def submit_password(flow: FormLogin, username: str, password: str) -> httpx.Response:
    """Fill the form; returns Keycloak's redirect to the workbench callback (not yet followed)."""
    step = flow.submit(username=username, password=password, credentialId="")
    if isinstance(step, LoginPage):
        raise AssertionError(f"sign-in of {username} stopped on {step.form_id!r}: {step.error!r}")
    return step


def callback_url(redirect: httpx.Response) -> str:
    location = redirect.headers["location"]
    if "/auth/callback" not in location:
        raise AssertionError(f"Keycloak redirected to {location.split('?')[0]}, not the workbench callback")
    return location


def sign_in(
    client: httpx.Client,
    workbench_url: str,
    keycloak_url: str,
    username: str,
    password: str,
    next_path: str | None = None,
) -> httpx.Response:
    """The whole sign-in; returns the workbench's answer to the callback (303 to the return-to path)."""
    flow = to_keycloak(client, workbench_url, keycloak_url, next_path)
    return client.get(callback_url(submit_password(flow, username, password)))

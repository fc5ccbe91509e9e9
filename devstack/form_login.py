"""Drive Keycloak's real login pages with an HTTP client (tests and benchmarks; no browser, no password grant).

Keycloak 26 marks its login cookies ``Secure`` even over plain HTTP on 127.0.0.1; browsers still send
them to loopback but Python's cookie jar does not, and the form flow then fails with "cookie not
found". ``loopback_client`` gives an httpx client whose jar sends Secure cookies to loopback hosts.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

_LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
_FORM = re.compile(r"<form\b[^>]*\bid=\"(?P<id>[^\"]+)\"[^>]*\baction=\"(?P<action>[^\"]+)\"", re.S)
_FORM_ACTION_FIRST = re.compile(r"<form\b[^>]*\baction=\"(?P<action>[^\"]+)\"[^>]*\bid=\"(?P<id>[^\"]+)\"", re.S)
_ERROR = re.compile(
    r"<(?:span|div)[^>]*(?:id=\"input-error[^\"]*\"|class=\"[^\"]*(?:alert-error|kc-feedback-text|pf-m-danger)[^\"]*\")[^>]*>(?P<text>.*?)</(?:span|div)>",
    re.S,
)


def loopback_client(**kwargs: Any) -> httpx.Client:
    """An httpx client that keeps sending Keycloak's Secure cookies over plain-HTTP loopback.

    httpx copies its cookie jar into a fresh one (default policy) for every request, so a custom
    cookie policy would be lost; instead a response hook clears the Secure flag of cookies set by a
    loopback host, which is what a browser's "localhost is potentially trustworthy" rule amounts to.
    """
    kwargs.setdefault("timeout", 30.0)
    client = httpx.Client(**kwargs)

    def keep_secure_cookies_on_loopback(response: httpx.Response) -> None:
        for cookie in client.cookies.jar:
            if cookie.secure and cookie.domain.removesuffix(".local") in _LOOPBACK:
                cookie.secure = False

    client.event_hooks["response"].append(keep_secure_cookies_on_loopback)
    return client


@dataclass
class LoginPage:
    """A Keycloak page as the driver sees it: which form it shows and the message it says."""

    response: httpx.Response

    @property
    def text(self) -> str:
        return self.response.text

    @property
    def form_id(self) -> str | None:
        found = _find_form(self.text)
        return found[0] if found else None

    @property
    def form_action(self) -> str:
        found = _find_form(self.text)
        if not found:
            raise AssertionError(f"no form on the page at {self.response.url}:\n{self.text[:2000]}")
        return urljoin(str(self.response.url), html.unescape(found[1]))

    @property
    def error(self) -> str | None:
        match = _ERROR.search(self.text)
        if not match:
            return None
        return html.unescape(re.sub(r"<[^>]+>", "", match.group("text"))).strip()


def _find_form(text: str) -> tuple[str, str] | None:
    for pattern in (_FORM, _FORM_ACTION_FIRST):
        match = pattern.search(text)
        if match:
            return match.group("id"), match.group("action")
    return None


class FormLogin:
    """Step through the login pages: ``open(url)`` then ``submit(**fields)`` until a redirect leaves Keycloak."""

    def __init__(self, client: httpx.Client, keycloak_base_url: str) -> None:
        self.client = client
        self.keycloak_base_url = keycloak_base_url.rstrip("/")
        self.page: LoginPage | None = None
        self.final: httpx.Response | None = None

    def open(self, url: str) -> LoginPage | httpx.Response:
        return self._follow(self.client.get(url))

    def submit(self, **fields: str) -> LoginPage | httpx.Response:
        assert self.page is not None, "no Keycloak page to submit"
        return self._follow(self.client.post(self.page.form_action, data=fields))

    def _follow(self, response: httpx.Response) -> LoginPage | httpx.Response:
        """Follow redirects while they stay on Keycloak; stop at the first response outside it."""
        while response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if not location.startswith(self.keycloak_base_url):
                self.final = response
                self.page = None
                return response
            response = self.client.get(location)
        if str(response.url).startswith(self.keycloak_base_url):
            self.page = LoginPage(response)
            return self.page
        self.final = response
        self.page = None
        return response


def authorization_code_login(
    client: httpx.Client,
    keycloak_base_url: str,
    authorize_url: str,
    username: str,
    password: str,
    new_password: str | None = None,
) -> httpx.Response:
    """Sign in through the form; if Keycloak asks for a new password, give ``new_password``.

    Returns the redirect that leaves Keycloak (to the client's redirect URI, carrying ``code``).
    """
    flow = FormLogin(client, keycloak_base_url)
    step = flow.open(authorize_url)
    if isinstance(step, httpx.Response):
        return step
    step = flow.submit(username=username, password=password, credentialId="")
    for _ in range(3):
        if isinstance(step, httpx.Response):
            return step
        if step.form_id == "kc-passwd-update-form" and new_password:
            step = flow.submit(**{"password-new": new_password, "password-confirm": new_password})
            continue
        raise AssertionError(f"login stopped on form {step.form_id!r}: {step.error!r}")
    raise AssertionError("login did not leave Keycloak")

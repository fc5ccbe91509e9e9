"""RFC 9207: the workbench checks the ``iss`` of the authorization response when Keycloak advertises it.

Story (mix-up attack, RFC 9207 §1): a browser comes back to ``/auth/callback`` with a code and state, but the
response names another issuer (or none, although ours promises to send one). The code may belong to an identity
provider the attacker runs; exchanging it would hand it to the wrong token endpoint or sign in the wrong account.
Keycloak sets ``authorization_response_iss_parameter_supported: true``; a missing or different ``iss`` is refused
before the code is exchanged. Real Keycloak, real login form.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from devstack.form_login import loopback_client
from sso.workbench import cookies
from tests.workbench.conftest import WorkbenchStack
from tests.workbench.http_login import callback_url, submit_password, to_keycloak


@pytest.fixture(scope="module")
def employee(stack: WorkbenchStack) -> tuple[str, str]:
    return stack.employee(rank="staff")


def _with_iss(url: str, iss: str | None) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "iss"] + ([("iss", iss)] if iss is not None else [])
    return urlunsplit(parts._replace(query=urlencode(query)))


def _callback(client: httpx.Client, stack: WorkbenchStack, employee: tuple[str, str]) -> str:
    return callback_url(submit_password(to_keycloak(client, stack.url, stack.keycloak_url), *employee))


def test_keycloak_sends_its_issuer_in_the_authorization_response(
    stack: WorkbenchStack,
    employee: tuple[str, str],
) -> None:
    with loopback_client() as client:
        callback = _callback(client, stack, employee)
        assert dict(parse_qsl(urlsplit(callback).query)).get("iss") == stack.realm.issuer
        assert client.get(callback).status_code == 303


@pytest.mark.parametrize(
    "forged_iss",
    ["https://evil.example/realms/lvcheng", "{issuer}/", "{issuer}x", None],
    ids=["another-provider", "trailing-slash", "another-realm-prefix", "missing"],
)
def test_a_callback_naming_another_issuer_signs_nobody_in(
    stack: WorkbenchStack,
    employee: tuple[str, str],
    forged_iss: str | None,
) -> None:
    with loopback_client() as client:
        callback = _callback(client, stack, employee)
        iss = forged_iss.format(issuer=stack.realm.issuer) if forged_iss is not None else None
        answer = client.get(_with_iss(callback, iss))
        assert answer.status_code == 400, answer.headers.get("location")
        assert "登录未完成" in answer.text
        assert client.cookies.get(cookies.SESSION) is None

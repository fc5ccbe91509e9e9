"""Step-up in the workbench, as defence in depth: sensitive areas want a session signed in with a second factor.

Keycloak decides who must give a second factor at sign-in (role ``mfa-required``); the workbench checks the
outcome. The ID token's ``amr`` (RFC 8176, Keycloak's ``oidc-amr-mapper``) lists the methods the session was
established with; the realm's flows report ``otp`` or ``sms`` only when a code was really checked (a trusted
browser skips the SMS sub-flow, so it reports ``pwd`` alone). A holder of a sensitive permission whose session
lacks a second factor (granted it after signing in on a trusted browser, or a realm misconfigured so no code was
asked) is sent through a fresh sign-in (``prompt=login``), where the now-required factor is asked.
"""

from __future__ import annotations

from typing import Any

from sso import catalog


def methods(amr: Any) -> list[str]:
    """The ``amr`` claim as a list of strings; anything malformed counts as no method at all."""
    if isinstance(amr, list):
        return [m for m in amr if isinstance(m, str)]
    return []


def second_factor_used(amr: Any) -> bool:
    """The session was established with one of the realm's second factors (``catalog.SECOND_FACTOR_METHODS``)."""
    return not catalog.SECOND_FACTOR_METHODS.isdisjoint(methods(amr))


def needs_step_up(area: catalog.Area, amr: Any) -> bool:
    """Opening ``area`` needs a second factor this session has not given."""
    return catalog.is_sensitive(area) and not second_factor_used(amr)

"""CSRF protection for the workbench's own forms (sign-out): a per-session token, checked in constant time.

The token lives in the server-side session and in a hidden form field; a cross-site page can post
the form but cannot read the token. ``SameSite=Lax`` is a second lock, not the only one.
"""

from __future__ import annotations

import secrets

from sso.workbench.sessions import WorkbenchSession

FIELD = "csrf_token"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def valid(session: WorkbenchSession, submitted: object) -> bool:
    return (
        isinstance(submitted, str)
        and bool(submitted)
        and secrets.compare_digest(submitted.encode(), session.csrf_token.encode())
    )

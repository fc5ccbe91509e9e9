"""Why a token was not accepted, typed so the HTTP adapter can answer RFC 6750 correctly.

``InvalidToken`` → 401 ``error="invalid_token"``; ``InsufficientScope`` → 403
``error="insufficient_scope"``; ``VerifierUnavailable`` → 503 (we cannot tell, so we do not guess:
a valid token must not be called invalid because Keycloak is down).
"""

from __future__ import annotations

from typing import Literal

#: Machine-readable reasons an access token is refused (shown in ``error_description``).
Reason = Literal[
    "missing_token",
    "malformed",
    "algorithm_not_allowed",
    "forbidden_header",
    "missing_kid",
    "untrusted_issuer",
    "unknown_key",
    "bad_signature",
    "missing_claim",
    "wrong_issuer",
    "wrong_audience",
    "expired",
    "not_yet_valid",
    "issued_in_future",
    "not_access_token",
    "inactive",
]


class VerificationError(Exception):
    """Base of everything the verifier refuses or cannot decide."""


class InvalidToken(VerificationError):
    """The token is not an acceptable access token for us; ``reason`` says why (never the token itself)."""

    def __init__(self, reason: Reason, description: str) -> None:
        self.reason: Reason = reason
        self.description = description
        super().__init__(f"{reason}: {description}")


class InsufficientScope(VerificationError):
    """The token is valid but its holder lacks ``permission`` (RFC 6750 §3.1 ``insufficient_scope``)."""

    def __init__(self, permission: str) -> None:
        self.permission = permission
        super().__init__(f"missing permission {permission}")


class VerifierUnavailable(VerificationError):
    """The issuer's keys or introspection endpoint cannot be reached and nothing cached can decide."""

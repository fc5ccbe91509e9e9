"""What can go wrong on the relying-party side, typed by what the web app must do about it."""

from __future__ import annotations


class OidcError(Exception):
    """Base of the relying-party errors."""


class ProviderUnavailable(OidcError):
    """Keycloak could not be reached or answered with a server error: show 503, retry later."""


class GrantRejected(OidcError):
    """The token endpoint refused a grant (``invalid_grant`` for a used code or an ended session).

    ``error`` is the RFC 6749 §5.2 error code; the description never carries a token.
    """

    def __init__(self, error: str, description: str = "") -> None:
        self.error = error
        self.description = description
        super().__init__(f"{error}: {description}" if description else error)


class TokenRejected(OidcError):
    """A token failed a check; ``check`` names the rule (``nonce``, ``aud``, ``signature``...)."""

    def __init__(self, check: str, description: str) -> None:
        self.check = check
        self.description = description
        super().__init__(f"{check}: {description}")


class AuthorizationResponseRejected(OidcError):
    """The browser came back with an authorization response we must not act on (RFC 9207 ``iss`` mismatch)."""

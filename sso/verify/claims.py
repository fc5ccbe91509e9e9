"""The claim checks an access token must pass once its signature holds: one ``validate_<claim>`` each.

Declarative in the manner of authlib's claims registries: ``REQUIRED`` names the claims that must be
present, ``validate`` calls ``validate_<name>`` for each checked claim, and each method cites the
rule it enforces. Times are compared with a small ``leeway`` (seconds) for clock skew between
Keycloak and us.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from sso.verify.errors import InvalidToken

#: Keycloak's token-kind claim for access tokens (ID tokens say ``ID``, refresh tokens ``Refresh``,
#: offline tokens ``Offline``, back-channel logout tokens ``Logout``).
ACCESS_TOKEN_TYPE = "Bearer"


class AccessTokenClaims:
    """Claim rules for Keycloak access tokens meant for ``audience`` and issued by ``issuer``."""

    #: Claims without which a token is refused (RFC 9068 §2.2 requires iss, exp, aud, sub, iat).
    REQUIRED: tuple[str, ...] = ("iss", "sub", "aud", "exp", "iat", "typ")
    #: Claims checked, in this order (cheap, decisive ones first).
    CHECKED: tuple[str, ...] = ("typ", "iss", "aud", "exp", "nbf", "iat", "sub")

    def __init__(self, issuer: str, audience: str, leeway: int = 30, now: Callable[[], float] = time.time) -> None:
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self._now = now

    def validate(self, claims: Mapping[str, Any]) -> None:
        """Raise ``InvalidToken`` naming the first rule the claims break."""
        for name in self.REQUIRED:
            if claims.get(name) is None:
                raise InvalidToken("missing_claim", f"claim {name!r} is missing")
        now = self._now()
        for name in self.CHECKED:
            value = claims.get(name)
            if value is not None:
                getattr(self, f"validate_{name}")(value, now)

    def validate_typ(self, value: Any, now: float) -> None:
        """Keycloak marks each token's kind in ``typ``; only ``Bearer`` is an access token.

        An ID token (OIDC Core §2) or refresh token presented as an access token is refused: it was
        never meant for a resource server (RFC 9068 §4 asks resource servers to tell them apart).
        """
        if value != ACCESS_TOKEN_TYPE:
            raise InvalidToken("not_access_token", f"token type {value!r} is not an access token")

    def validate_iss(self, value: Any, now: float) -> None:
        """RFC 7519 §4.1.1 and RFC 9068 §4: the issuer must match ours exactly (no prefix, no slash games)."""
        if value != self.issuer:
            raise InvalidToken("wrong_issuer", f"issuer {value!r} is not {self.issuer!r}")

    def validate_aud(self, value: Any, now: float) -> None:
        """RFC 7519 §4.1.3: a string or an array of strings; ours must be among them."""
        audiences = [value] if isinstance(value, str) else value
        if not isinstance(audiences, list) or self.audience not in audiences:
            raise InvalidToken("wrong_audience", f"audience {value!r} does not include {self.audience!r}")

    def validate_exp(self, value: Any, now: float) -> None:
        """RFC 7519 §4.1.4: refused on or after the expiry (NumericDate), allowing ``leeway``."""
        if not _is_number(value):
            raise InvalidToken("malformed", "claim 'exp' is not a NumericDate")
        if now >= value + self.leeway:
            raise InvalidToken("expired", f"expired {int(now - value)} s ago")

    def validate_nbf(self, value: Any, now: float) -> None:
        """RFC 7519 §4.1.5: refused before ``nbf`` (NumericDate), allowing ``leeway``."""
        if not _is_number(value):
            raise InvalidToken("malformed", "claim 'nbf' is not a NumericDate")
        if now < value - self.leeway:
            raise InvalidToken("not_yet_valid", f"valid only in {int(value - now)} s")

    def validate_iat(self, value: Any, now: float) -> None:
        """RFC 7519 §4.1.6: a NumericDate; a token issued in the future (beyond ``leeway``) is refused."""
        if not _is_number(value):
            raise InvalidToken("malformed", "claim 'iat' is not a NumericDate")
        if value > now + self.leeway:
            raise InvalidToken("issued_in_future", f"issued {int(value - now)} s in the future")

    def validate_sub(self, value: Any, now: float) -> None:
        """RFC 7519 §4.1.2: the subject is a non-empty string (the principal's identity hangs on it)."""
        if not isinstance(value, str) or not value:
            raise InvalidToken("malformed", "claim 'sub' is not a non-empty string")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

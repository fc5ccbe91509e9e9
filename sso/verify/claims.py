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

from sso import jwt_claims
from sso.verify.errors import InvalidToken, Reason

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
        #: Bound once: the validators run on every token of every request.
        self._checks = tuple((name, getattr(self, f"validate_{name}")) for name in self.CHECKED)

    def validate(self, claims: Mapping[str, Any]) -> None:
        """Raise ``InvalidToken`` naming the first rule the claims break."""
        for name in self.REQUIRED:
            if claims.get(name) is None:
                raise InvalidToken("missing_claim", f"claim {name!r} is missing")
        now = self._now()
        try:
            for name, check in self._checks:
                value = claims.get(name)
                if value is not None:
                    check(value, now)
        except jwt_claims.ClaimRejected as exc:  # a shared rule, answered in our terms
            reason = "wrong_audience" if exc.claim == "aud" else _REASONS[exc.problem]
            raise InvalidToken(reason, exc.description) from exc

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
        """RFC 7519 §4.1.3: a string or an array of strings; ours must be among them (``sso.jwt_claims``)."""
        jwt_claims.validate_aud(value, self.audience)

    def validate_exp(self, value: Any, now: float) -> None:
        """RFC 7519 §4.1.4: refused on or after the expiry, allowing ``leeway`` (``sso.jwt_claims``)."""
        jwt_claims.validate_exp(value, now, self.leeway)

    def validate_nbf(self, value: Any, now: float) -> None:
        """RFC 7519 §4.1.5: refused before ``nbf``, allowing ``leeway`` (``sso.jwt_claims``)."""
        jwt_claims.validate_nbf(value, now, self.leeway)

    def validate_iat(self, value: Any, now: float) -> None:
        """RFC 7519 §4.1.6: a NumericDate not in the future beyond ``leeway`` (``sso.jwt_claims``)."""
        jwt_claims.validate_iat(value, now, self.leeway)

    def validate_sub(self, value: Any, now: float) -> None:
        """RFC 7519 §4.1.2: the subject is a non-empty string (the principal's identity hangs on it)."""
        if not isinstance(value, str) or not value:
            raise InvalidToken("malformed", "claim 'sub' is not a non-empty string")


#: ``sso.jwt_claims`` problems → our RFC 6750 reasons.
_REASONS: dict[jwt_claims.Problem, Reason] = {
    "malformed": "malformed", "expired": "expired", "not_yet_valid": "not_yet_valid",
    "issued_in_future": "issued_in_future", "too_old": "expired", "wrong_audience": "wrong_audience",
}  # fmt: skip

"""Logout token validation (OpenID Connect Back-Channel Logout 1.0 §2.4 and §2.6): one check per claim."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sso import jwt_claims
from sso.jwt_claims import ClaimRejected
from sso.oidc.errors import TokenRejected
from sso.oidc.signed_jwt import rejected

#: §2.4: the member of ``events`` that makes a JWT a logout token.
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
#: §2.4 / RFC 8725 §3.11: explicit typing of logout tokens.
LOGOUT_TOKEN_MEDIA_TYPE = "logout+jwt"


@dataclass(frozen=True)
class LogoutRequest:
    """Whom to sign out: Keycloak's session id (``sid``) and/or the user (``sub``)."""

    session_id: str | None
    subject: str | None


@dataclass
class LogoutTokenChecks:
    issuer: str
    client_id: str
    leeway: int = 30
    #: Refuse logout tokens older than this even without ``exp`` (§2.6 step 6, "too far away").
    max_age: int = 300
    now: Callable[[], float] = field(default=time.time)

    REQUIRED = ("iss", "aud", "iat", "jti", "events")

    def validate(self, header: Mapping[str, Any], claims: Mapping[str, Any]) -> LogoutRequest:
        self.validate_typ_header(header.get("typ"))
        for name in self.REQUIRED:
            if claims.get(name) is None:
                raise TokenRejected(name, f"logout token lacks required claim {name!r}")
        now = self.now()
        self.validate_iss(claims["iss"])
        self.validate_aud(claims["aud"])
        try:  # §2.6 step 3 (as OIDC Core §3.1.3.7 steps 9-10): the shared time rules (``sso.jwt_claims``)
            jwt_claims.validate_iat(claims["iat"], now, self.leeway, max_age=self.max_age)
            if claims.get("exp") is not None:  # §2.4: optional
                jwt_claims.validate_exp(claims["exp"], now, self.leeway)
        except ClaimRejected as exc:
            raise rejected(exc) from exc
        self.validate_events(claims["events"])
        self.validate_nonce(claims)
        return self.validate_sid_sub(claims.get("sid"), claims.get("sub"))

    def validate_typ_header(self, value: Any) -> None:
        """§2.4: logout tokens SHOULD be typed ``logout+jwt``; an ID token (``JWT``) must not pass."""
        if value is not None and str(value).lower().removeprefix("application/") != LOGOUT_TOKEN_MEDIA_TYPE:
            raise TokenRejected("typ", f"header typ {value!r} is not {LOGOUT_TOKEN_MEDIA_TYPE!r}")

    def validate_iss(self, value: Any) -> None:
        """§2.6 step 3 (as OIDC Core §3.1.3.7 step 2): the issuer exactly."""
        if value != self.issuer:
            raise TokenRejected("iss", f"issuer {value!r} is not {self.issuer!r}")

    def validate_aud(self, value: Any) -> None:
        """§2.6 step 3 (as OIDC Core §3.1.3.7 step 3): the audience contains our client id."""
        try:
            jwt_claims.validate_aud(value, self.client_id)
        except ClaimRejected as exc:
            raise rejected(exc) from exc

    def validate_events(self, value: Any) -> None:
        """§2.6 step 5: ``events`` holds the back-channel-logout member, whose value is a JSON object."""
        if not isinstance(value, dict) or not isinstance(value.get(BACKCHANNEL_LOGOUT_EVENT), dict):
            raise TokenRejected("events", "events claim lacks the back-channel logout event")

    def validate_nonce(self, claims: Mapping[str, Any]) -> None:
        """§2.6 step 7: a logout token must not carry a nonce (so an ID token cannot be replayed as one)."""
        if "nonce" in claims:
            raise TokenRejected("nonce", "logout token carries a nonce")

    def validate_sid_sub(self, sid: Any, sub: Any) -> LogoutRequest:
        """§2.6 step 4: a ``sid``, a ``sub``, or both."""
        session_id = sid if isinstance(sid, str) and sid else None
        subject = sub if isinstance(sub, str) and sub else None
        if session_id is None and subject is None:
            raise TokenRejected("sid", "logout token names neither sid nor sub")
        return LogoutRequest(session_id=session_id, subject=subject)

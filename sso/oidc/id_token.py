"""ID token validation (OpenID Connect Core 1.0 §3.1.3.7, and §12.2 after a refresh): one check per claim.

The audience must contain our client id; an ``azp`` equal to our id does not stand in for it (a
token minted for another client that names us as ``azp`` is still not ours).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sso import jwt_claims
from sso.jwt_claims import ClaimRejected
from sso.oidc.errors import TokenRejected
from sso.oidc.signed_jwt import rejected

#: Keycloak's token-kind claim for ID tokens.
ID_TOKEN_TYPE = "ID"


@dataclass
class IdTokenChecks:
    """What an ID token must satisfy for this client and this sign-in."""

    issuer: str
    client_id: str
    #: The nonce sent in the authorization request; after a refresh, the original sign-in's nonce.
    nonce: str | None
    #: After a refresh (§12.2): the subject of the original ID token.
    subject: str | None = None
    leeway: int = 30
    #: Reject an ID token issued longer ago than this (§3.1.3.7 step 10: "too far away from the current time").
    max_age: int = 600
    now: Callable[[], float] = field(default=time.time)

    REQUIRED = ("iss", "sub", "aud", "exp", "iat")

    def validate(self, claims: Mapping[str, Any]) -> None:
        for name in self.REQUIRED:
            if claims.get(name) is None:
                raise TokenRejected(name, f"ID token lacks required claim {name!r}")
        now = self.now()
        self.validate_typ(claims.get("typ"))
        self.validate_iss(claims["iss"])
        self.validate_aud(claims["aud"], claims.get("azp"))
        try:
            jwt_claims.validate_exp(claims["exp"], now, self.leeway)
            jwt_claims.validate_iat(claims["iat"], now, self.leeway, max_age=self.max_age)
            if "nbf" in claims:
                jwt_claims.validate_nbf(claims["nbf"], now, self.leeway)
        except ClaimRejected as exc:  # steps 9 and 10, RFC 7519 §4.1.4-4.1.6 (``sso.jwt_claims``)
            raise rejected(exc) from exc
        self.validate_sub(claims["sub"])
        self.validate_nonce(claims.get("nonce"))

    def validate_typ(self, value: Any) -> None:
        """Keycloak marks ID tokens ``typ: ID``: an access or logout token cannot pass as one."""
        if value is not None and value != ID_TOKEN_TYPE:
            raise TokenRejected("typ", f"token type {value!r} is not an ID token")

    def validate_iss(self, value: Any) -> None:
        """Step 2: the issuer must exactly match the discovered issuer."""
        if value != self.issuer:
            raise TokenRejected("iss", f"issuer {value!r} is not {self.issuer!r}")

    def validate_aud(self, value: Any, azp: Any) -> None:
        """Steps 3-5: ``aud`` contains our client id; with several audiences ``azp`` must be ours too."""
        try:
            auds = jwt_claims.validate_aud(value, self.client_id)
        except ClaimRejected as exc:
            raise rejected(exc) from exc
        if len(auds) > 1 and azp != self.client_id:
            raise TokenRejected("azp", f"several audiences and azp {azp!r} is not {self.client_id!r}")
        if azp is not None and azp != self.client_id:
            raise TokenRejected("azp", f"authorized party {azp!r} is not {self.client_id!r}")

    def validate_sub(self, value: Any) -> None:
        """§12.2: a refreshed ID token must be about the same subject."""
        if not isinstance(value, str) or not value:
            raise TokenRejected("sub", "sub is not a non-empty string")
        if self.subject is not None and value != self.subject:
            raise TokenRejected("sub", "refreshed ID token names another subject")

    def validate_nonce(self, value: Any) -> None:
        """Step 11: the nonce must equal the one we sent (compared in constant time).

        After a refresh (``nonce`` given as the original) a missing nonce is fine (§12.2 says it SHOULD
        be absent; Keycloak repeats the original), but a different one is not.
        """
        if self.nonce is None:
            return
        if value is None and self.subject is not None:
            return
        if not isinstance(value, str) or not hmac.compare_digest(value.encode(), self.nonce.encode()):
            raise TokenRejected("nonce", "nonce does not match the sign-in request")

"""The workbench's own access token: read for the principal (ranks live only in the access token).

It came straight from the token endpoint over a server-to-server call, yet its signature and the
claims that tie it to this sign-in are still checked, so a confused or compromised network path
cannot hand the workbench another client's token.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sso import jwt_claims
from sso.jwt_claims import ClaimRejected
from sso.oidc.errors import TokenRejected
from sso.oidc.signed_jwt import rejected

ACCESS_TOKEN_TYPE = "Bearer"


@dataclass
class AccessTokenChecks:
    issuer: str
    client_id: str
    subject: str
    leeway: int = 30
    now: Callable[[], float] = field(default=time.time)

    def validate(self, claims: Mapping[str, Any]) -> None:
        if claims.get("typ") != ACCESS_TOKEN_TYPE:
            raise TokenRejected("typ", f"token type {claims.get('typ')!r} is not an access token")
        if claims.get("iss") != self.issuer:
            raise TokenRejected("iss", "access token from another issuer")
        if claims.get("azp") != self.client_id:
            raise TokenRejected("azp", "access token issued to another client")
        if claims.get("sub") != self.subject:
            raise TokenRejected("sub", "access token names another subject than the ID token")
        try:
            jwt_claims.validate_exp(claims.get("exp"), self.now(), self.leeway)
        except ClaimRejected as exc:
            raise rejected(exc) from exc

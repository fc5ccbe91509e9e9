"""Read a signed JWT from Keycloak with the project's one JWS reader (``sso.jws``) and the issuer's keys (``sso.jwks``).

Claims are returned only after the signature holds; the claim rules live with each token kind
(``id_token``, ``access_token``, ``logout_token``) on top of the shared ``sso.jwt_claims``. Keys named by the
token itself (``jku``, ``jwk``, ``x5u``) are never used: the key comes from the issuer's JWKS by ``kid``
(RFC 8725 §3.10), or, for a token without ``kid``, the issuer's only signing key (OIDC Core §10.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sso.jwks import JwksError, JwksUnavailable
from sso.jws import JwsRejected, VerifyingKey, parse
from sso.jwt_claims import ClaimRejected
from sso.oidc.errors import ProviderUnavailable, TokenRejected

#: ``sso.jws`` problems → the check names our errors carry.
_CHECKS = {
    "malformed": "format",
    "algorithm_not_allowed": "alg",
    "forbidden_header": "header",
    "bad_signature": "signature",
}


class KeySource(Protocol):
    """Where signing keys come from (``sso.jwks.JwksCache``)."""

    async def akey_for(self, kid: str | None, alg: str) -> VerifyingKey: ...


async def verified(
    token: str, keys: KeySource, algorithms: tuple[str, ...]
) -> tuple[Mapping[str, Any], dict[str, Any]]:
    """``(header, claims)`` of a compact JWS whose signature verifies with the issuer's key."""
    try:
        parsed = parse(token, algorithms)
    except JwsRejected as exc:
        raise TokenRejected(_CHECKS[exc.problem], exc.description) from exc
    try:
        key = await keys.akey_for(parsed.kid, parsed.alg)
    except JwksUnavailable as exc:
        raise ProviderUnavailable(str(exc)) from exc
    except JwksError as exc:
        raise TokenRejected("signature", str(exc)) from exc
    try:
        key.verify(parsed)
    except JwsRejected as exc:
        raise TokenRejected("signature", exc.description) from exc
    return parsed.header, parsed.claims


def rejected(exc: ClaimRejected) -> TokenRejected:
    """A shared claim rule's refusal (``sso.jwt_claims``) as the relying party's error, named by the claim."""
    return TokenRejected(exc.claim, exc.description)

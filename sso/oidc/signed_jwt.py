"""Read a signed JWT from Keycloak: allowed algorithm, key from the issuer's JWKS (``sso.jwks``), signature.

Claims are returned only after the signature holds; the claim rules live with each token kind
(``id_token``, ``access_token``, ``logout_token``). Keys named by the token itself (``jku``, ``jwk``,
``x5u``) are never used: the key comes from the issuer's JWKS by ``kid`` (RFC 8725 §3.10).
"""

from __future__ import annotations

from typing import Any, Protocol

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import Key
from joserfc.jws import extract_compact

from sso.jwks import JwksError, JwksUnavailable
from sso.oidc.errors import ProviderUnavailable, TokenRejected

#: Asymmetric algorithms only: never ``none``, never HMAC (RFC 8725 §3.1).
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
MAX_TOKEN_LENGTH = 16_384


class KeySource(Protocol):
    """Where signing keys come from (``sso.jwks.JwksCache``)."""

    async def akey_for(self, kid: str, alg: str) -> Key: ...


async def verified(token: str, keys: KeySource, algorithms: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(header, claims)`` of a compact JWS whose signature verifies with the issuer's key."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenRejected("format", "not a compact JWS of acceptable size")
    try:
        header = dict(extract_compact(token.encode("ascii")).protected)
    except (JoseError, ValueError, UnicodeError) as exc:
        raise TokenRejected("format", "not a compact JWS") from exc
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in algorithms or alg not in ASYMMETRIC_ALGORITHMS:
        raise TokenRejected("alg", f"algorithm {alg!r} is not allowed")
    if not isinstance(kid, str) or not kid:
        raise TokenRejected("kid", "header names no key id")
    try:
        key = await keys.akey_for(kid, str(alg))
    except JwksUnavailable as exc:
        raise ProviderUnavailable(str(exc)) from exc
    except JwksError as exc:
        raise TokenRejected("signature", f"no signing key {kid!r} at the issuer") from exc
    try:
        decoded = jwt.decode(token, key, algorithms=[str(alg)])
    except JoseError as exc:
        raise TokenRejected("signature", f"signature does not verify ({type(exc).__name__})") from exc
    return header, dict(decoded.claims)


def audiences(value: Any) -> list[str]:
    """RFC 7519 §4.1.3: ``aud`` is one string or an array of strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise TokenRejected("aud", "aud is neither a string nor an array of strings")

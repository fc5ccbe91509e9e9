"""JWS compact tokens (RFC 7515 §7.1): split, read the header, check the signature with joserfc.

Kept apart from key lookup so the rules are visible in one place:

* the algorithm comes from an explicit allowlist of asymmetric algorithms (RFC 8725 §3.1): never
  ``none``, never an HMAC algorithm (whose "secret" an attacker would take from our public key);
* the verifying key is chosen by the caller from the issuer's configured JWKS only; ``jku``,
  ``x5u``, ``jwk`` and ``x5c`` headers are ignored (RFC 8725 §3.10: never fetch or trust keys a token
  names for itself);
* ``crit`` and RFC 7797's ``b64`` are refused: Keycloak never sends them, and an unencoded payload
  would change what was signed.
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import Key
from joserfc.jws import JWSRegistry

from sso.verify.errors import InvalidToken

#: Asymmetric algorithms Keycloak may sign with (its realm keys: RSA, RSA-PSS, ECDSA).
ALLOWED_ALGORITHMS: tuple[str, ...] = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
)  # fmt: skip
#: Headers that would change what is signed or how: refused outright.
_FORBIDDEN_HEADERS = ("crit", "b64")
#: A Keycloak access token with many groups stays far below this; bigger input is refused unread.
MAX_TOKEN_LENGTH = 16_384


_URLSAFE_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
#: Last characters allowed before 2 or 1 padding characters (the unused bits must be zero).
_CANONICAL_ENDINGS = {2: b"AQgw", 1: b"AEIMQUYcgkosw048"}


def urlsafe_b64decode(segment: bytes) -> bytes:
    """Strict, canonical base64url without padding (RFC 7515 §2): anything else is refused.

    Same rules as joserfc's decoder, on ``binascii``'s strict mode: a third of the cost per token.
    """
    if b"+" in segment or b"/" in segment or b"=" in segment:
        raise binascii.Error("not base64url")
    pad = -len(segment) % 4
    if pad == 3 or (pad and segment[-1] not in _CANONICAL_ENDINGS[pad]):
        raise binascii.Error("not canonical base64url")
    return binascii.a2b_base64(segment.translate(_URLSAFE_TO_STANDARD) + b"=" * pad, strict_mode=True)


@dataclass(frozen=True)
class CompactToken:
    """A JWS compact token taken apart; ``claims`` are NOT trusted until ``verify_signature`` passes."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        return str(self.header["alg"])

    @property
    def kid(self) -> str | None:
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) and kid else None


def parse(token: str, algorithms: tuple[str, ...] = ALLOWED_ALGORITHMS) -> CompactToken:
    """Split and decode a compact JWS; refuse a disallowed ``alg`` before any key is looked at."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("malformed", "not a compact JWS of acceptable size")
    parts = token.split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise InvalidToken("malformed", "a compact JWS has three parts, header and payload not empty")
    header_b64, payload_b64, signature_b64 = (p.encode("ascii", "replace") for p in parts)
    header = _json_object(header_b64, "header")
    alg = header.get("alg")
    if alg not in algorithms:
        raise InvalidToken("algorithm_not_allowed", f"algorithm {alg!r} is not allowed")
    for name in _FORBIDDEN_HEADERS:
        if name in header:
            raise InvalidToken("forbidden_header", f"header {name!r} is not accepted")
    if not signature_b64:
        raise InvalidToken("malformed", "signature is empty")
    claims = _json_object(payload_b64, "payload")
    try:
        signature = urlsafe_b64decode(signature_b64)
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("malformed", "signature is not base64url") from exc
    return CompactToken(header, claims, header_b64 + b"." + payload_b64, signature)


def verify_signature(token: CompactToken, key: Key, registry: JWSRegistry) -> None:
    """Check the signature with ``key`` under the token's (already allowed) algorithm."""
    try:
        algorithm = registry.get_alg(token.alg)
        algorithm.check_key(key)
        valid = algorithm.verify(token.signing_input, token.signature, key)
    except (JoseError, ValueError) as exc:
        raise InvalidToken("bad_signature", f"key does not fit {token.alg}: {type(exc).__name__}") from exc
    if not valid:
        raise InvalidToken("bad_signature", "signature does not verify")


def registry_for(algorithms: tuple[str, ...] = ALLOWED_ALGORITHMS) -> JWSRegistry:
    """A joserfc registry that knows only our allowlist (a second lock on the same door)."""
    unknown = [a for a in algorithms if a not in ALLOWED_ALGORITHMS]
    if unknown:
        raise ValueError(f"algorithms {unknown} are not allowed for access tokens (asymmetric only)")
    return JWSRegistry(algorithms=list(algorithms), strict_check_header=False)


def _json_object(segment: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(urlsafe_b64decode(segment))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidToken("malformed", f"{what} is not base64url JSON") from exc
    if not isinstance(value, dict):
        raise InvalidToken("malformed", f"{what} is not a JSON object")
    return value

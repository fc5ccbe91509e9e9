"""The one JWS reader (RFC 7515 compact form) for every token we accept: ID, logout and access tokens.

Used by the workbench's relying party (``sso.oidc``) and by downstream verification (``sso.verify``), so both
refuse the same things for the same reasons:

* the header is read first and its ``alg`` must be in an explicit allowlist of asymmetric algorithms (RFC 8725
  §3.1: never ``none``, never HMAC, whose "secret" an attacker would take from our public key) before any key is
  looked up; ``crit`` and RFC 7797's ``b64`` are refused (Keycloak never sends them; an unencoded payload would
  change what was signed);
* the key comes from the issuer's JWKS only (``sso.jwks``); ``jku``, ``jwk``, ``x5u`` and ``x5c`` headers are
  ignored (RFC 8725 §3.10);
* base64url is strict and canonical, JSON must be objects (``sso.strict_json``: deep nesting is malformed input,
  not a crash), and a token longer than ``MAX_TOKEN_LENGTH`` is refused unread.

Speed: ``VerifyingKey`` wraps a ``cryptography`` public key built once per JWK (kept in the JWKS cache), and a
token's header segment, the same for every token one key signs, is parsed once; verifying then costs little more
than the RSA/ECDSA operation and one JSON parse of the payload.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Mapping
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from sso import strict_json

#: Asymmetric algorithms Keycloak may sign with (its realm keys: RSA, RSA-PSS, ECDSA).
ALLOWED_ALGORITHMS: tuple[str, ...] = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
)  # fmt: skip
#: Which JWK key type (``kty``) each allowed algorithm needs.
KEY_TYPE_OF: dict[str, str] = {alg: "EC" if alg.startswith("ES") else "RSA" for alg in ALLOWED_ALGORITHMS}
#: Headers that would change what is signed or how: refused outright.
FORBIDDEN_HEADERS = ("crit", "b64")
#: A Keycloak token with many groups stays far below this; bigger input is refused unread.
MAX_TOKEN_LENGTH = 16_384

Problem = Literal["malformed", "algorithm_not_allowed", "forbidden_header", "bad_signature"]


class JwsRejected(ValueError):
    """The token is not an acceptable JWS; ``problem`` names the rule (never the token itself)."""

    def __init__(self, problem: Problem, description: str) -> None:
        self.problem: Problem = problem
        self.description = description
        super().__init__(f"{problem}: {description}")


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


class CompactToken:
    """A JWS compact token taken apart; ``claims`` are NOT trusted until ``VerifyingKey.verify`` passes.

    A plain slotted class rather than a frozen dataclass: it is built for every token on the hot path.
    """

    __slots__ = ("alg", "claims", "header", "kid", "signature", "signing_input")

    def __init__(self, header: Mapping[str, Any], claims: dict[str, Any], signing_input: bytes, signature: bytes):
        self.header = header
        self.claims = claims
        self.signing_input = signing_input
        self.signature = signature
        self.alg: str = header["alg"]
        kid = header.get("kid")
        self.kid: str | None = kid if isinstance(kid, str) and kid else None


#: Parsed headers by their base64url segment: one key signs every token with the same header bytes.
_HEADERS: dict[bytes, Mapping[str, Any]] = {}
_HEADERS_MAX = 64


def parse(token: str, algorithms: tuple[str, ...] = ALLOWED_ALGORITHMS) -> CompactToken:
    """Split and decode a compact JWS; refuse a disallowed ``alg`` or header before anything else is read."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise JwsRejected("malformed", "not a compact JWS of acceptable size")
    parts = token.encode("ascii", "replace").split(b".", 3)
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise JwsRejected("malformed", "a compact JWS has three parts, header and payload not empty")
    header_b64, payload_b64, signature_b64 = parts
    header = _HEADERS.get(header_b64)
    if header is None:
        header = _header(header_b64, algorithms)
        if len(_HEADERS) >= _HEADERS_MAX:
            _HEADERS.clear()
        _HEADERS[header_b64] = header
    elif header["alg"] not in algorithms:
        raise JwsRejected("algorithm_not_allowed", f"algorithm {header['alg']!r} is not allowed")
    if not signature_b64:
        raise JwsRejected("malformed", "signature is empty")
    claims = _json_object(payload_b64, "payload")
    try:
        signature = urlsafe_b64decode(signature_b64)
    except (binascii.Error, ValueError) as exc:
        raise JwsRejected("malformed", "signature is not base64url") from exc
    return CompactToken(header, claims, header_b64 + b"." + payload_b64, signature)


def _header(segment: bytes, algorithms: tuple[str, ...]) -> Mapping[str, Any]:
    header = _json_object(segment, "header")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms or alg not in ALLOWED_ALGORITHMS:
        raise JwsRejected("algorithm_not_allowed", f"algorithm {alg!r} is not allowed")
    for name in FORBIDDEN_HEADERS:
        if name in header:
            raise JwsRejected("forbidden_header", f"header {name!r} is not accepted")
    return header


def _json_object(segment: bytes, what: str) -> dict[str, Any]:
    try:
        value = strict_json.loads(urlsafe_b64decode(segment))
    except (binascii.Error, ValueError) as exc:
        raise JwsRejected("malformed", f"{what} is not base64url JSON") from exc
    if not isinstance(value, dict):
        raise JwsRejected("malformed", f"{what} is not a JSON object")
    return value


# -- keys --------------------------------------------------------------------------------------------
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
#: RFC 7518 §3.4: the curve each ECDSA algorithm signs on, and the byte length of r and s.
_CURVES: dict[str, tuple[type[ec.EllipticCurve], int]] = {
    "ES256": (ec.SECP256R1, 32), "ES384": (ec.SECP384R1, 48), "ES512": (ec.SECP521R1, 66),
}  # fmt: skip
_JWK_CURVES: dict[str, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}


def _uint(jwk: Mapping[str, Any], name: str) -> int:
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"JWK member {name!r} is missing")
    return int.from_bytes(urlsafe_b64decode(value.encode("ascii")), "big")


class VerifyingKey:
    """One issuer signing key as a ready ``cryptography`` public key: built once per JWK, used for every token."""

    __slots__ = ("_ec", "_rsa", "_schemes", "alg", "key_type", "kid")

    def __init__(self, kid: str, key_type: str, alg: str | None, public: rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        self.kid = kid
        self.key_type = key_type
        #: The JWK's own ``alg``, if it names one: then only that algorithm may use the key.
        self.alg = alg
        self._rsa = public if isinstance(public, rsa.RSAPublicKey) else None
        self._ec = public if isinstance(public, ec.EllipticCurvePublicKey) else None
        #: Padding/hash objects per algorithm this key fits, made once (RFC 7518 §3.3-3.5).
        self._schemes: dict[str, tuple[padding.AsymmetricPadding | None, hashes.HashAlgorithm]] = {}
        for name in ALLOWED_ALGORITHMS:
            if self.fits(name):
                digest = _HASHES[name[2:]]()
                scheme = {"R": padding.PKCS1v15(), "P": padding.PSS(padding.MGF1(digest), digest.digest_size)}.get(
                    name[0]
                )
                self._schemes[name] = (scheme, digest)

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> VerifyingKey:
        """RFC 7517/7518 public JWK (``RSA`` n/e or ``EC`` crv/x/y) → key; ``ValueError`` naming what is wrong."""
        kid, kty, alg = jwk.get("kid"), jwk.get("kty"), jwk.get("alg")
        if not isinstance(kid, str) or not kid:
            raise ValueError("JWK has no kid")
        if alg is not None and KEY_TYPE_OF.get(str(alg)) != kty:
            raise ValueError(f"JWK alg {alg!r} is not an allowed algorithm for kty {kty!r}")
        public: rsa.RSAPublicKey | ec.EllipticCurvePublicKey
        if kty == "RSA":
            public = rsa.RSAPublicNumbers(_uint(jwk, "e"), _uint(jwk, "n")).public_key()
            if public.key_size < 2048:
                raise ValueError(f"RSA key of {public.key_size} bits is too small")
        elif kty == "EC":
            curve = _JWK_CURVES.get(str(jwk.get("crv")))
            if curve is None:
                raise ValueError(f"EC curve {jwk.get('crv')!r} is not supported")
            public = ec.EllipticCurvePublicNumbers(_uint(jwk, "x"), _uint(jwk, "y"), curve).public_key()
        else:
            raise ValueError(f"key type {kty!r} cannot verify our signatures")
        return cls(kid, str(kty), str(alg) if alg is not None else None, public)

    def fits(self, alg: str) -> bool:
        """This key may verify ``alg``: the type matches and the JWK's own ``alg`` (if any) is the same."""
        return KEY_TYPE_OF.get(alg) == self.key_type and (self.alg is None or self.alg == alg)

    def verify(self, token: CompactToken) -> None:
        """Check the signature under the token's (already allowed) algorithm; ``JwsRejected`` if it does not hold."""
        alg = token.alg
        scheme_digest = self._schemes.get(alg)
        if scheme_digest is None:
            raise JwsRejected("bad_signature", f"key {self.kid!r} does not fit {alg}")
        scheme, digest = scheme_digest
        try:
            if self._rsa is not None and scheme is not None:
                self._rsa.verify(token.signature, token.signing_input, scheme, digest)
            elif self._ec is not None:
                curve, size = _CURVES[alg]
                if not isinstance(self._ec.curve, curve) or len(token.signature) != 2 * size:
                    raise JwsRejected("bad_signature", f"signature does not fit {alg}")
                r, s = token.signature[:size], token.signature[size:]
                der = encode_dss_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big"))
                self._ec.verify(der, token.signing_input, ec.ECDSA(digest))
            else:
                raise JwsRejected("bad_signature", f"key {self.kid!r} does not fit {alg}")
        except InvalidSignature as exc:
            raise JwsRejected("bad_signature", "signature does not verify") from exc

    def __repr__(self) -> str:
        return f"VerifyingKey(kid={self.kid!r}, kty={self.key_type!r}, alg={self.alg!r})"

"""Framework-free verification of Keycloak access tokens for downstream services (no Starlette here).

Use::

    from sso.verify import TokenVerifier, TrustedIssuer, IntrospectionClient, InvalidToken

    verifier = TokenVerifier(["https://sso.example.com/realms/lvcheng"], audience="workorder-api")
    principal = verifier.verify(token)            # or: await verifier.averify(token)
    principal = verifier.verify_active(token)     # + RFC 7662 introspection
    # (introspection needs TrustedIssuer(url, introspection=IntrospectionClient("workorder-api", secret)))

Errors: ``InvalidToken`` (``.reason``), ``InsufficientScope`` (``.permission``), ``VerifierUnavailable``.
The Starlette adapter is ``sso.verify.starlette``; the key cache is ``sso.jwks``.
"""

from sso.jws import ALLOWED_ALGORITHMS
from sso.principal import Principal
from sso.verify.claims import ACCESS_TOKEN_TYPE, AccessTokenClaims
from sso.verify.errors import InsufficientScope, InvalidToken, Reason, VerificationError, VerifierUnavailable
from sso.verify.introspection import IntrospectionClient, Introspector
from sso.verify.verifier import TokenVerifier, TrustedIssuer

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "ALLOWED_ALGORITHMS",
    "AccessTokenClaims",
    "InsufficientScope",
    "IntrospectionClient",
    "Introspector",
    "InvalidToken",
    "Principal",
    "Reason",
    "TokenVerifier",
    "TrustedIssuer",
    "VerificationError",
    "VerifierUnavailable",
]

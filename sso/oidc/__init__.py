"""Framework-free OpenID Connect relying-party core: what the workbench needs, nothing about HTTP frameworks.

* ``discovery``: provider metadata fetched lazily, retried after a failure (Keycloak may be down at start-up).
* ``pkce``, ``authorization``: the authorization request (RFC 6749 §4.1.1, PKCE S256 RFC 7636, state, nonce).
* ``tokens``: the token endpoint (code exchange, refresh) with client_secret_basic.
* ``id_token``, ``access_token``, ``logout_token``: the checks each token must pass (OIDC Core §3.1.3.7,
  Back-Channel Logout 1.0 §2.6), signatures against the issuer's keys (``sso.jwks``).
* ``relying_party``: the facade a web app uses (start sign-in, finish it, refresh, verify logout tokens).
"""

from sso.oidc.errors import AuthorizationResponseRejected, GrantRejected, OidcError, ProviderUnavailable, TokenRejected
from sso.oidc.relying_party import RelyingParty, RelyingPartyConfig, SignIn

__all__ = [
    "AuthorizationResponseRejected",
    "GrantRejected",
    "OidcError",
    "ProviderUnavailable",
    "RelyingParty",
    "RelyingPartyConfig",
    "SignIn",
    "TokenRejected",
]

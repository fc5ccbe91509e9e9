"""Settings of the work-order API, from the environment (and ``serve`` flags), checked at start.

* ``WUYE_WORKORDER_API_ISSUERS``: comma-separated issuer URLs of the trusted realms (required), e.g.
  ``http://127.0.0.1:8080/realms/lvcheng``;
* ``WUYE_WORKORDER_API_AUDIENCE``: the audience tokens must carry (default ``workorder-api``);
* ``WUYE_WORKORDER_API_CLIENT_SECRET``: secret of the realm's ``workorder-api`` client; turns on introspection for
  *handle* (one secret for every trusted realm);
* ``WUYE_WORKORDER_API_HOST``, ``WUYE_WORKORDER_API_PORT``: where to listen (default ``127.0.0.1:8001``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from sso import catalog
from sso.verify import IntrospectionClient, TokenVerifier, TrustedIssuer


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names the variable."""


@dataclass(frozen=True)
class WorkorderApiSettings:
    issuers: tuple[str, ...]
    audience: str = catalog.WORKORDER_API_CLIENT_ID
    client_secret: str | None = field(default=None, repr=False)
    host: str = "127.0.0.1"
    port: int = 8001

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WorkorderApiSettings:
        env = os.environ if env is None else env
        issuers = tuple(
            i.strip().rstrip("/") for i in env.get("WUYE_WORKORDER_API_ISSUERS", "").split(",") if i.strip()
        )
        port_text = env.get("WUYE_WORKORDER_API_PORT", "8001")
        if not port_text.isdigit():
            raise SettingsError(f"WUYE_WORKORDER_API_PORT: {port_text!r} is not a port number")
        return cls(
            issuers=issuers,
            audience=env.get("WUYE_WORKORDER_API_AUDIENCE", catalog.WORKORDER_API_CLIENT_ID),
            client_secret=env.get("WUYE_WORKORDER_API_CLIENT_SECRET") or None,
            host=env.get("WUYE_WORKORDER_API_HOST", "127.0.0.1"),
            port=int(port_text),
        )

    def check(self) -> None:
        if not self.issuers:
            raise SettingsError(
                "WUYE_WORKORDER_API_ISSUERS: no trusted issuer (e.g. http://127.0.0.1:8080/realms/lvcheng)"
            )
        for issuer in self.issuers:
            if not issuer.startswith(("http://", "https://")) or "/realms/" not in issuer:
                raise SettingsError(f"WUYE_WORKORDER_API_ISSUERS: {issuer!r} is not a Keycloak realm URL")

    def verifier(self) -> TokenVerifier:
        introspection = IntrospectionClient(self.audience, self.client_secret) if self.client_secret else None
        return TokenVerifier([TrustedIssuer(i, introspection) for i in self.issuers], audience=self.audience)

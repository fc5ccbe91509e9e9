"""The workbench's settings, read from ``WUYE_*`` environment variables (the names the realm template uses)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sso import catalog
from sso.principal import tenant_from_issuer


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class WorkbenchSettings:
    #: Realm issuer, e.g. ``http://127.0.0.1:8080/realms/lvcheng`` (``WUYE_ISSUER``, or
    #: ``WUYE_KEYCLOAK_URL`` + ``WUYE_REALM``).
    issuer: str
    #: Public base URL of the workbench, no trailing slash (``WUYE_WORKBENCH_URL``).
    public_url: str
    client_secret: str = field(repr=False)
    client_id: str = catalog.WORKBENCH_CLIENT_ID
    #: Owners' app (业主版) the refusal page points to (``WUYE_OWNER_APP_URL``).
    owner_app_url: str = "http://127.0.0.1:8090"
    #: Shared session store for several instances (``WUYE_REDIS_URL``); in memory when unset.
    redis_url: str | None = None
    #: Work-order API base URL (``WUYE_WORKORDER_API_URL``); the 工单 page relays the user's token there.
    workorder_api_url: str | None = None
    #: Absolute cap on a workbench session, whatever Keycloak says (10 h).
    max_session_seconds: int = 36_000
    #: Refresh the access token when it has fewer seconds left than this.
    refresh_leeway_seconds: int = 60
    #: How long after a failed discovery the next attempt may be made.
    discovery_retry_seconds: float = 1.0
    #: Minimum interval between JWKS refetches on an unknown key id (``sso.jwks``).
    jwks_min_refetch_seconds: float = 10.0
    #: Timeout of each call to Keycloak and the work-order API.
    http_timeout_seconds: float = 5.0
    #: Language of pages and of Keycloak's sign-in page when the visitor has not chosen one.
    default_language: str = "zh-CN"

    def __post_init__(self) -> None:
        for name, var in (("issuer", "WUYE_ISSUER"), ("public_url", "WUYE_WORKBENCH_URL")):
            value = getattr(self, name)
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise SettingsError(f"{var} ({name}) must be an http(s) URL, got {value!r}")
            if value.endswith("/"):
                raise SettingsError(f"{var} ({name}) must not end with '/', got {value!r}")
        try:  # every sign-in reads the tenant from the issuer: a non-realm URL could only fail later, with a 500
            tenant_from_issuer(self.issuer)
        except ValueError as exc:
            raise SettingsError(
                f"WUYE_ISSUER (or WUYE_KEYCLOAK_URL + WUYE_REALM) must be a Keycloak realm URL such as "
                f"https://sso.example.com/realms/lvcheng, got {self.issuer!r}"
            ) from exc
        if not self.client_secret:
            raise SettingsError(
                "WUYE_WORKBENCH_CLIENT_SECRET (or WUYE_CLIENT_SECRET) is empty: the staff-workbench client is confidential"
            )
        if self.max_session_seconds <= 0:
            raise SettingsError("max_session_seconds must be positive")

    def __repr__(self) -> str:
        return f"WorkbenchSettings(issuer={self.issuer!r}, public_url={self.public_url!r})"

    @property
    def tenant(self) -> str:
        """The realm name, i.e. the tenant (``…/realms/lvcheng`` → ``lvcheng``)."""
        return tenant_from_issuer(self.issuer)

    @property
    def secure_cookies(self) -> bool:
        """Under HTTPS cookies are ``Secure`` and the session cookie takes the ``__Host-`` prefix."""
        return self.public_url.startswith("https://")

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url}/auth/callback"

    @property
    def post_logout_redirect_uri(self) -> str:
        return f"{self.public_url}/signed-out"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WorkbenchSettings:
        env = os.environ if env is None else env
        issuer = env.get("WUYE_ISSUER", "").rstrip("/")
        if not issuer:
            keycloak, realm = env.get("WUYE_KEYCLOAK_URL", "").rstrip("/"), env.get("WUYE_REALM", "")
            if not keycloak or not realm:
                raise SettingsError("set WUYE_ISSUER, or WUYE_KEYCLOAK_URL and WUYE_REALM")
            issuer = f"{keycloak}/realms/{realm}"
        public_url = env.get("WUYE_WORKBENCH_URL", "").rstrip("/")
        if not public_url:
            raise SettingsError("set WUYE_WORKBENCH_URL (the workbench's public base URL)")
        optional: dict[str, object] = {}
        for name, var, kind in (
            ("client_id", "WUYE_WORKBENCH_CLIENT_ID", str),
            ("client_id", "WUYE_CLIENT_ID", str),
            ("owner_app_url", "WUYE_OWNER_APP_URL", str),
            ("redis_url", "WUYE_REDIS_URL", str),
            ("workorder_api_url", "WUYE_WORKORDER_API_URL", str),
            ("max_session_seconds", "WUYE_WORKBENCH_MAX_SESSION_SECONDS", int),
            ("refresh_leeway_seconds", "WUYE_WORKBENCH_REFRESH_LEEWAY_SECONDS", int),
            ("default_language", "WUYE_WORKBENCH_LANGUAGE", str),
        ):
            raw = env.get(var)
            if raw:
                try:
                    optional[name] = kind(raw.rstrip("/") if kind is str else raw)
                except ValueError as exc:
                    raise SettingsError(f"{var}={raw!r} is not a valid {kind.__name__}") from exc
        return cls(
            issuer=issuer,
            public_url=public_url,
            client_secret=env.get("WUYE_WORKBENCH_CLIENT_SECRET") or env.get("WUYE_CLIENT_SECRET", ""),
            **optional,  # type: ignore[arg-type]  # each value was built by its field's own type just above
        )

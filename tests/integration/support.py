"""Staff for the integration stories: provisioned from a roster, ready to sign in through a relying party."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

from devstack.oauth2_proxy import ProxyConfig
from sso.downstream.apply import apply_system
from sso.downstream.declaration import DownstreamSystem
from tests.extension.conftest import PASSWORD
from tests.provisioning.support import Provisioner
from tests.support.realms import TestRealm


def provision_staff(
    realm: TestRealm, workdir: Path, people: list[dict[str, Any]], sites: list[dict[str, str]] | None = None
) -> Provisioner:
    """Apply ``people`` as the realm's roster, then give each a known, non-temporary password."""
    provisioner = Provisioner(realm, workdir)
    run = provisioner("apply", provisioner.roster(people, sites=sites), "--allow-mass-disable")
    assert run.code == 0, run.err
    admin = realm.admin()
    usernames = [p["employee_no"].lower() for p in people if p.get("status", "active") == "active"]
    for username in usernames:
        user = admin.get_users({"username": username, "exact": True})[0]
        admin.set_user_password(user["id"], PASSWORD, temporary=False)
        assert user["emailVerified"], "provisioning marks HR's company emails verified (issue 16 item 1)"
    return provisioner


def phone_of(person: dict[str, Any]) -> str:
    """E.164 of a roster entry's ``mobile`` (``138 0001 0001`` → ``+8613800010001``)."""
    return "+86" + "".join(ch for ch in str(person["mobile"]) if ch.isdigit())[-11:]


def proxy_for_downstream(
    realm: TestRealm, system_id: str, upstream: str, *, permissions: frozenset[str] = frozenset(), **config: Any
) -> ProxyConfig:
    """Declare the downstream system for a proxy on a free port, and return the proxy's configuration for it."""
    draft = ProxyConfig(issuer=realm.issuer, client_id=system_id, client_secret="", upstream=upstream,
                        cookie_secret=secrets.token_hex(16), **config)  # fmt: skip
    system = DownstreamSystem(system_id, f"{system_id} (test)", (f"{draft.url}/oauth2/callback",), permissions)
    return replace(draft, client_secret=apply_system(realm.admin(), system))

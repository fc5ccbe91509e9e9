"""The SMS-activation figures of ``bench_provision``: a first apply with ``--activation sms`` beside the
no-password one (the SMS are queued in the create requests, not waited on), and how fast Keycloak's drain then
empties the queue into the dev outbox, at the realm's default pace and with the pace raised."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from keycloak import KeycloakAdmin

from devstack.keycloak_server import KeycloakEndpoint
from devstack.sms_outbox import SmsOutbox, send_realm_sms_here
from provisioning.activation import Activation
from provisioning.desired import DesiredState
from provisioning.realm_import import master_admin
from sso import catalog

#: how long the drain is watched at the realm's default pace before the pace is raised
DEFAULT_PACE_WINDOW_S = 30.0
RAISED_PACE = 1000


def sms_first_apply(
    endpoint: KeycloakEndpoint,
    realm: str,
    desired: DesiredState,
    work: Path,
    outbox: SmsOutbox,
    apply: Callable[..., tuple[float, int, object]],
) -> tuple[float, int, int]:
    """(seconds, requests, SMS the drain sent meanwhile) of the first apply with SMS activation, the realm's SMS
    going to ``outbox`` at its default pace (the drain works while the apply runs, as it would in production)."""
    send_realm_sms_here(_admin(endpoint), realm, outbox.url)
    seconds, requests, _ = apply(endpoint, realm, desired, work, activation=Activation.SMS)
    return seconds, requests, _sent(outbox, realm)


def _sent(outbox: SmsOutbox, realm: str) -> int:
    return sum(1 for m in outbox.messages() if m.get("realm") == realm and m.get("purpose") == "activation")


def drain(endpoint: KeycloakEndpoint, realm: str, outbox: SmsOutbox, staff: int, bound_s: float) -> str:
    """How fast the drain empties the queue: activation SMS per second at the default pace (watched for
    ``DEFAULT_PACE_WINDOW_S``), then with ``wuyeSmsActivationPerSecond`` raised until nothing is queued."""
    admin = _admin(endpoint)
    admin.change_current_realm(realm)

    def sent() -> int:
        return _sent(outbox, realm)

    def queued() -> int:
        return int(admin.users_count({"q": f"{catalog.ACTIVATION_ATTRIBUTE}:{catalog.ACTIVATION_PENDING}"}))

    before, started = sent(), time.monotonic()
    time.sleep(DEFAULT_PACE_WINDOW_S)
    default_rate = (sent() - before) / (time.monotonic() - started)
    send_realm_sms_here(admin, realm, outbox.url, wuyeSmsActivationPerSecond=str(RAISED_PACE))
    before, started = sent(), time.monotonic()
    while queued() and time.monotonic() - started < bound_s:
        time.sleep(1)
    raised_s = time.monotonic() - started
    left = queued()
    raised_rate = (sent() - before) / raised_s
    total = sent()
    return (
        f"default pace: {default_rate:.1f} SMS/s (watched {DEFAULT_PACE_WINDOW_S:.0f} s); pace raised to "
        f"{RAISED_PACE}/s: {raised_rate:.0f} SMS/s, queue {'empty' if not left else f'{left} left'} after "
        f"{raised_s:.0f} s; {total} of {staff} activation SMS in the outbox"
    )


def _admin(endpoint: KeycloakEndpoint) -> KeycloakAdmin:
    return master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password)

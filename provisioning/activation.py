"""How joiners get in the first time: one explicit choice per apply (``--activation``).

``sms``: created without any password, with ``wuyeActivation=pending`` in the create request itself (creation
and queueing are one step); Keycloak's drain sends the activation SMS at the realm's pace, and the person sets
a password on the login page ("首次登录 / 激活账号"). ``one-time-password``: a temporary password written to a
0600 file, changed at the first sign-in. ``invite``: Keycloak's actions e-mail (joiners without an e-mail get a
one-time password). Apply never sends an SMS itself and never waits for one.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from provisioning.desired import UPDATE_PASSWORD
from sso import catalog


class Activation(StrEnum):
    SMS = "sms"
    ONE_TIME_PASSWORD = "one-time-password"
    INVITE = "invite"


def joiner_required_actions(actions: Iterable[str], activation: Activation) -> list[str]:
    """The plan's required actions for a joiner under this mode: activation sets the password itself, so no
    ``UPDATE_PASSWORD`` (a privileged post keeps ``CONFIGURE_TOTP``, enrolled at its first real sign-in)."""
    return [a for a in actions if not (activation is Activation.SMS and a == UPDATE_PASSWORD)]


def joiner_attributes(activation: Activation) -> dict[str, list[str]]:
    """Attributes a joiner's create request carries besides the ones provisioning owns (never owned: the
    drain and the person change them)."""
    return {catalog.ACTIVATION_ATTRIBUTE: [catalog.ACTIVATION_PENDING]} if activation is Activation.SMS else {}


def queued_line(count: int, planned: bool = False) -> str:
    """What plan and report say in SMS mode (the SMS leave Keycloak after the apply, not during it)."""
    when = "on apply: " if planned else ""
    return f"{when}{count} activation SMS queued (sent by Keycloak at the realm's pace) 激活短信排队,由 Keycloak 按速率发送"

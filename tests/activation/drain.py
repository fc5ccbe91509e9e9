"""Reading what the activation drain sent: the outbox's messages of one realm and purpose, and waiting for them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from devstack.sms_outbox import SmsOutbox


def sent(outbox: SmsOutbox, realm: str, purpose: str = "activation", to: str | None = None) -> list[dict[str, Any]]:
    return [m for m in outbox.messages(to) if m.get("realm") == realm and m.get("purpose") == purpose]


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout_s} s")
        time.sleep(0.1)


def quiet_for(seconds: float) -> None:
    """Lets the drain run a few more rounds (it runs every second): whatever it would send twice, it sends now."""
    time.sleep(seconds)

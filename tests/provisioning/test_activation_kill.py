"""A killed ``apply --activation sms`` and its plain re-run: every joiner gets exactly one activation SMS, nobody
else gets one (issue 13 section 2), through the real drain of the Keycloak extension."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

from devstack.sms_outbox import SmsOutbox, send_realm_sms_here
from sso import catalog
from tests.extension.conftest import sms_outbox
from tests.provisioning.support import Provisioner, person

__all__ = ["sms_outbox"]


def _queued(provision: Provisioner) -> int:
    return int(
        provision.realm.admin().users_count({"q": f"{catalog.ACTIVATION_ATTRIBUTE}:{catalog.ACTIVATION_PENDING}"})
    )


def _mobile(to: str) -> str:
    return "".join(ch for ch in to if ch.isdigit())[-11:]


def test_a_killed_activation_apply_never_sends_one_person_two_sms_and_never_skips_one(
    provision: Provisioner, sms_outbox: SmsOutbox
) -> None:
    send_realm_sms_here(provision.realm.admin(), provision.realm.name, sms_outbox.url, wuyeSmsActivationPerSecond="50")
    earlier = provision.roster([person(900, "老员工")], name="earlier.yaml")
    assert provision("apply", earlier).code == 0  # an existing account (one-time password): never an activation SMS
    people = [person(900, "老员工"), *(person(n, f"新员工{n}") for n in range(1000, 1300))]
    roster = provision.roster(people)

    child = provision.start_apply(roster, "--activation", "sms")
    try:
        deadline = time.monotonic() + 180
        while provision.realm.admin().users_count({"q": f"{catalog.MANAGED_ATTRIBUTE}:true"}) < 60:
            assert child.poll() is None, f"the apply ended (exit {child.returncode}) before it was killed"
            assert time.monotonic() < deadline, "the apply created no accounts"
            time.sleep(0.1)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    made = provision.realm.admin().users_count({"q": f"{catalog.MANAGED_ATTRIBUTE}:true"})
    assert made < len(people), "killed midway, not after the end"

    rerun = provision("apply", roster, "--activation", "sms")
    assert rerun.code == 0, rerun.err

    deadline = time.monotonic() + 240  # 300 SMS at 50/s, plus the drain's ticks on a loaded machine
    while _queued(provision):
        assert time.monotonic() < deadline, f"{_queued(provision)} activation SMS still queued after 240 s"
        time.sleep(1)
    time.sleep(2)  # a send that a drain node claimed just before the last look lands in the outbox
    sent = Counter(
        _mobile(str(m["to"]))
        for m in sms_outbox.messages()
        if m.get("realm") == provision.realm.name and m.get("purpose") == "activation"
    )
    joiners = {_mobile(str(p["mobile"])) for p in people[1:]}
    assert set(sent) == joiners, (
        f"skipped: {len(joiners - set(sent))}, sent to someone else: {sorted(set(sent) - joiners)[:5]}"
    )
    assert [m for m, n in sent.items() if n > 1] == [], "someone got two activation SMS"

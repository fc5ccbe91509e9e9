"""Named moments of an apply, where fault-injection tests kill it (``kill -9``) and then run it again.

With ``WUYE_PROVISIONING_PAUSE_AT=<moment>`` and ``WUYE_PROVISIONING_MOMENTS=<folder>`` set, an apply that
reaches the moment writes ``<folder>/<moment>`` (holding its pid) and waits there while the file exists,
so a test kills it exactly then instead of sleeping and hoping (or does something and deletes the file
to let it go on). Unset, as in every real run, a moment costs one environment lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT_ENV = "WUYE_PROVISIONING_PAUSE_AT"
FOLDER_ENV = "WUYE_PROVISIONING_MOMENTS"

#: the realm's lock is taken, nothing else done yet
LOCK_TAKEN = "lock-taken"
#: the first one-time passwords are in the credentials file; their accounts are not created yet
PASSWORDS_WRITTEN = "passwords-written"
#: Keycloak has created a joiner batch; the apply has not recorded it yet
JOINER_BATCH_IN_FLIGHT = "joiner-batch-in-flight"
#: a leaver is disabled and not yet signed out
DISABLED_NOT_SIGNED_OUT = "disabled-not-signed-out"

MOMENTS = (LOCK_TAKEN, PASSWORDS_WRITTEN, JOINER_BATCH_IN_FLIGHT, DISABLED_NOT_SIGNED_OUT)


def reached(moment: str) -> None:
    """When a test asked to stop at ``moment``: mark it, and wait (to be killed, or until the mark is deleted)."""
    if os.environ.get(PAUSE_AT_ENV) != moment:
        return
    mark = Path(os.environ.get(FOLDER_ENV) or ".") / moment
    mark.write_text(str(os.getpid()), encoding="utf-8")
    while mark.exists():
        time.sleep(0.05)

"""Mainland China mobile numbers → E.164 (``+8613800138000``).

HR spreadsheets hold numbers in every shape (spaces, hyphens, ``0086``, full-width digits typed with a
Chinese IME). Keycloak keeps one canonical form so phone sign-in (the Java extension) and provisioning
agree; ``tests/vectors/phone_numbers.json`` holds both implementations to the same cases. Provisioning
validates the roster with it and the help desk normalises what IT types into its search box.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-().]")
_MAINLAND_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def normalise_mobile(raw: str) -> str | None:
    """The E.164 form of a mainland mobile number, or ``None`` when ``raw`` is not one."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = _SEPARATORS.sub("", text)
    if text.startswith("+86"):
        national = text[3:]
    elif text.startswith("+"):
        return None
    elif text.startswith("0086"):
        national = text[4:]
    elif text.startswith("86") and len(text) == 13:
        national = text[2:]
    else:
        national = text
    if not _MAINLAND_MOBILE.match(national):
        return None
    return "+86" + national

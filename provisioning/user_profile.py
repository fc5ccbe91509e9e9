"""The realm's user-profile rules, read from the realm (``GET /admin/realms/{r}/users/profile``).

Which validators apply to which attribute, and their settings (lengths, patterns, the e-mail local
part's limit), come from the realm, so an admin who tightens the profile tightens validate too. What a
built-in validator id *means* is Keycloak's code; the few provisioning's fields meet are mirrored here
from Keycloak 26.7.3 (``org.keycloak.validate.validators.*``, ``org.keycloak.userprofile.validator.*``):
- ``length``: ``min``/``max`` on the trimmed value (``trim-disabled`` keeps it), counted as Java does
  (UTF-16 code units);
- ``pattern``: ``pattern`` must match the whole value;
- ``email``: ``EmailValidationUtil`` (local part ≤ ``max-local-length``, default 64) and, with no
  UTF-8-capable SMTP, an ASCII local part (``error-non-ascii-local-part-email``);
- ``person-name-prohibited-characters`` and ``username-prohibited-characters``: their default patterns;
- ``up-username-not-idn-homograph``: Latin or common characters only.
A validator provisioning does not know is reported once, never silently passed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypedDict, cast

#: What ``GET /users/profile`` returns, as far as validation reads it.
ValidatorConfig = Mapping[str, object]


class ProfileAttribute(TypedDict, total=False):
    name: str
    validations: dict[str, ValidatorConfig]


class ProfileConfig(TypedDict, total=False):
    attributes: list[ProfileAttribute]
    unmanagedAttributePolicy: str


# Java ``\p{Cntrl}`` is ASCII control; ``\v`` vertical and ``\h`` horizontal whitespace, spelled out for Python.
_CNTRL = "\\x00-\\x1f\\x7f"
_V = "\\n\\x0b\\f\\r\\x85\\u2028\\u2029"
_H = " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
_PERSON_NAME = re.compile(f'^[^<>&"{_V}$%!#?§;*~/\\\\|^=\\[\\]{{}}(){_CNTRL}]+$')
_USERNAME = re.compile(f"^[^<>&\"'\\t\\n\\x0b\\f\\r {_V}{_H}$%!#?§,;:*~/\\\\|^=\\[\\]{{}}()`{_CNTRL}]+$")
_LOCAL_ATOM = "[a-z0-9!#$%&'*+/=?^_`{|}~\\u0080-\\uffff-]"
_LOCAL_QUOTED = "(?:[a-z0-9!#$%&'*.(),<>\\[\\]:;  @+/=?^_`{|}~\\u0080-\\uffff-]|\\\\\\\\|\\\\\")"
_LOCAL_PART = re.compile(
    f'(?:{_LOCAL_ATOM}+|"{_LOCAL_QUOTED}+")(?:\\.(?:{_LOCAL_ATOM}+|"{_LOCAL_QUOTED}+"))*', re.IGNORECASE
)
_DOMAIN_CHAR = "[a-z\\u0080-\\uffff0-9!#$%&'*+/=?^`{|}~]"
_DOMAIN_LABEL = f"(?:{_DOMAIN_CHAR}-*)*{_DOMAIN_CHAR}++"
_DOMAIN = re.compile(
    f"{_DOMAIN_LABEL}(?:\\.{_DOMAIN_LABEL})*|\\[[0-9]{{1,3}}(?:\\.[0-9]{{1,3}}){{3}}\\]", re.IGNORECASE
)


def _java_length(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def _length(value: str, config: ValidatorConfig) -> str | None:
    text = value if config.get("trim-disabled") in (True, "true") else value.strip()
    low, high = config.get("min"), config.get("max")
    size = _java_length(text)
    if low is not None and size < int(str(low)):
        return f"shorter than the realm's minimum of {low} characters"
    if high is not None and size > int(str(high)):
        return f"longer than the realm's maximum of {high} characters"
    return None


def _pattern(value: str, config: ValidatorConfig) -> str | None:
    pattern = str(config.get("pattern") or "")
    if pattern and not re.fullmatch(pattern, value):
        return f"does not match the realm's pattern {pattern}"
    return None


def _email(value: str, config: ValidatorConfig) -> str | None:
    local, at, domain = value.rpartition("@")
    limit = int(str(config.get("max-local-length") or 64))
    if not at or not local or _java_length(local) > limit or not _LOCAL_PART.fullmatch(local):
        return "is not an e-mail address Keycloak accepts (error-invalid-email)"
    try:
        ascii_domain = domain.encode("idna").decode("ascii") if domain and not domain.endswith(".") else ""
    except UnicodeError:
        ascii_domain = ""
    if not ascii_domain or len(ascii_domain) > 255 or not _DOMAIN.fullmatch(ascii_domain):
        return "is not an e-mail address Keycloak accepts (error-invalid-email)"
    if not local.isascii():
        return "has non-ASCII characters before the @ (error-non-ascii-local-part-email)"
    return None


def _matches(expression: re.Pattern[str], error: str) -> Callable[[str, ValidatorConfig], str | None]:
    def check(value: str, _config: ValidatorConfig) -> str | None:
        return None if expression.fullmatch(value) else f"holds a character Keycloak refuses ({error})"

    return check


def _not_homograph(value: str, _config: ValidatorConfig) -> str | None:
    for char in value:
        if char.isalpha() and not unicodedata.name(char, "").startswith("LATIN"):
            return "holds non-Latin letters (error-username-invalid-character)"
    return None


VALIDATORS: dict[str, Callable[[str, ValidatorConfig], str | None]] = {
    "length": _length,
    "pattern": _pattern,
    "email": _email,
    "person-name-prohibited-characters": _matches(_PERSON_NAME, "error-person-name-invalid-character"),
    "username-prohibited-characters": _matches(_USERNAME, "error-username-invalid-character"),
    "up-username-not-idn-homograph": _not_homograph,
}


@dataclass(frozen=True)
class UserProfile:
    """Validators per attribute name, as the realm declares them."""

    validations: dict[str, dict[str, ValidatorConfig]] = field(default_factory=dict)
    source: str = "the realm's user profile"

    @classmethod
    def from_config(cls, config: ProfileConfig, source: str) -> UserProfile:
        return cls({str(a.get("name")): dict(a.get("validations") or {}) for a in config.get("attributes", [])}, source)

    def problems(self, attribute: str, value: str) -> list[str]:
        """Why Keycloak would refuse ``value`` for ``attribute`` (empty values are the ``required`` rule's business)."""
        if not value:
            return []
        found: list[str] = []
        for validator, config in self.validations.get(attribute, {}).items():
            check = VALIDATORS.get(validator)
            if check is None:
                found.append(f"the realm's validator {validator!r} is not known to provisioning: check it by hand")
                continue
            message = check(value, cast(ValidatorConfig, config or {}))
            if message:
                found.append(message)
        return found

    @classmethod
    def of_template(cls) -> UserProfile:
        """The profile the realm template gives a new realm (for ``validate`` without a Keycloak to ask)."""
        from provisioning.realm_template import load_template

        components = load_template().get("components", {}).get("org.keycloak.userprofile.UserProfileProvider", [])
        for component in components:
            for text in (component.get("config") or {}).get("kc.user.profile.config", []):
                return cls.from_config(cast(ProfileConfig, json.loads(text)), "the realm template's user profile")
        return cls(source="Keycloak's default user profile (the template declares none)")

    def max_length(self, attribute: str) -> int | None:
        high = (self.validations.get(attribute, {}).get("length") or {}).get("max")
        return int(str(high)) if high is not None else None

"""The registered-claim rules every token kind shares (RFC 7519 §4.1): one validator per claim, one reading of each.

``sso.oidc`` (ID, logout and its own access tokens) and ``sso.verify`` (downstream access tokens) both call these,
so ``exp`` means the same thing everywhere: a token is expired *on or after* its ``exp`` second. Each validator
raises ``ClaimRejected`` naming the claim and the problem; the caller turns it into its own error type.
"""

from __future__ import annotations

from typing import Any, Literal

Problem = Literal["malformed", "expired", "not_yet_valid", "issued_in_future", "too_old", "wrong_audience"]


class ClaimRejected(ValueError):
    """``claim`` breaks a rule; ``problem`` says which (never the claim's value beyond what is safe to log)."""

    def __init__(self, claim: str, problem: Problem, description: str) -> None:
        self.claim = claim
        self.problem: Problem = problem
        self.description = description
        super().__init__(f"{claim}: {description}")


def is_numeric_date(value: Any) -> bool:
    """RFC 7519 §2: a JSON number of seconds (``true`` is not a number, though Python thinks so)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_exp(value: Any, now: float, leeway: float) -> None:
    """RFC 7519 §4.1.4: refused on or after the expiry (NumericDate), allowing ``leeway`` for clock skew."""
    if not is_numeric_date(value):
        raise ClaimRejected("exp", "malformed", "claim 'exp' is not a NumericDate")
    if now >= value + leeway:
        raise ClaimRejected("exp", "expired", f"expired {int(now - value)} s ago")


def validate_nbf(value: Any, now: float, leeway: float) -> None:
    """RFC 7519 §4.1.5: refused before ``nbf`` (NumericDate), allowing ``leeway``."""
    if not is_numeric_date(value):
        raise ClaimRejected("nbf", "malformed", "claim 'nbf' is not a NumericDate")
    if now < value - leeway:
        raise ClaimRejected("nbf", "not_yet_valid", f"valid only in {int(value - now)} s")


def validate_iat(value: Any, now: float, leeway: float, max_age: float | None = None) -> None:
    """RFC 7519 §4.1.6: a NumericDate, not in the future beyond ``leeway``; with ``max_age``, not older than that
    (OIDC Core §3.1.3.7 step 10, Back-Channel Logout §2.6: "too far away from the current time")."""
    if not is_numeric_date(value):
        raise ClaimRejected("iat", "malformed", "claim 'iat' is not a NumericDate")
    if value > now + leeway:
        raise ClaimRejected("iat", "issued_in_future", f"issued {int(value - now)} s in the future")
    if max_age is not None and now - value > max_age:
        raise ClaimRejected("iat", "too_old", f"issued {int(now - value)} s ago, more than {int(max_age)} s")


def audiences(value: Any) -> list[str]:
    """RFC 7519 §4.1.3: ``aud`` is one string or an array of strings; anything else is malformed."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ClaimRejected("aud", "malformed", "aud is neither a string nor an array of strings")


def validate_aud(value: Any, audience: str) -> list[str]:
    """RFC 7519 §4.1.3: ``audience`` must be among the token's audiences; returns them."""
    auds = audiences(value)
    if audience not in auds:
        raise ClaimRejected("aud", "wrong_audience", f"audience {auds} does not include {audience!r}")
    return auds

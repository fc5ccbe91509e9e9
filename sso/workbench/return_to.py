"""Where to go after sign-in: only a path on this site, never another origin (no open redirect).

Refused: absolute URLs (``https://evil``), scheme-relative ``//evil``, backslash forms that browsers
read as ``//`` (``/\\evil``, ``\\\\evil``), control characters and whitespace (``/\\t/evil`` becomes
``//evil`` once a browser strips the tab), schemes such as ``javascript:``, and our own auth
endpoints (which would loop). Anything refused becomes ``/``.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

HOME = "/"
_NO_RETURN_PREFIXES = ("/auth/",)


def safe_return_to(value: str | None) -> str:
    if not value or len(value) > 2000:
        return HOME
    if not value.startswith("/") or value.startswith("//"):
        return HOME
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch.isspace() or ch == "\\" for ch in value):
        return HOME
    decoded = unquote(value)
    if decoded.startswith("//") or "\\" in decoded or any(ord(ch) < 0x20 for ch in decoded):
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return HOME
    if parts.path.startswith(_NO_RETURN_PREFIXES):
        return HOME
    return value

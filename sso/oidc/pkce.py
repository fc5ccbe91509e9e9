"""Proof Key for Code Exchange (RFC 7636), S256 only: the ``plain`` method protects nothing."""

from __future__ import annotations

import secrets

from authlib.oauth2.rfc7636 import create_s256_code_challenge

CHALLENGE_METHOD = "S256"


def new_code_verifier() -> str:
    """RFC 7636 §4.1: 43-128 characters from the unreserved set; 64 url-safe characters (384 bits)."""
    return secrets.token_urlsafe(48)


def code_challenge(verifier: str) -> str:
    """RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))), without padding."""
    return str(create_s256_code_challenge(verifier))

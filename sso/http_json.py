"""Reading a JSON object from Keycloak's answers, with one wording of what went wrong for every caller."""

from __future__ import annotations

from typing import Any

import httpx


def json_object(response: httpx.Response, what: str, error: type[Exception]) -> dict[str, Any]:
    """The JSON object a 200 answer carries; otherwise ``error`` naming ``what`` (a URL or endpoint) and why."""
    if response.status_code != 200:
        raise error(f"{what} answered HTTP {response.status_code}")
    try:
        document = response.json()
    except ValueError as exc:
        raise error(f"{what} did not answer JSON") from exc
    if not isinstance(document, dict):
        raise error(f"{what} answered JSON that is not an object")
    return document

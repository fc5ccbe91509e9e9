"""Parsing JSON that strangers send (request bodies, token segments): malformed input is a value error, never a crash.

Python's ``json`` parser recurses once per nesting level and raises ``RecursionError`` near a thousand levels
(``[[[[…]]]]``): left alone, that escapes ``except ValueError`` and becomes a 500 an attacker can cause at will.
Here it is ``MalformedJson`` (a ``ValueError``) like any other bad input, and callers may also cap the depth they
accept, so what reaches validation (pydantic, claim checks) is shallow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


class MalformedJson(ValueError):
    """Not JSON, not UTF-8, or nested deeper than the caller accepts; the message says which."""


#: The C scanner behind ``json.loads``, called directly: this runs on every token's payload.
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # real, but not in typeshed


def loads(data: bytes | str, *, max_depth: int | None = None) -> Any:
    """The JSON value of ``data`` (UTF-8 when bytes); ``MalformedJson`` for anything else."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        try:
            value, end = _scan(text, 0)
        except StopIteration:
            end = -1
        if end != len(text):  # leading/trailing whitespace or garbage, or no value: json.loads decides
            value = json.loads(text)
    except RecursionError as exc:
        raise MalformedJson("JSON nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        raise MalformedJson(f"not JSON: {type(exc).__name__}") from exc
    if max_depth is not None and _depth_exceeds(value, max_depth):
        raise MalformedJson(f"JSON nested deeper than {max_depth} levels")
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether arrays/objects nest deeper than ``limit``; iterative, so it cannot recurse out of stack itself."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False

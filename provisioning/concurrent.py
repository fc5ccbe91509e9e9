"""Requests in flight: Keycloak has two cores here, and a few requests at once keep both busy.

The callers (the state reader, the appliers) choose how many; the gateway only sends requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_WORKERS = 4


def concurrently(fn: Callable[[T], R], items: Iterable[T], workers: int = DEFAULT_WORKERS) -> list[R]:
    """``fn`` over ``items``, ``workers`` at a time, results in order; one item runs inline."""
    items = list(items)
    if len(items) <= 1:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))

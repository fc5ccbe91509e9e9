"""Fixtures for provisioning stories: a fresh realm per test where the roster (realm-wide) demands it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.provisioning.support import Provisioner
from tests.support.realms import TestRealm


@pytest.fixture
def provision(realm_factory: Callable[..., TestRealm], tmp_path: Path) -> Provisioner:
    """A fresh realm (a roster describes a whole realm, so stories cannot share one) and a runner for it."""
    return Provisioner(realm_factory(), tmp_path)

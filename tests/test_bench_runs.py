"""`make bench` runs every benchmark: each is a module of the ``bench`` package, started as ``python -m bench.<name>``."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from bench.run_all import QUICK_ARGS, benchmarks
from devstack.paths import PROJECT_ROOT


def test_run_all_finds_every_benchmark_and_knows_only_real_ones() -> None:
    names = benchmarks()
    assert {"bench_verify", "bench_provision", "bench_cluster", "bench_helpdesk"} <= set(names)
    assert set(QUICK_ARGS) <= set(names)


@pytest.mark.parametrize("name", benchmarks())
def test_each_benchmark_imports_as_a_package_module_and_explains_itself(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    assert callable(getattr(module, "main", None)), f"bench/{name}.py has no main()"
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage:" in result.stdout

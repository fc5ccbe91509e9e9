"""Keycloak start-up times: ``start-dev`` (the baseline, builds on every start) against our
``kc.sh build`` once + ``start --optimized``, on a fresh H2 database (cold) and on an existing one (warm).

Run: ``.venv/bin/python -m bench.bench_keycloak_start [--rounds N]``. Prints medians and ratios.
Time to ``/health/ready`` is what a developer waits for.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from devstack.distribution import DEV_BUILD_OPTIONS, built_distribution
from devstack.extensions import extension_jars
from devstack.keycloak_server import LocalKeycloak, free_port
from devstack.toolchain import find_java


def time_start_dev(home: Path) -> float:
    """The baseline: ``kc.sh start-dev`` on a copy of the plain distribution (re-augments at every start)."""
    work = Path(tempfile.mkdtemp(prefix="wuye-bench-startdev-"))
    try:
        copy = work / "kc"
        shutil.copytree(home, copy, symlinks=True)
        shutil.rmtree(copy / "data", ignore_errors=True)
        http, mgmt = free_port(), free_port()
        env = dict(
            os.environ,
            JAVA_HOME=str(find_java().home),
            KC_BOOTSTRAP_ADMIN_USERNAME="admin",
            KC_BOOTSTRAP_ADMIN_PASSWORD="bench-only-admin",
        )
        began = time.monotonic()
        process = subprocess.Popen(
            [
                str(copy / "bin" / "kc.sh"),
                "start-dev",
                f"--http-port={http}",
                "--http-host=127.0.0.1",
                f"--http-management-port={mgmt}",
                "--health-enabled=true",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        try:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{mgmt}/health/ready", timeout=2).status_code == 200:
                        return time.monotonic() - began
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() - began > 300:
                    raise RuntimeError("start-dev did not become ready")
                time.sleep(0.25)
        finally:
            os.killpg(process.pid, 15)
            process.wait(30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def time_optimized(instance: Path) -> float:
    server = LocalKeycloak(built_distribution(DEV_BUILD_OPTIONS, extension_jars()), instance, free_port(), free_port())
    began = time.monotonic()
    server.start()
    elapsed = time.monotonic() - began
    server.stop()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    began = time.monotonic()
    distribution = built_distribution(DEV_BUILD_OPTIONS, extension_jars())
    prepare = time.monotonic() - began
    plain = distribution.home  # start-dev re-augments anyway, so the built home works as its input

    baseline, cold, warm = [], [], []
    for _ in range(args.rounds):
        baseline.append(time_start_dev(plain))
        instance = Path(tempfile.mkdtemp(prefix="wuye-bench-kc-"))
        try:
            cold.append(time_optimized(instance))
            warm.append(time_optimized(instance))
        finally:
            shutil.rmtree(instance, ignore_errors=True)

    b, c, w = statistics.median(baseline), statistics.median(cold), statistics.median(warm)
    print(f"machine: {os.cpu_count()} cores; Keycloak {distribution.version}; rounds: {args.rounds}")
    print(f"fetch+build (cached after the first run): {prepare:6.1f} s this run")
    print(f"{'start-dev, fresh H2 (baseline)':42} median {b:6.1f} s  runs {[round(x, 1) for x in baseline]}")
    print(
        f"{'start --optimized, fresh H2 (cold)':42} median {c:6.1f} s  runs {[round(x, 1) for x in cold]}  "
        f"{b / c:4.1f}x faster"
    )
    print(
        f"{'start --optimized, existing H2 (warm)':42} median {w:6.1f} s  runs {[round(x, 1) for x in warm]}  "
        f"{b / w:4.1f}x faster"
    )


if __name__ == "__main__":
    main()

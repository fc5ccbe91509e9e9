"""``make bench``: every benchmark in ``bench/``, one after another, each printing its figures beside its baseline.

Run: ``.venv/bin/python -m bench.run_all [--quick] [--only NAME ...]``. Each benchmark is started as its own module
(``python -m bench.<name>``) so one that fails or leaks a server does not spoil the next; the run ends with one line
per benchmark (exit code, minutes) and exits non-zero when any failed. ``--quick`` passes each benchmark its smaller
setting where it has one, for checking that they all still run; the figures in the README come from full runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent

#: Arguments that make a benchmark small enough to check it runs; benchmarks not named here run as they are.
QUICK_ARGS: dict[str, list[str]] = {
    "bench_cluster": ["--sign-ins", "20", "--rounds", "2", "--pairs", "0", "--requests", "50", "--warm-up", "20"],
    "bench_keycloak_start": ["--rounds", "1"],
    "bench_phone_login": ["--users", "500", "--rounds", "3"],
    "bench_provision": ["--quick"],
    "bench_signin": ["--sign-ins", "20", "--users", "5"],
    "bench_verify": ["--rounds", "2", "--introspections", "30"],
}


def benchmarks() -> list[str]:
    """Module names of every ``bench/bench_*.py``: a new benchmark is run without being listed anywhere."""
    return sorted(path.stem for path in BENCH_DIR.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes: check that every benchmark runs")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these (e.g. bench_verify)")
    args = parser.parse_args(argv)
    names = benchmarks()
    unknown = sorted(set(args.only or ()) - set(names))
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)} (known: {', '.join(names)})")
    chosen = [name for name in names if not args.only or name in args.only]
    outcomes: list[tuple[str, int, float]] = []
    for name in chosen:
        command = [sys.executable, "-m", f"bench.{name}", *(QUICK_ARGS.get(name, []) if args.quick else [])]
        print(
            f"\n=== {' '.join(command[1:])}  (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})", flush=True
        )
        started = time.monotonic()
        code = subprocess.run(command, cwd=BENCH_DIR.parent, check=False).returncode
        outcomes.append((name, code, (time.monotonic() - started) / 60))
    print("\n=== summary")
    for name, code, minutes in outcomes:
        print(f"{name:<24} {'ok' if code == 0 else f'FAILED (exit {code})':<16} {minutes:6.1f} min")
    return 0 if all(code == 0 for _, code, _ in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())

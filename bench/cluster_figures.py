"""What a configuration of ``bench/bench_cluster.py`` measured, and the side-by-side table it prints.

``run`` drives ``total`` calls of one operation on a few threads and reads the CPU of every server process
(and of the Keycloak JVMs' JIT compiler threads) from ``/proc`` around them; ``Config`` keeps one configuration's
measures; ``report`` prints the columns and the sizing guide beside them; ``report_pairs`` the two- against one-node
verdict on the median of the pairs.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bench.bench_signin import cpu_seconds, jit_seconds_by_thread
from bench.parallel import in_parallel
from devstack.load import SignInFailed

#: Keycloak's sizing guide, per vCPU.
GUIDE_SIGN_INS_PER_S = 15.0
GUIDE_REFRESHES_PER_S = 120.0
OPERATIONS = ("sign-in", "refresh", "api", "page")


@dataclass
class Measure:
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    failed: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    #: of ``cpu``, the seconds the JIT compiler threads spent (Keycloak JVMs only; a thread that exited mid-round is
    #: counted as work, so the figure without JIT errs high)
    jit: dict[str, float] = field(default_factory=dict)

    def per_second(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def cpu_each(self, role: str, without_jit: bool = False) -> float:
        """Seconds of ``role``'s CPU per completed operation (``without_jit``: net of its JIT compiler threads)."""
        seconds = sum(v for k, v in self.cpu.items() if k.startswith(role))
        if without_jit:
            seconds -= sum(v for k, v in self.jit.items() if k.startswith(role))
        return seconds / max(1, len(self.latencies))

    @classmethod
    def merged(cls, measures: list[Measure]) -> Measure:
        """Several rounds as one (for latency percentiles over all of them)."""
        cpu: dict[str, float] = {}
        jit: dict[str, float] = {}
        for m in measures:
            for role, seconds in m.cpu.items():
                cpu[role] = cpu.get(role, 0.0) + seconds
            for role, seconds in m.jit.items():
                jit[role] = jit.get(role, 0.0) + seconds
        return cls(
            latencies=[x for m in measures for x in m.latencies],
            wall=sum(m.wall for m in measures),
            failed=sum(m.failed for m in measures),
            cpu=cpu,
            jit=jit,
        )

    def percentile(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100)[q - 1]


@dataclass
class Config:
    name: str
    issuer: str
    workbench_url: str
    pids: dict[str, int]
    results: dict[str, Measure] = field(default_factory=dict)
    #: Keycloak JVMs' CPU with no request, seconds of CPU per second
    idle_cpu: float = 0.0
    #: requests HAProxy sent to each node during the measured sign-ins (empty without the balancer)
    split: dict[str, int] = field(default_factory=dict)
    #: time.monotonic() when the last node to join has its full share in HAProxy (after its slowstart)
    full_share_at: float = 0.0
    #: the measured sign-ins, round by round (``results["sign-in"]`` is all rounds together)
    sign_in_rounds: list[Measure] = field(default_factory=list)

    def median_sign_ins_per_second(self) -> float:
        return statistics.median(m.per_second() for m in self.sign_in_rounds)

    def median_keycloak_cpu_per_sign_in(self, without_jit: bool = False) -> float:
        return statistics.median(m.cpu_each("keycloak", without_jit) for m in self.sign_in_rounds)


def run(operation: Callable[[int], None], total: int, workers: int, pids: dict[str, int]) -> Measure:
    """``total`` calls of ``operation(i)`` on ``workers`` threads; CPU of every server process around it."""
    measure = Measure()
    lock = threading.Lock()

    def call(index: int) -> None:
        started = time.perf_counter()
        try:
            operation(index)
        except (AssertionError, httpx.HTTPError, RuntimeError, SignInFailed):
            with lock:
                measure.failed += 1
            return
        with lock:
            measure.latencies.append(time.perf_counter() - started)

    before = {role: cpu_seconds(pid) for role, pid in pids.items()}
    jit_before = {role: jit_seconds_by_thread(pid) for role, pid in pids.items() if role.startswith("keycloak")}
    measure.wall = in_parallel(call, total, workers)
    measure.cpu = {role: cpu_seconds(pid) - before[role] for role, pid in pids.items()}
    for role, threads in jit_before.items():
        after = jit_seconds_by_thread(pids[role])
        measure.jit[role] = sum(seconds - threads.get(tid, 0.0) for tid, seconds in after.items())
    return measure


def report(configs: list[Config], machine: str, command: str, loads: list[tuple[float, float, float]]) -> None:
    print(f"\ncommand: {command}\nmachine: {machine}")
    print(
        "load average (1/5/15 min) at each configuration's end: "
        + "; ".join(f"{c.name}: {a:.2f}/{b:.2f}/{d:.2f}" for c, (a, b, d) in zip(configs, loads, strict=True))
    )
    width = 22
    print(f"\n{'':34}" + "".join(f"{c.name:>{width}}" for c in configs))

    def row(label: str, values: list[str]) -> None:
        print(f"{label:34}" + "".join(f"{v:>{width}}" for v in values))

    for op in OPERATIONS:
        ms = [c.results[op] for c in configs]
        row(f"{op}: per second", [f"{m.per_second():.1f}" for m in ms])
        row(
            f"{op}: p50 / p95 / p99 ms",
            [f"{m.percentile(50) * 1e3:.0f}/{m.percentile(95) * 1e3:.0f}/{m.percentile(99) * 1e3:.0f}" for m in ms],
        )
        row(f"{op}: Keycloak CPU ms each", [f"{m.cpu_each('keycloak') * 1e3:.1f}" for m in ms])
        row(
            f"{op}: workbench+LB CPU ms each",
            [f"{(m.cpu_each('workbench') + m.cpu_each('haproxy')) * 1e3:.1f}" for m in ms],
        )
        row(f"{op}: failed", [str(m.failed) for m in ms])
    row(
        f"sign-in, median of {len(configs[0].sign_in_rounds)} rounds: per s",
        [f"{c.median_sign_ins_per_second():.1f}" for c in configs],
    )
    row(
        "  Keycloak CPU ms each (min-max)",
        [
            f"{c.median_keycloak_cpu_per_sign_in() * 1e3:.1f} ({min(m.cpu_each('keycloak') for m in c.sign_in_rounds) * 1e3:.0f}"
            f"-{max(m.cpu_each('keycloak') for m in c.sign_in_rounds) * 1e3:.0f})"
            for c in configs
        ],
    )
    row(
        "  of which JIT compiling, ms each",
        [
            f"{(c.median_keycloak_cpu_per_sign_in() - c.median_keycloak_cpu_per_sign_in(without_jit=True)) * 1e3:.1f}"
            for c in configs
        ],
    )
    row("Keycloak idle CPU ms per second", [f"{c.idle_cpu * 1e3:.0f}" for c in configs])
    row(
        "sign-in requests per node",
        [" / ".join(f"{n} {v}" for n, v in c.split.items()) if c.split else "-" for c in configs],
    )
    print(
        f"\nsizing guide: {1e3 / GUIDE_SIGN_INS_PER_S:.1f} ms Keycloak CPU per password sign-in, "
        f"{1e3 / GUIDE_REFRESHES_PER_S:.1f} ms per refresh (15 and 120 per vCPU per second)"
    )


def report_pairs(pairs: list[tuple[Config, Config]], load: tuple[float, float, float]) -> None:
    """The verdict: two nodes against one behind the balancer, pair by pair, on the medians of the pairs.

    It compares Keycloak's CPU per sign-in net of the JIT compiler threads: every configuration runs on fresh JVMs,
    which compile for minutes (a third of their CPU at first), and two fresh JVMs compile everything twice; a
    production node compiles once and then serves for weeks. The CPU with the JIT is printed beside it.
    """
    print("\n1 node + LB → 2 nodes + LB, sign-ins only, each configuration started afresh (medians of the rounds):")
    per_cpu, per_cpu_all, per_second = [], [], []
    for n, (one, two) in enumerate(pairs, 1):
        net_one = one.median_keycloak_cpu_per_sign_in(without_jit=True)
        net_two = two.median_keycloak_cpu_per_sign_in(without_jit=True)
        all_one, all_two = one.median_keycloak_cpu_per_sign_in(), two.median_keycloak_cpu_per_sign_in()
        rate_one, rate_two = one.median_sign_ins_per_second(), two.median_sign_ins_per_second()
        per_cpu.append(net_one / net_two)
        per_cpu_all.append(all_one / all_two)
        per_second.append(rate_two / rate_one)
        print(
            f"  pair {n}: {rate_one:.1f} → {rate_two:.1f} sign-ins/s (×{per_second[-1]:.2f}); Keycloak CPU per "
            f"sign-in without JIT {net_one * 1e3:.1f} → {net_two * 1e3:.1f} ms (×{per_cpu[-1]:.2f} sign-ins per "
            f"CPU-second), with JIT {all_one * 1e3:.1f} → {all_two * 1e3:.1f} ms (×{per_cpu_all[-1]:.2f})"
        )
    ratio, cpu_ratio = statistics.median(per_second), statistics.median(per_cpu)
    print(
        f"median of {len(pairs)} pairs: sign-ins/s ×{ratio:.2f} (a closed loop of browsers: latency-bound); "
        f"sign-ins per Keycloak CPU-second ×{cpu_ratio:.2f} without JIT, ×{statistics.median(per_cpu_all):.2f} with "
        f"it; target (not slower than 15 % at the same CPU, JIT excluded) → {'met' if cpu_ratio >= 0.85 else 'NOT met'}; "
        f"load average at the end {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}"
    )

"""Faults under a steady load: nothing a signed-in person would notice is lost.

Twenty people (``LOAD_USERS``) sign in through the balancer with Keycloak's real form, open the
workbench and its 工单 page (their token relayed to the work-order API) and sign in again in a new
browser every few rounds, while a node, a workbench, PostgreSQL or Redis is killed or restarted.
Each test reports its figures (``record_finding``); every loop is bounded in rounds and seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict

import pytest

from devstack.load import SIGN_IN, Event, Load, Tally
from devstack.rolling_restart import rolling_restart
from tests.cluster.conftest import ClusterStack, record_finding

#: Seconds of load before a fault, so everyone is signed in and the figures have a baseline.
WARM_UP_S = 10.0
#: Seconds of load watched after a fault.
WATCH_S = 20.0
#: At most this many seconds after a node's death for sign-ins to go on at the other node.
RESUME_S = 60.0


@pytest.fixture
def load(cluster_stack: ClusterStack) -> Iterator[Load]:
    cluster = cluster_stack.cluster
    running = Load(
        cluster.workbench_url, cluster.public_url, cluster_stack.people, think_seconds=0.5, max_seconds=420.0
    ).start()
    time.sleep(WARM_UP_S)
    try:
        yield running
    finally:
        running.stop()


def _finding(events: list[Event], start: float, end: float, **extra: object) -> dict[str, object]:
    tally = Tally.of(events, start, end)
    window = tally.failure_window
    return {
        "requests": tally.total,
        "failed": tally.failed,
        "signed_out": tally.signed_out,
        "sign_ins_ok": tally.sign_ins_ok,
        "sign_ins_failed": tally.sign_ins_failed,
        "failure_window_s": [round(window[0], 1), round(window[1], 1)] if window else None,
        "reasons": tally.reasons(events, start, end),
        **extra,
    }


def _kill_and_watch(stack: ClusterStack, load: Load, index: int) -> dict[str, object]:
    """Kill node ``index``; watch until sign-ins have gone on for 10 s at the other node (at most ``RESUME_S``)."""
    killed_at = load.mark()
    stack.cluster.kill_node(index)
    resumed: float | None = None
    while load.mark() - killed_at < RESUME_S:
        time.sleep(1)
        started_after = [e for e in list(load.events) if e.op == SIGN_IN and e.at > killed_at]
        failed = [e.at for e in started_after if not e.ok]
        ok_after_failures = [e.at for e in started_after if e.ok and (not failed or e.at > max(failed))]
        if resumed is None and ok_after_failures:
            resumed = min(ok_after_failures) - killed_at
        if resumed is not None and load.mark() - killed_at > resumed + 10:
            break
    end = load.mark()
    events = list(load.events)
    browsing = [e for e in events if killed_at <= e.at < end and e.op != SIGN_IN]
    finding = _finding(
        events,
        killed_at,
        end,
        node=index + 1,
        sign_ins_resumed_after_s=round(resumed, 1) if resumed is not None else None,
        page_and_api_failed=sum(1 for e in browsing if not e.ok),
        page_and_api_total=len(browsing),
    )
    record_finding(f"kill -9 keycloak-{index + 1}", finding)
    tally = Tally.of(events, killed_at, end)
    assert tally.signed_out == 0, f"people were signed out when node {index + 1} died: {finding}"
    assert resumed is not None, f"sign-ins did not resume at the other node within {RESUME_S:.0f} s: {finding}"
    assert Tally.of(events, killed_at + resumed + 5, end).failed == 0, (
        f"failures went on after sign-ins resumed: {finding}"
    )
    return finding


def test_kill_9_of_a_keycloak_node_signs_nobody_out_and_sign_ins_go_on_at_the_other(
    cluster_stack: ClusterStack, load: Load
) -> None:
    cluster = cluster_stack.cluster
    for index in range(2):
        try:
            _kill_and_watch(cluster_stack, load, index)
        finally:  # whatever was seen, the node restarts and rejoins: the next tests get a cluster of two
            restarted = time.monotonic()
            cluster.node(index).start()
            cluster.wait_for_members(2)
            record_finding(
                f"keycloak-{index + 1} restarted and rejoined", {"seconds": round(time.monotonic() - restarted, 1)}
            )
            cluster.wait_in_balancer(index)  # the balancer's health checks take it back in


def test_a_rolling_restart_of_both_nodes_signs_nobody_out_and_loses_no_sign_in(
    cluster_stack: ClusterStack, load: Load
) -> None:
    """The upgrade procedure (``devstack/rolling_restart.py``: drain in HAProxy, wait for the node's last request,
    stop, start, rejoin, back in; then the next node) under the load of 20 people: zero failed sign-ins (issue 14)."""
    cluster = cluster_stack.cluster
    started = load.mark()
    steps = rolling_restart(cluster)
    end = load.mark()
    events = list(load.events)
    finding = _finding(events, started, end, seconds=round(end - started, 1), nodes=[asdict(s) for s in steps])
    record_finding("rolling restart", finding)
    tally = Tally.of(events, started, end)
    assert tally.signed_out == 0, finding
    assert tally.sign_ins_ok > 0, finding
    assert tally.sign_ins_failed == 0, finding


def test_kill_9_of_a_workbench_keeps_its_people_signed_in_through_the_other(
    cluster_stack: ClusterStack, load: Load
) -> None:
    cluster = cluster_stack.cluster
    killed_at = load.mark()
    cluster.kill_service("workbench-1")
    time.sleep(WATCH_S / 2)
    end = load.mark()
    events = list(load.events)
    finding = _finding(events, killed_at, end)
    record_finding("kill -9 workbench-1", finding)
    cluster.start_workbench(0, cluster_stack.workbench_env)
    tally = Tally.of(events, killed_at, end)
    assert tally.signed_out == 0, finding
    assert tally.failed <= 5, finding


def test_postgresql_restarted_under_load_keycloak_recovers_by_itself(cluster_stack: ClusterStack, load: Load) -> None:
    restarted_at = load.mark()
    cluster_stack.cluster.postgres.restart()
    down_for = load.mark() - restarted_at
    time.sleep(WATCH_S)
    end = load.mark()
    events = list(load.events)
    finding = _finding(events, restarted_at, end, pg_ctl_restart_s=round(down_for, 1))
    record_finding("PostgreSQL restart", finding)
    assert Tally.of(events, end - 5, end).failed == 0, f"not recovered 15 s after the restart: {finding}"
    assert Tally.of(events, end - 5, end).total > 0


def test_redis_restarted_people_see_no_500_and_the_workbench_recovers_without_a_restart(
    cluster_stack: ClusterStack, load: Load
) -> None:
    cluster = cluster_stack.cluster
    stopped_at = load.mark()
    cluster.runner.stop("redis")
    time.sleep(3)
    cluster.start_redis()
    back_at = load.mark()
    time.sleep(WATCH_S / 2)
    end = load.mark()
    events = list(load.events)
    finding = _finding(events, stopped_at, end, redis_down_s=round(back_at - stopped_at, 1))
    record_finding("Redis restart", finding)
    outage = [e for e in events if stopped_at <= e.at < end and not e.ok]
    assert not [e for e in outage if "500" in e.detail], f"people saw a 500: {finding}"
    assert Tally.of(events, end - 5, end).failed == 0, f"the workbench did not recover by itself: {finding}"
    assert Tally.of(events, stopped_at, end).signed_out == 0, (
        f"sessions were lost (Redis keeps them on disk): {finding}"
    )

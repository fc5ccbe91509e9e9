"""A bounded load of staff using the workbench: sign in through Keycloak's real form, browse, open 工单.

Used by the cluster's fault tests and ``bench/bench_cluster.py``. Each simulated person runs in a
thread with their own cookie jar and repeats: page view (``/``), work orders (``/workorders``: the
workbench relays their access token to the work-order API), and every few rounds a fresh sign-in
in a new browser. Every request is recorded (time, operation, outcome, latency), so a test can say
how many failed and when. Loops stop at ``stop()``, at ``max_seconds`` or after ``max_rounds``:
nothing runs on by itself. Traffic goes only to the URLs given (loopback).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from devstack.form_login import FormLogin, LoginPage, loopback_client

#: Operations recorded.
SIGN_IN, PAGE, WORKORDERS = "sign-in", "page", "workorders"


@dataclass(frozen=True)
class Event:
    at: float  # time.monotonic()
    op: str
    ok: bool
    latency: float
    user: str
    #: ``signed-out`` when a person with a session was sent to sign in again; else a short reason when not ok.
    detail: str = ""


class SignInFailed(Exception):
    """The form flow did not end at the workbench with a session."""


def sign_in(client: httpx.Client, workbench_url: str, keycloak_url: str, username: str, password: str) -> None:
    """The whole staff sign-in: workbench → Keycloak's form → callback → the workbench's home page."""
    flow = FormLogin(client, keycloak_url)
    step = flow.open(f"{workbench_url}/auth/login")
    if not isinstance(step, LoginPage):
        raise SignInFailed(f"expected Keycloak's form, got HTTP {step.status_code}")
    step = flow.submit(username=username, password=password, credentialId="")
    if isinstance(step, LoginPage):
        raise SignInFailed(f"stopped on {step.form_id!r}: {step.error!r}")
    location = step.headers.get("location", "")
    if "/auth/callback" not in location:
        raise SignInFailed(f"Keycloak sent the browser to {location.split('?')[0]!r}")
    done = client.get(location)
    if done.status_code != 303:
        raise SignInFailed(f"callback answered HTTP {done.status_code}")


@dataclass
class Load:
    """``users`` people on ``workbench_url`` whose sign-in page is on ``keycloak_url`` (the public SSO URL)."""

    workbench_url: str
    keycloak_url: str
    users: Sequence[tuple[str, str]]
    think_seconds: float = 0.5
    sign_in_every: int = 4
    max_seconds: float = 600.0
    max_rounds: int = 10_000
    timeout_seconds: float = 15.0
    events: list[Event] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Load:
        self._stop.clear()
        deadline = time.monotonic() + self.max_seconds
        for index, (username, password) in enumerate(self.users):
            thread = threading.Thread(target=self._person, args=(index, username, password, deadline), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> list[Event]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.timeout_seconds * 3)
        self._threads.clear()
        return list(self.events)

    def mark(self) -> float:
        """A point in time to split the events at (before / after a fault)."""
        return time.monotonic()

    # -- one person --------------------------------------------------------------------------------
    def _record(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)

    def _timed_sign_in(self, client: httpx.Client, username: str, password: str) -> bool:
        started = time.monotonic()
        try:
            sign_in(client, self.workbench_url, self.keycloak_url, username, password)
        except Exception as exc:
            self._record(Event(started, SIGN_IN, False, time.monotonic() - started, username, _short(exc)))
            return False
        self._record(Event(started, SIGN_IN, True, time.monotonic() - started, username))
        return True

    def _person(self, index: int, username: str, password: str, deadline: float) -> None:
        # people do not all arrive in the same millisecond
        self._stop.wait(index * self.think_seconds / max(1, len(self.users)))
        client = loopback_client(timeout=self.timeout_seconds, follow_redirects=False)
        signed_in = False
        try:
            for round_no in range(self.max_rounds):
                if self._stop.is_set() or time.monotonic() > deadline:
                    return
                if not signed_in:
                    client.cookies.clear()
                    signed_in = self._timed_sign_in(client, username, password)
                elif round_no % self.sign_in_every == 0:
                    with loopback_client(timeout=self.timeout_seconds) as other_browser:
                        self._timed_sign_in(other_browser, username, password)
                if signed_in:
                    for op, path in ((PAGE, "/"), (WORKORDERS, "/workorders")):
                        signed_in = self._view(client, op, path, username) and signed_in
                self._stop.wait(self.think_seconds)
        finally:
            client.close()

    def _view(self, client: httpx.Client, op: str, path: str, username: str) -> bool:
        """One page; returns whether the person is still signed in."""
        started = time.monotonic()
        try:
            response = client.get(f"{self.workbench_url}{path}")
        except Exception as exc:
            self._record(Event(started, op, False, time.monotonic() - started, username, _short(exc)))
            return True  # unknown: try the session again next round
        latency = time.monotonic() - started
        if response.status_code == 303 and "/auth/login" in response.headers.get("location", ""):
            self._record(Event(started, op, False, latency, username, "signed-out"))
            return False
        unavailable = 'id="workorders-unavailable"' in response.text  # the API refused the token or was unreachable
        ok = response.status_code == 200 and not unavailable
        detail = "" if ok else ("work-order API unavailable" if unavailable else f"HTTP {response.status_code}")
        self._record(Event(started, op, ok, latency, username, detail))
        return True


def _short(exc: BaseException) -> str:
    """Type and gist of a failure; for a page without a form, the page's words (HAProxy's 503, an error page)."""
    text = str(exc)
    if "no form on the page" in text and ":\n" in text:
        words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text.split(":\n", 1)[1])).strip()
        return f"no form: {words[:100]}"
    return f"{type(exc).__name__}: {text[:120]}"


@dataclass(frozen=True)
class Tally:
    """What a window of events amounts to."""

    total: int
    failed: int
    signed_out: int
    sign_ins_ok: int
    sign_ins_failed: int
    #: first and last failure, seconds after the window's start (None when nothing failed)
    failure_window: tuple[float, float] | None

    @classmethod
    def of(cls, events: Sequence[Event], start: float, end: float = float("inf")) -> Tally:
        window = [e for e in events if start <= e.at < end]
        failures = sorted(e.at for e in window if not e.ok)
        return cls(
            total=len(window),
            failed=len(failures),
            signed_out=sum(1 for e in window if e.detail == "signed-out"),
            sign_ins_ok=sum(1 for e in window if e.op == SIGN_IN and e.ok),
            sign_ins_failed=sum(1 for e in window if e.op == SIGN_IN and not e.ok),
            failure_window=(failures[0] - start, failures[-1] - start) if failures else None,
        )

    def reasons(self, events: Sequence[Event], start: float, end: float = float("inf")) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in events:
            if start <= e.at < end and not e.ok:
                key = f"{e.op}: {e.detail[:100]}"
                counts[key] = counts.get(key, 0) + 1
        return counts

"""Help-desk lookup at 10,000 staff: 工号, mobile (as typed), part of a Chinese name, email.

Run: ``.venv/bin/python -m bench.bench_helpdesk`` (10,000 staff) or ``--staff 1000``. It starts its own Keycloak
(local distribution, H2) unless ``--keycloak-url`` is given, loads the roster the way ``bench.bench_provision``
does (generated roster → plan → apply as master admin), then times, per query kind, the median and worst of
``--tries`` lookups through the help desk (``sso.workbench.helpdesk.lookup.find``: helpdesk service account,
classification, summaries) beside the same query sent straight to Keycloak's admin API with a master-admin token.
Also the person page's reads (``person.report``). Figures come with the load average: the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.bench_provision import apply_roster, keycloak, new_realm_settings
from bench.roster_generator import generate, write_yaml
from devstack.keycloak_server import KeycloakEndpoint
from provisioning.realm_import import master_admin
from provisioning.realm_template import RealmSettings
from provisioning.validation import load_desired
from sso import catalog
from sso.workbench.helpdesk import lookup, person
from sso.workbench.helpdesk.keycloak_api import KeycloakAdminApi
from sso.workbench.helpdesk.settings import HELPDESK_CLIENT_ID


def _as_typed(phone: str) -> str:
    """+8613912345678 → "139 1234 5678", as someone reads it off a phone."""
    national = phone.removeprefix("+86")
    return f"{national[:3]} {national[3:7]} {national[7:]}"


def _params(kind: lookup.QueryKind, value: str) -> dict[str, str]:
    """The one Keycloak query the help desk sends for a kind (what a script would send by hand)."""
    if kind is lookup.QueryKind.EMAIL:
        return {"email": value, "exact": "true"}
    if kind is lookup.QueryKind.MOBILE:
        return {"q": f"{catalog.PHONE_ATTRIBUTE}:{value}"}
    if kind is lookup.QueryKind.EMPLOYEE_NO:
        return {"username": value, "exact": "true"}
    return {"q": f"{catalog.DISPLAY_NAME_ATTRIBUTE}:{value}", "exact": "false"}


async def _time(call: Callable[[], Awaitable[Any]], tries: int) -> tuple[float, float]:
    seconds = []
    for _ in range(tries):
        started = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), max(seconds)


async def measure(
    endpoint: KeycloakEndpoint, settings: RealmSettings, samples: dict[str, list[str]], tries: int, user_id: str
) -> list[tuple[str, str, str, str]]:
    rows = []
    async with httpx.AsyncClient(timeout=60) as http:
        api = KeycloakAdminApi(
            f"{endpoint.base_url}/realms/{settings.realm}", HELPDESK_CLIENT_ID, settings.helpdesk_client_secret, http
        )
        token = (
            await http.post(
                f"{endpoint.base_url}/realms/master/protocol/openid-connect/token",
                data={
                    "grant_type": "password",
                    "client_id": "admin-cli",
                    "username": endpoint.admin_username,
                    "password": endpoint.admin_password,
                },
            )
        ).json()["access_token"]
        users_url = f"{endpoint.base_url}/admin/realms/{settings.realm}/users"
        await lookup.find(api, samples["employee no."][0])  # warm the token and Keycloak's caches
        for label, texts in samples.items():
            cycle = iter(texts * tries)
            found = [len((await lookup.find(api, t))[1]) for t in texts]
            ours = await _time(lambda: lookup.find(api, next(cycle)), tries)  # noqa: B023 (awaited within this iteration)
            cycle2 = iter(texts * tries)

            async def direct() -> None:
                kind, value = lookup.classify(next(cycle2))  # noqa: B023 (awaited within this iteration)
                response = await http.get(
                    users_url,
                    params={**_params(kind, value), "max": "20", "briefRepresentation": "false"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                response.raise_for_status()

            straight = await _time(direct, tries)
            rows.append(
                (
                    f"lookup by {label} (found {min(found)}–{max(found)})",
                    f"median {ours[0] * 1000:.0f} ms, worst {ours[1] * 1000:.0f} ms",
                    f"median {straight[0] * 1000:.0f} ms, worst {straight[1] * 1000:.0f} ms",
                    f"{ours[0] / straight[0]:.2f}×",
                )
            )
            print(rows[-1], flush=True)
        page = await _time(lambda: person.report(api, user_id, None, None), tries)
        rows.append(
            (
                "person page reads (10 calls in parallel)",
                f"median {page[0] * 1000:.0f} ms, worst {page[1] * 1000:.0f} ms",
                "",
                "",
            )
        )
        print(rows[-1], flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=10_000)
    parser.add_argument("--tries", type=int, default=20)
    parser.add_argument("--keycloak-url", help="use this Keycloak (KEYCLOAK_ADMIN_USERNAME/PASSWORD)")
    args = parser.parse_args(argv)
    rng = random.Random(13)
    with tempfile.TemporaryDirectory(prefix="bench-helpdesk-") as folder, keycloak(args.keycloak_url) as endpoint:
        work = Path(folder)
        company = generate(args.staff, sites=max(2, args.staff // 250), tenant="bench", company="基准物业")
        write_yaml(company, work / "roster.yaml")
        desired = load_desired(work / "roster.yaml")
        settings = new_realm_settings(endpoint, "desk")
        apply_s, _, _ = apply_roster(endpoint, settings.realm, desired, work)
        print(f"loaded {args.staff} staff in {apply_s:.0f} s", flush=True)
        people = rng.sample(sorted(desired.users.values(), key=lambda u: u.username), 10)
        samples = {
            "employee no.": [p.employee_no for p in people],
            "mobile as typed": [_as_typed(p.phone) for p in people],
            "part of a Chinese name": [p.display_name[-2:] for p in people],
            "email": [p.email for p in people if p.email] or [people[0].username + "@nowhere.example"],
        }
        admin = master_admin(endpoint.base_url, endpoint.admin_username, endpoint.admin_password)
        admin.change_current_realm(settings.realm)
        user_id = str(admin.get_user_id(people[0].username))
        rows = asyncio.run(measure(endpoint, settings, samples, args.tries, user_id))
    load = os.getloadavg()
    print(
        f"\nwuye-sso help desk, {args.staff} staff, {os.cpu_count()} cores, load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    )
    print(f"{'figure':48} | {'help desk (service account)':36} | {'straight admin API (master admin)':36} | ratio")
    for row in rows:
        print(f"{row[0]:48} | {row[1]:36} | {row[2]:36} | {row[3]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

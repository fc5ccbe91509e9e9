"""Validate a raw roster into a ``DesiredState``, reporting every problem at once with its location.

Nothing is applied when any problem exists, so a half-right file never half-applies.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from provisioning.desired import DesiredState, DesiredUser, split_name
from provisioning.phone import normalise_mobile
from provisioning.roster import Cell, Location, Problem, RawPerson, RawRoster, RosterError
from provisioning.roster_csv import read_csv
from provisioning.roster_fields import FIELD_LABELS, REQUIRED_FIELDS, STATUS_VALUES, split_list
from provisioning.roster_xlsx import read_xlsx
from provisioning.roster_yaml import read_yaml
from provisioning.user_profile import UserProfile
from sso import catalog

_TENANT = re.compile(r"^[a-z][a-z0-9-]{1,35}$")
_SITE_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_EMPLOYEE_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})日?$")
#: Unicode categories never wanted in a roster value: invisible format characters (zero-width space,
#: BOM, bidi controls), controls, private use, line and paragraph separators.
_INVISIBLE = frozenset({"Cf", "Cc", "Co", "Cs", "Zl", "Zp"})
_BOOLEANS = {"true": True, "yes": True, "是": True, "1": True, "false": False, "no": False, "否": False, "0": False}


def read_roster(path: Path) -> RawRoster:
    """Pick the reader by extension."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return read_yaml(path)
    if suffix == ".csv":
        return read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    return RawRoster(
        file=str(path), problems=[Problem(Location(str(path)), "unknown roster format (use .yaml, .csv or .xlsx)")]
    )


def load_desired(
    path: Path, tenant: str | None = None, today: dt.date | None = None, profile: UserProfile | None = None
) -> DesiredState:
    """Read and validate (against ``profile``, the realm's user-profile rules, or the template's); raises
    ``RosterError`` with every problem found."""
    return validate(read_roster(path), tenant=tenant, today=today, profile=profile)


def _label_index() -> tuple[dict[str, str], dict[str, str]]:
    def index(items: dict[str, catalog.Rank] | dict[str, catalog.Department]) -> dict[str, str]:
        table: dict[str, str] = {}
        for key, item in items.items():
            for spelling in (key, item.label.zh, item.label.en):
                table[spelling.strip().lower()] = key
        return table

    return index(catalog.RANKS), index(catalog.DEPARTMENTS)


_RANKS, _DEPARTMENTS = _label_index()


def validate(
    raw: RawRoster, tenant: str | None = None, today: dt.date | None = None, profile: UserProfile | None = None
) -> DesiredState:
    problems = list(raw.problems)
    today = today or dt.date.today()
    profile = profile or UserProfile.of_template()
    file_at = Location(raw.file)

    tenant_value = tenant or (raw.tenant.text() if raw.tenant else "")
    tenant_at = raw.tenant.location if raw.tenant else file_at
    if not tenant_value:
        problems.append(
            Problem(tenant_at, "no tenant (租户): add `tenant: <realm>` (YAML) or a `# tenant: <realm>` line")
        )
    elif not _TENANT.match(tenant_value):
        problems.append(
            Problem(tenant_at, f"tenant {tenant_value!r} is not a realm name (lower-case letters, digits, '-')")
        )
    company = raw.company.text() if raw.company else ""
    if not company:
        problems.append(Problem(raw.company.location if raw.company else file_at, "no company name (公司)"))

    email_verified = True
    if raw.email_verified is not None and raw.email_verified.text():
        flag = _BOOLEANS.get(raw.email_verified.text().lower())
        if flag is None:
            problems.append(
                Problem(
                    raw.email_verified.location,
                    f"email_verified {raw.email_verified.text()!r} is neither true nor false",
                )
            )
        email_verified = bool(flag) if flag is not None else True

    sites: dict[str, str] = {}
    site_by_name: dict[str, str] = {}
    for site in raw.sites:
        code, name = site.code.text(), site.name.text()
        if not code or not _SITE_CODE.match(code):
            problems.append(
                Problem(site.location, f"site code {code!r} must be lower-case letters, digits, '-' or '_'")
            )
            continue
        if code in sites:
            problems.append(Problem(site.location, f"site {code!r} declared twice"))
            continue
        if not name:
            problems.append(Problem(site.location, f"site {code!r} has no name"))
        sites[code] = name or code
        site_by_name[(name or code).lower()] = code
        site_by_name[code] = code

    users: dict[str, DesiredUser] = {}
    not_started: set[str] = set()
    first_seen: dict[tuple[str, str], Location] = {}
    for person in raw.people:
        user = _person(person, sites, site_by_name, problems, first_seen, today, profile)
        if user is None:
            continue
        desired, started = user
        users[desired.username] = desired
        if not started:
            not_started.add(desired.username)
    for entry in users.values():
        if entry.previous_username and entry.previous_username in users:
            problems.append(
                Problem(
                    first_seen[("previous_employee_no", entry.previous_username)],
                    f"原工号 {entry.previous_username!r} is still the employee number of "
                    f"{users[entry.previous_username].source}: one person, one account",
                )
            )
    if not raw.people and not raw.problems:
        problems.append(Problem(file_at, "the roster lists nobody"))
    if problems:
        raise RosterError(problems)
    return DesiredState(
        tenant=tenant_value,
        company_name=company,
        sites=sites,
        users={u: d for u, d in users.items() if u not in not_started},
        not_started=frozenset(not_started),
        email_verified=email_verified,
    )


@dataclass
class _Row:
    """One roster row being validated: its cells, and the problems found in it (each naming its cell)."""

    person: RawPerson
    problems: list[Problem]

    def cell(self, name: str) -> Cell:
        return self.person.get(name) or Cell(None, self.person.location)

    def text(self, name: str) -> str:
        return self.cell(name).text()

    def bad(self, name: str, message: str) -> None:
        at = self.cell(name).location
        self.problems.append(Problem(at, message if at.column else f"{FIELD_LABELS[name]}: {message}"))


def _person(
    person: RawPerson,
    sites: dict[str, str],
    site_by_name: dict[str, str],
    problems: list[Problem],
    first_seen: dict[tuple[str, str], Location],
    today: dt.date,
    profile: UserProfile,
) -> tuple[DesiredUser, bool] | None:
    """One row: each field through its own validator, then what spans fields (uniqueness, Keycloak's rules)."""
    count = len(problems)
    row = _Row(person, problems)
    _present_and_visible(row)
    if len(problems) > count:
        return None
    employee_no = _employee_no(row.text("employee_no"), "employee_no", row.bad)
    previous_no = _previous_employee_no(row, employee_no)
    name = row.text("name")
    phone = _mobile(row)
    email = _email(row)
    rank = _rank(row)
    departments = _departments(row)
    person_sites = _sites(row, site_by_name)
    status = _status(row)
    start, end = _dates(row)
    username, previous_username = employee_no.lower(), previous_no.lower() or None
    _unique(row, first_seen, employee_no=username, email=email, mobile=phone, previous_employee_no=previous_username)
    family, given = split_name(name)
    family = row.text("family_name") or family
    given = row.text("given_name") or given
    _profile_rules(
        profile,
        row.bad,
        username=username,
        email=email or "",
        family=family,
        given=given,
        name=name,
        own_family=person.get("family_name") is not None,
        own_given=person.get("given_name") is not None,
    )
    if len(problems) > count or not (username and phone and rank and name):
        return None
    active = status == "active" and not (end is not None and end < today)
    started = start is None or start <= today
    return (
        DesiredUser(
            username=username,
            employee_no=employee_no,
            display_name=name,
            first_name=given,
            last_name=family,
            email=email,
            phone=phone,
            rank=rank,
            departments=frozenset(departments),
            sites=frozenset(person_sites),
            active=active,
            source=str(person.location),
            previous_username=previous_username,
        ),
        started,
    )


def _present_and_visible(row: _Row) -> None:
    for required in REQUIRED_FIELDS:
        if not row.text(required):
            row.bad(required, "missing")
    for key, given_cell in row.person.cells.items():
        hidden = _invisible(given_cell.text())
        if hidden:
            row.bad(key, f"holds an invisible character {hidden} (pasted from a web page or chat?): retype the value")


def _previous_employee_no(row: _Row, employee_no: str) -> str:
    previous_no = _employee_no(row.text("previous_employee_no"), "previous_employee_no", row.bad)
    if previous_no and previous_no.lower() == employee_no.lower():
        row.bad("previous_employee_no", f"{previous_no!r} is the employee number itself")
        return ""
    return previous_no


def _mobile(row: _Row) -> str | None:
    raw = row.text("mobile")
    phone = normalise_mobile(raw) if raw else None
    if raw and phone is None:
        row.bad("mobile", f"{raw!r} is not a mainland mobile number (11 digits starting 13-19, optional +86)")
    return phone


def _email(row: _Row) -> str | None:
    email = row.text("email").lower() or None
    if email and not _EMAIL.match(email):
        row.bad("email", f"{email!r} is not an e-mail address")
    return email


def _rank(row: _Row) -> str | None:
    text = row.text("rank")
    rank = _RANKS.get(text.lower()) if text else None
    if text and rank is None:
        row.bad(
            "rank",
            f"unknown rank {text!r} (one of {', '.join(f'{r.id}/{r.label.zh}' for r in catalog.RANKS.values())})",
        )
    return rank


def _departments(row: _Row) -> set[str]:
    found: set[str] = set()
    for text in _items(row.cell("departments")):
        department = _DEPARTMENTS.get(text.lower())
        if department is None:
            row.bad(
                "departments",
                f"unknown department {text!r} (one of "
                f"{', '.join(f'{d.id}/{d.label.zh}' for d in catalog.DEPARTMENTS.values())})",
            )
        else:
            found.add(department)
    return found


def _sites(row: _Row, site_by_name: dict[str, str]) -> set[str]:
    found: set[str] = set()
    for text in _items(row.cell("sites")):
        code = site_by_name.get(text.lower())
        if code is None:
            row.bad("sites", f"unknown site {text!r}: declare it under sites (code and name)")
        else:
            found.add(code)
    return found


def _status(row: _Row) -> str | None:
    text = row.text("status")
    status = STATUS_VALUES.get(text.lower(), None) if text else "active"
    if status is None:
        row.bad("status", f"{text!r} is neither active/在职 nor leaving/离职")
    return status


def _dates(row: _Row) -> tuple[dt.date | None, dt.date | None]:
    start = _date(row.cell("start_date"), "start_date", row.bad)
    end = _date(row.cell("end_date"), "end_date", row.bad)
    if start and end and end < start:
        row.bad("end_date", f"{end} is before the start date {start}")
    return start, end


_UNIQUE_LABELS = {
    "employee_no": "employee number",
    "email": "e-mail",
    "mobile": "mobile",
    "previous_employee_no": "previous employee number",
}


def _unique(row: _Row, first_seen: dict[tuple[str, str], Location], **values: str | None) -> None:
    """Employee numbers (after NFKC and lower-casing), e-mails, mobiles and 原工号 appear once in a roster."""
    for key, value in values.items():
        if not value:
            continue
        seen = first_seen.get((key, value))
        if seen is not None:
            row.bad(key, f"duplicate {_UNIQUE_LABELS[key]} {value!r}, first used at {seen}")
        else:
            first_seen[(key, value)] = row.cell(key).location


def _profile_rules(
    profile: UserProfile,
    bad: Callable[[str, str], None],
    *,
    username: str,
    email: str,
    family: str,
    given: str,
    name: str,
    own_family: bool,
    own_given: bool,
) -> None:
    """Keycloak's rules for each attribute, reported once per roster cell (姓名 feeds both name parts)."""
    found: dict[tuple[str, str], list[str]] = {}
    shown: dict[str, str] = {}
    for attribute, value, key in (
        ("username", username, "employee_no"),
        ("email", email, "email"),
        ("lastName", family, "family_name" if own_family else "name"),
        ("firstName", given, "given_name" if own_given else "name"),
    ):
        shown.setdefault(key, name if key == "name" else value)
        for message in profile.problems(attribute, value):
            found.setdefault((key, message), []).append(attribute)
    for (key, message), attributes in found.items():
        bad(key, f"{shown[key]!r} {message} (Keycloak's rule for {' and '.join(attributes)}, from {profile.source})")


def _invisible(text: str) -> str:
    """The first invisible character in ``text``, as ``U+200B ZERO WIDTH SPACE``; empty when none."""
    for char in text:
        if unicodedata.category(char) in _INVISIBLE:
            return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}"
    return ""


def _employee_no(text: str, key: str, bad: Callable[[str, str], None]) -> str:
    """工号 as typed with any input method: NFKC folds full-width ``Ｅ００１６`` to ``E0016``."""
    value = unicodedata.normalize("NFKC", text).strip()
    if value and not _EMPLOYEE_NO.match(value):
        bad(key, f"{text!r} may hold only letters, digits, '.', '_' and '-'")
        return ""
    return value


def _items(cell: Cell) -> list[str]:
    if isinstance(cell.value, list):
        return [v.strip() for v in cell.value if v.strip()]
    return split_list(cell.text())


def _date(cell: Cell, name: str, bad: Callable[[str, str], None]) -> dt.date | None:
    text = cell.text()
    if not text:
        return None
    match = _DATE.match(unicodedata.normalize("NFKC", text).split("T")[0].split(" ")[0])
    try:
        if match:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        pass
    bad(name, f"{text!r} is not a date (2017-03-03, 2017/3/3, 2017.3.3 or 2017年3月3日)")
    return None

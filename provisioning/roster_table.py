"""Turn table rows (CSV or XLSX) into a ``RawRoster``: settings lines, one header row, staff rows.

Both formats share the layout: optional ``# tenant: lvcheng``, ``# company: 绿城物业`` and
``# site: lvyuan 绿园`` rows above the header, a header with English or Chinese column names, then one
row per person. Empty rows are skipped; unknown columns (HR's 备注) are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from provisioning.roster import Cell, Location, Problem, RawPerson, RawRoster, RawSite
from provisioning.roster_fields import FIELD_LABELS, REQUIRED_FIELDS, canonical_field, canonical_setting

_SITE = re.compile(r"^\s*(?P<code>[^\s:：=]+)\s*[:：=]?\s*(?P<name>.*)$")


def rows_to_roster(file: str, rows: Iterable[tuple[int, list[str]]]) -> RawRoster:
    """``rows`` are (row number as the user sees it, cell texts)."""
    roster = RawRoster(file=file)
    header: list[str | None] | None = None
    for number, cells in rows:
        texts = [c.strip() for c in cells]
        if not any(texts):
            continue
        if header is None and texts[0].startswith("#"):
            _setting(file, number, " ".join(t for t in texts if t).lstrip("#").strip(), roster)
            continue
        if header is None:
            header = _header(file, number, texts, roster)
            continue
        person = RawPerson(location=Location(file, row=number))
        for column, text in zip(header, texts, strict=False):
            if column is not None and text:
                person.cells[column] = Cell(text, Location(file, row=number, column=FIELD_LABELS[column]))
        roster.people.append(person)
    if header is None:
        roster.problems.append(
            Problem(Location(file), "no header row (工号, 姓名, 手机号, 邮箱, 部门, 职级, 项目, 状态)")
        )
    return roster


def _header(file: str, number: int, texts: list[str], roster: RawRoster) -> list[str | None]:
    columns: list[str | None] = []
    seen: set[str] = set()
    for text in texts:
        name = canonical_field(text) if text else None
        if name is not None and name in seen:
            roster.problems.append(Problem(Location(file, row=number, column=text), f"column {text!r} appears twice"))
            name = None
        if name is not None:
            seen.add(name)
        columns.append(name)
    for required in REQUIRED_FIELDS:
        if required not in seen:
            roster.problems.append(
                Problem(Location(file, row=number), f"header has no column {FIELD_LABELS[required]}")
            )
    return columns


def _setting(file: str, number: int, text: str, roster: RawRoster) -> None:
    at = Location(file, row=number)
    key, sep, value = re.split(r"([:：])", text, maxsplit=1) if re.search(r"[:：]", text) else (text, "", "")
    name = canonical_setting(key)
    value = value.strip()
    if not sep or name is None:  # a plain comment line
        return
    if name == "tenant":
        roster.tenant = Cell(value or None, at)
    elif name == "company":
        roster.company = Cell(value or None, at)
    elif name == "email_verified":
        roster.email_verified = Cell(value or None, at)
    elif name == "site":
        match = _SITE.match(value)
        code = match.group("code") if match else ""
        site_name = match.group("name").strip() if match else ""
        roster.sites.append(RawSite(Cell(code or None, at), Cell(site_name or None, at), at))

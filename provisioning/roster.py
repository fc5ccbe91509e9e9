"""The roster as read from a file, before validation: every value keeps where it came from.

Readers (``roster_yaml``, ``roster_csv``, ``roster_xlsx``) produce a ``RawRoster`` of strings with
locations, so validation can name the file and the line (YAML) or row (CSV/XLSX) of every problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    """Where a value sits: ``roster.yaml:12`` or ``roster.csv: row 7, column 手机号``."""

    file: str
    line: int | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            where = f"{self.file}:{self.line}"
        elif self.row is not None:
            where = f"{self.file}: row {self.row}"
        else:
            where = self.file
        return f"{where}, column {self.column}" if self.column and self.row is not None else where


@dataclass(frozen=True)
class Cell:
    """One value from the file: text, a list of texts, or ``None`` when empty."""

    value: str | list[str] | None
    location: Location

    def text(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, list):
            return ",".join(self.value)
        return self.value.strip()


@dataclass(frozen=True)
class Problem:
    """A reason not to apply a roster, located in its file."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class RawPerson:
    """One staff row: canonical field name → cell (only fields present in the file)."""

    location: Location
    cells: dict[str, Cell] = field(default_factory=dict)

    def get(self, name: str) -> Cell | None:
        return self.cells.get(name)


@dataclass(frozen=True)
class RawSite:
    code: Cell
    name: Cell
    location: Location


@dataclass
class RawRoster:
    """What a reader found; ``problems`` holds what it could not even read (syntax, headers)."""

    file: str
    tenant: Cell | None = None
    company: Cell | None = None
    #: ``email_verified: false`` for rosters holding personal addresses (HR's company e-mails are trusted)
    email_verified: Cell | None = None
    sites: list[RawSite] = field(default_factory=list)
    people: list[RawPerson] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class RosterError(Exception):
    """A roster with problems: carries all of them, so one run reports everything."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

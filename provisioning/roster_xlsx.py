"""Read an XLSX roster: the first sheet (or one named staff/员工), same layout as the CSV form."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from provisioning.roster import Location, Problem, RawRoster
from provisioning.roster_table import rows_to_roster

_SHEET_NAMES = ("staff", "员工", "花名册")


def read_xlsx(path: Path) -> RawRoster:
    file = str(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError) as exc:
        return RawRoster(file=file, problems=[Problem(Location(file), f"not a readable XLSX workbook: {exc}")])
    try:
        sheet = next(
            (book[name] for name in book.sheetnames if name.strip().lower() in _SHEET_NAMES), book.worksheets[0]
        )
        rows = [
            (number, [_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()
    return rows_to_roster(file, rows)


def _text(value: Any) -> str:
    """Excel stores mobiles as numbers and dates as dates: give back what HR typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)

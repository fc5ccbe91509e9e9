"""Read a CSV roster exported from HR (UTF-8 with or without BOM, or GB18030 as Chinese Excel writes it)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from provisioning.roster import Location, Problem, RawRoster
from provisioning.roster_table import rows_to_roster


def read_csv(path: Path) -> RawRoster:
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return RawRoster(file=file, problems=[Problem(Location(file), f"cannot be read: {exc.strerror}")])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        return RawRoster(file=file, problems=[Problem(Location(file), "neither UTF-8 nor GB18030 text")])
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        return RawRoster(file=file, problems=[Problem(Location(file, row=reader.line_num), f"not valid CSV: {exc}")])
    return rows_to_roster(file, rows)

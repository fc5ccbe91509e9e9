"""CSV that IT can open in Excel or WPS without running anything: the one place every CSV we write goes through.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by spreadsheet programs as a
formula (OWASP "CSV injection"): a roster name ``=HYPERLINK(...)`` would become a live link in the credentials file.
Such cells get a leading apostrophe, which spreadsheets show as text and never evaluate.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(cell: object) -> str:
    """The cell as text, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence[object]], header: Sequence[str] | None = None) -> str:
    """Rows (and an optional header) as CSV text, every cell made formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:
        writer.writerow([formula_safe(name) for name in header])
    writer.writerows([formula_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()

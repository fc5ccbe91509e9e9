"""Every CSV we write is safe to open in a spreadsheet: no cell becomes a formula."""

from __future__ import annotations

import csv
import io

from sso.csv_safe import csv_text, formula_safe


def test_a_name_written_as_a_formula_stays_text_in_excel() -> None:
    for hostile in ('=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"):
        assert formula_safe(hostile) == "'" + hostile


def test_ordinary_names_and_numbers_are_written_as_they_are() -> None:
    for plain in ("王小明", "E0001", "+", "", "13800138000", "a=b"):
        expected = "'+" if plain == "+" else plain
        assert formula_safe(plain) == expected


def test_csv_text_escapes_every_cell_and_the_header() -> None:
    text = csv_text([("e0001", "=cmd|' /C calc'!A0")], header=("username", "display_name"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["username", "display_name"], ["e0001", "'=cmd|' /C calc'!A0"]]

"""Files downloaded in tests, read back with the standard library: an XLSX sheet (its XML,
unzipped; openpyxl is not installed) and a CSV."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from xml.etree import ElementTree  # the files are our own, written by the code under test

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
EPOCH = date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug folded in)
BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 14: "mm-dd-yy"}


@dataclass(frozen=True)
class Cell:
    """A cell as a spreadsheet reads it: its value (a str, a number, or a ``date`` when its
    number format is a date's), whether it was stored as a number, and its number format."""

    value: Any
    numeric: bool
    format: str
    bold: bool


def _column_index(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)[0]  # type: ignore[index]
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _styles(archive: zipfile.ZipFile) -> list[tuple[str, bool]]:
    root = ElementTree.fromstring(  # noqa: S314
        archive.read("xl/styles.xml")
    )
    custom = {
        int(f.get("numFmtId")): f.get("formatCode") for f in root.iterfind("m:numFmts/m:numFmt", NS)
    }
    fonts = [f.find("m:b", NS) is not None for f in root.iterfind("m:fonts/m:font", NS)]
    styles = []
    for xf in root.iterfind("m:cellXfs/m:xf", NS):
        fmt_id = int(xf.get("numFmtId", "0"))
        styles.append(
            (
                custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, "General")),
                fonts[int(xf.get("fontId", "0"))],
            )
        )
    return styles


def _is_date_format(code: str) -> bool:
    return bool(re.search(r"[dy]", code.lower())) and "#" not in code


def read_xlsx_cells(data: bytes) -> list[list[Cell | None]]:
    """The first sheet's rows (empty rows included, as ``[]``), each a list of cells."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    shared: list[str] = []
    if "xl/sharedStrings.xml" in archive.namelist():
        root = ElementTree.fromstring(  # noqa: S314
            archive.read("xl/sharedStrings.xml")
        )
        shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root]
    styles = _styles(archive)
    sheet = ElementTree.fromstring(  # noqa: S314
        archive.read("xl/worksheets/sheet1.xml")
    )
    rows: list[list[Cell | None]] = []
    for row in sheet.iterfind("m:sheetData/m:row", NS):
        number = int(row.get("r"))
        while len(rows) < number - 1:
            rows.append([])
        cells: list[Cell | None] = []
        for c in row.iterfind("m:c", NS):
            index = _column_index(c.get("r"))
            while len(cells) < index:
                cells.append(None)
            code, bold = styles[int(c.get("s", "0"))]
            kind = c.get("t", "n")
            if kind == "inlineStr":
                value: Any = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
            elif kind == "s":
                value = shared[int(c.find("m:v", NS).text)]
            elif kind in ("str", "e"):
                value = c.find("m:v", NS).text
            else:
                raw = c.find("m:v", NS).text
                number_value = float(raw)
                if _is_date_format(code):
                    value = EPOCH + timedelta(days=number_value)
                else:
                    value = int(number_value) if number_value.is_integer() else number_value
            formula = c.find("m:f", NS) is not None
            assert not formula, f"cell {c.get('r')} holds a formula"
            cells.append(Cell(value, kind == "n", code, bold))
        rows.append(cells)
    return rows


def read_xlsx(data: bytes) -> list[list[Any]]:
    """The first sheet's values, row by row (a date-formatted number read as a ``date``)."""
    return [[cell.value if cell else None for cell in row] for row in read_xlsx_cells(data)]


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body_of(response).decode())))


def table_part(rows: list[list[Any]]) -> tuple[list[list[Any]], list[Any], list[list[Any]]]:
    """A file's (heading rows, column labels, data rows): the heading ends at the blank row."""
    blank = next(i for i, row in enumerate(rows) if not row)
    return rows[:blank], rows[blank + 1], rows[blank + 2 :]


def page_headers(response) -> list[str]:
    """The column headings of the page's first table (a visually hidden heading, such as an
    Actions column's, is no column of the data)."""
    import html

    body = response.content.decode()
    head = re.search(r"<thead>(.*?)</thead>", body, re.S)[1]  # type: ignore[index]
    cells = re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)
    return [
        html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in cells
        if "visually-hidden" not in cell
    ]


def export_queries(client, url, params=None) -> tuple[int, list[list[Any]]]:
    """The number of SQL queries a whole download takes (its body read), and its data rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(body_of(response).decode())))
    return len(queries), table_part(rows)[2]

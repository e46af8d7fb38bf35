"""A table downloaded as a file: CSV (streamed) or XLSX (XlsxWriter, constant memory).

One entry point, ``table_download``, for every list page and every report (issue 10 §4):
the file holds the page's columns and rows (``core.tables.Table``), headed by what it is
and the filters it was read with (``heading``), and is named after them (``slug``).

- First rows: the heading pairs (``Report``, ``As of``, each filter set), a blank row, the
  column labels, the rows, and a ``Total`` row when the table has totals.
- Numbers are numbers: money with 2 decimals, counts whole, percents with 1 decimal (the
  number as the page shows it, ``12.5``, with "%" in the column's heading: the XLSX format
  is ``0.0``, not Excel's percent format, so the CSV and the XLSX cells hold the same
  number). Dates are dates (ISO in CSV), a period is ``YYYY-MM`` in CSV and the first day of
  its month formatted ``yyyy-mm`` in XLSX.
- Text never runs as a formula: CSV text cells go through ``csv_text``; XLSX text cells are
  written with ``write_string``.
- Memory stays flat at national scale: the CSV streams line by line; the XLSX is written
  row by row in XlsxWriter's ``constant_memory`` mode to a temporary file, then streamed.
  Rows are read inside ``without_statement_timeout`` (a national export takes seconds).
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone

from core.calendar import Period
from core.money import quantize_money
from core.tables import Column, Kind, Table

from .downloads import csv_text, without_statement_timeout

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# XLSX number formats by kind (text has none).
NUMBER_FORMATS: dict[Kind, str] = {
    Kind.MONEY: "#,##0.00",
    Kind.COUNT: "#,##0",
    Kind.DECIMAL: "#,##0.00",
    Kind.PERCENT: "0.0",
    Kind.DATE: "yyyy-mm-dd",
    Kind.PERIOD: "yyyy-mm",
}
# Column widths (characters) by kind; a longer heading widens its column.
WIDTHS: dict[Kind, int] = {
    Kind.TEXT: 24,
    Kind.COUNT: 10,
    Kind.MONEY: 16,
    Kind.DECIMAL: 12,
    Kind.PERCENT: 10,
    Kind.DATE: 12,
    Kind.PERIOD: 10,
}
MAX_WIDTH = 50


def heading_label(column: Column) -> str:
    """The column's heading in a file: a percent column says "%" (its cells are 12.5)."""
    if column.kind is Kind.PERCENT and "%" not in column.label:
        return f"{column.label} (%)"
    return column.label


def csv_cell(kind: Kind, value: Any) -> str:
    """One CSV cell: plain numbers (money 2 dp, percent 1 dp), ISO dates, ``YYYY-MM``
    periods, and text a spreadsheet cannot run (``csv_text``)."""
    if value is None:
        return ""
    if kind is Kind.MONEY:
        return f"{quantize_money(Decimal(value)):.2f}"
    if kind is Kind.COUNT:
        return str(int(value))
    if kind is Kind.PERCENT:
        return f"{Decimal(value):.1f}"
    if kind is Kind.DECIMAL:
        return str(Decimal(value))
    if kind is Kind.DATE:
        return _as_date(value).isoformat()
    if kind is Kind.PERIOD:
        return f"{_period_start(value):%Y-%m}"
    return csv_text(value)


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _period_start(value: Period | date) -> date:
    return value.first if isinstance(value, Period) else date(value.year, value.month, 1)


def _total_cells(table: Table) -> list[Any] | None:
    """The totals row's cells, "Total" in the first column when it holds no figure."""
    if table.totals is None:
        return None
    cells = table.cells(table.totals)
    if cells and cells[0] in (None, ""):
        cells[0] = "Total"
    return cells


def file_name(name: str, slug: str, fmt: Format) -> str:
    """``<name>_<slug>.<ext>``, reduced to characters safe in a Content-Disposition."""
    stem = f"{name}_{slug}" if slug else name
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem) + f".{fmt}"


def table_download(
    table: Table,
    *,
    name: str,
    fmt: Format,
    heading: Sequence[tuple[str, str]],
    slug: str,
) -> HttpResponseBase:
    """The table as a CSV or XLSX attachment ``<name>_<slug>.<ext>`` (see the module)."""
    filename = file_name(name, slug, fmt)
    if fmt == "csv":
        response: HttpResponseBase = _csv_response(_csv_lines(table, heading), filename)
    elif fmt == "xlsx":
        response = FileResponse(
            _xlsx_file(table, heading),
            as_attachment=True,
            filename=filename,
            content_type=XLSX_CONTENT_TYPE,
        )
    else:
        raise ValueError(f"No such file format: {fmt!r}.")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- CSV ----------------------------------------------------------------------------------------
class _Echo:
    """A file-like object whose write() hands the line back, for a streamed CSV."""

    def write(self, value: str) -> str:
        return value


def _csv_response(lines: Iterable[Sequence[Any]], filename: str) -> StreamingHttpResponse:
    """The one CSV writer: ``lines`` streamed, never held whole in memory."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(line) for line in lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def csv_download(lines: Iterable[Sequence[Any]], name: str) -> StreamingHttpResponse:
    """Lines of text streamed as ``<name>-<today>.csv`` (the audit trail's files: every cell
    text, passed through ``csv_text`` by the caller). Read free of the statement timeout."""
    return _csv_response(
        without_statement_timeout(lines), f"{name}-{timezone.localdate():%Y-%m-%d}.csv"
    )


def _csv_lines(table: Table, heading: Sequence[tuple[str, str]]) -> Iterator[list[str]]:
    kinds = [column.kind for column in table.columns]
    for label, value in heading:
        yield [csv_text(label), csv_text(value)]
    if heading:
        yield []
    yield [csv_text(heading_label(column)) for column in table.columns]
    for row in without_statement_timeout(table.rows):
        yield [csv_cell(kind, value) for kind, value in zip(kinds, table.cells(row), strict=True)]
    totals = _total_cells(table)
    if totals is not None:
        yield [
            csv_text(value) if isinstance(value, str) else csv_cell(kind, value)
            for kind, value in zip(kinds, totals, strict=True)
        ]


# --- XLSX ---------------------------------------------------------------------------------------
def _sheet_name(table: Table, heading: Sequence[tuple[str, str]]) -> str:
    title = table.title or dict(heading).get("Report", "") or "Export"
    return re.sub(r"[\[\]:*?/\\']", " ", title)[:31].strip() or "Export"


def _xlsx_file(table: Table, heading: Sequence[tuple[str, str]]) -> Any:
    """The workbook written row by row (``constant_memory``) into an anonymous temporary
    file, rewound for streaming; the file goes away when the response closes it."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "default_date_format": "yyyy-mm-dd",
            "strings_to_formulas": False,
        },
    )
    try:
        _write_sheet(workbook, table, heading)
    finally:
        workbook.close()
    handle.seek(0)
    return handle


def _write_sheet(
    workbook: xlsxwriter.Workbook, table: Table, heading: Sequence[tuple[str, str]]
) -> None:
    sheet = workbook.add_worksheet(_sheet_name(table, heading))
    bold = workbook.add_format({"bold": True})
    formats = {
        kind: workbook.add_format({"num_format": code}) for kind, code in NUMBER_FORMATS.items()
    }
    totals_formats = {
        kind: workbook.add_format({"num_format": code, "bold": True})
        for kind, code in NUMBER_FORMATS.items()
    }
    labels = [heading_label(column) for column in table.columns]
    # Widths first: constant_memory writes each row as it comes, so nothing can look back.
    for i, (column, label) in enumerate(zip(table.columns, labels, strict=True)):
        sheet.set_column(i, i, min(max(WIDTHS[column.kind], len(label) + 2), MAX_WIDTH))

    r = 0
    for label, value in heading:
        sheet.write_string(r, 0, label, bold)
        sheet.write_string(r, 1, value)
        r += 1
    if heading:
        r += 1  # the blank row
    for i, label in enumerate(labels):
        sheet.write_string(r, i, label, bold)
    sheet.freeze_panes(r + 1, 0)
    r += 1

    kinds = [column.kind for column in table.columns]
    for row in without_statement_timeout(table.rows):
        _write_row(sheet, r, kinds, table.cells(row), formats, None)
        r += 1
    totals = _total_cells(table)
    if totals is not None:
        _write_row(sheet, r, kinds, totals, totals_formats, bold)


def _write_row(
    sheet: Any,
    r: int,
    kinds: list[Kind],
    cells: list[Any],
    formats: dict[Kind, Any],
    text_format: Any,
) -> None:
    for c, (kind, value) in enumerate(zip(kinds, cells, strict=True)):
        if value is None or value == "":
            continue
        if kind is Kind.TEXT or isinstance(value, str):
            sheet.write_string(r, c, str(value), text_format)
        elif kind is Kind.DATE:
            sheet.write_datetime(r, c, _as_date(value), formats[kind])
        elif kind is Kind.PERIOD:
            sheet.write_datetime(r, c, _period_start(value), formats[kind])
        elif kind is Kind.MONEY:
            sheet.write_number(r, c, float(quantize_money(Decimal(value))), formats[kind])
        else:
            sheet.write_number(r, c, float(value), formats[kind])


# --- A list page's filters, for a file's heading and name ---------------------------------------
def filters_in_words(row_filter: Any, *, report: str, as_of: date) -> list[tuple[str, str]]:
    """A list page's heading: what it is, its as-of day and each filter set (in the form's
    words: a choice by its label, a park by its code)."""
    words = [("Report", report), ("As of", f"{as_of:%Y-%m-%d}")]
    form = row_filter.form
    for key, field in form.fields.items():
        value = form.cleaned_data.get(key)
        if value in (None, ""):
            continue
        label = str(field.label or key.replace("_", " ").capitalize())
        choices = dict(getattr(field, "choices", ()) or ())
        if hasattr(field, "queryset"):
            shown = str(form.data.get(key, value))
        elif value in choices:
            shown = str(choices[value])
        elif isinstance(value, date):
            shown = f"{value:%Y-%m-%d}"
        else:
            shown = str(form.data.get(key, value))
        words.append((label, shown))
    return words


def filters_slug(row_filter: Any, *, as_of: date) -> str:
    """A list page's filters for a file name: ``asof-2026-12-01_park-GUJ_status-submitted``."""
    parts = [f"asof-{as_of:%Y-%m-%d}"]
    form = row_filter.form
    for key in form.fields:
        if form.cleaned_data.get(key) in (None, ""):
            continue
        raw = re.sub(r"[^A-Za-z0-9]+", "-", str(form.data.get(key, ""))).strip("-")[:30]
        if raw:
            parts.append(f"{key.replace('_', '-')}-{raw}")
    return "_".join(parts)


def list_download(
    table: Table, row_filter: Any, *, name: str, report: str, fmt: Format
) -> HttpResponseBase:
    """A list page's file: its table (the page's rows, every page of them) headed and named
    by the page's filters, as of today."""
    today = timezone.localdate()
    return table_download(
        table,
        name=name,
        fmt=fmt,
        heading=filters_in_words(row_filter, report=report, as_of=today),
        slug=filters_slug(row_filter, as_of=today),
    )


def download_links(viewname: str, query: str = "", **kwargs: Any) -> list[dict[str, str]]:
    """The page's "Download CSV" and "Download XLSX" links, with the page's filters."""
    suffix = f"?{query}" if query else ""
    return [
        {"label": fmt.upper(), "url": reverse(viewname, kwargs={**kwargs, "fmt": fmt}) + suffix}
        for fmt in FORMATS
    ]

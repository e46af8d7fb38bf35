"""The one writer of CSV and XLSX files (stp_portal.exports, issue 10 §4): heading rows, the
column labels, the rows and a Total row; numbers as numbers, dates as dates, no formulas."""

from datetime import date
from decimal import Decimal

import pytest

from core.calendar import Period
from core.tables import Kind, Table, columns
from stp_portal.exports import csv_cell, file_name, table_download
from tests.xlsx import body_of, read_csv, read_xlsx, read_xlsx_cells, table_part

# On PostgreSQL a file is read inside a transaction free of the web's statement timeout
# (stp_portal.downloads.without_statement_timeout), so these tests may use the database.
pytestmark = pytest.mark.django_db

COLUMNS = columns(
    ("name", "Name"),
    ("amount", "Amount", Kind.MONEY),
    ("count", "Leases", Kind.COUNT),
    ("share", "Occupancy", Kind.PERCENT),
    ("area", "Area", Kind.DECIMAL),
    ("day", "Day", Kind.DATE),
    ("period", "Period", Kind.PERIOD),
)
ROWS = [
    {
        "name": '=HYPERLINK("http://x")',
        "amount": Decimal("12345.6"),
        "count": 1234,
        "share": Decimal("81.3"),
        "area": Decimal("1000.50"),
        "day": date(2026, 12, 1),
        "period": Period(2026, 3),
    },
    {"name": "Second", "amount": Decimal("0.40"), "count": 2, "share": None, "area": None,
     "day": None, "period": date(2026, 4, 1)},
]  # fmt: skip
TOTALS = {"amount": Decimal("12346.00"), "count": 1236, "share": Decimal("75.0")}
HEADING = [("Report", "Occupancy"), ("As of", "2026-12-01"), ("Park", "GUJ")]


def download(fmt, rows=ROWS, totals=TOTALS):
    table = Table(COLUMNS, iter(rows), totals=totals, title="Occupancy")
    return table_download(
        table, name="occupancy", fmt=fmt, heading=HEADING, slug="asof-2026-12-01_park-GUJ"
    )


def test_the_file_name_carries_the_filters_and_the_as_of_date():
    assert file_name("occupancy", "asof-2026-12-01_park-GUJ", "xlsx") == (
        "occupancy_asof-2026-12-01_park-GUJ.xlsx"
    )
    # Nothing a header could be broken with.
    name = file_name("units", 'q-"a b";\r\n', "csv")
    assert name.endswith(".csv")
    assert not set(name) & set('"; \r\n')


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_download_is_a_private_attachment(fmt):
    response = download(fmt)
    assert response["Content-Disposition"].startswith("attachment")
    assert f'filename="occupancy_asof-2026-12-01_park-GUJ.{fmt}"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response.streaming


def test_the_csv_holds_the_heading_then_labels_rows_and_totals_as_plain_numbers():
    response = download("csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert read_csv(response) == [
        ["Report", "Occupancy"],
        ["As of", "2026-12-01"],
        ["Park", "GUJ"],
        [],
        ["Name", "Amount", "Leases", "Occupancy (%)", "Area", "Day", "Period"],
        ["'=HYPERLINK(\"http://x\")", "12345.60", "1234", "81.3", "1000.50", "2026-12-01",
         "2026-03"],
        ["Second", "0.40", "2", "", "", "", "2026-04"],
        ["Total", "12346.00", "1236", "75.0", "", "", ""],
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "value", "written"),
    [
        (Kind.MONEY, Decimal("1.005"), "1.01"),  # one rounding: half up
        (Kind.MONEY, Decimal("-10967.75"), "-10967.75"),  # a number, not defused text
        (Kind.COUNT, 20000, "20000"),
        (Kind.PERCENT, Decimal("7"), "7.0"),
        (Kind.TEXT, "-1+2", "'-1+2"),
        (Kind.TEXT, "@SUM(A1)", "'@SUM(A1)"),
        (Kind.TEXT, None, ""),
    ],
)
def test_a_csv_cell_is_written_by_its_kind(kind, value, written):
    assert csv_cell(kind, value) == written


def test_the_xlsx_holds_the_same_rows_with_numbers_dates_and_formats():
    response = download("xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    data = body_of(response)
    heading, labels, rows = table_part(read_xlsx(data))
    assert heading == [["Report", "Occupancy"], ["As of", "2026-12-01"], ["Park", "GUJ"]]
    assert labels == ["Name", "Amount", "Leases", "Occupancy (%)", "Area", "Day", "Period"]
    assert rows[0] == [
        '=HYPERLINK("http://x")',
        12345.6,
        1234,
        81.3,
        1000.5,
        date(2026, 12, 1),
        date(2026, 3, 1),
    ]
    assert rows[1] == ["Second", 0.4, 2, None, None, None, date(2026, 4, 1)]
    assert rows[2] == ["Total", 12346, 1236, 75]

    cells = read_xlsx_cells(data)
    first = cells[5]
    assert not first[0].numeric  # text stays text: a string, never a formula
    assert [(c.numeric, c.format) for c in first[1:]] == [
        (True, "#,##0.00"),
        (True, "#,##0"),
        (True, "0.0"),
        (True, "#,##0.00"),
        (True, "yyyy-mm-dd"),
        (True, "yyyy-mm"),
    ]
    assert all(cell.bold for cell in cells[4])  # the header row
    assert all(cell.bold for cell in cells[7] if cell)  # the Total row


def test_the_xlsx_freezes_the_header_row_and_sizes_its_columns():
    import io
    import zipfile

    sheet = zipfile.ZipFile(io.BytesIO(body_of(download("xlsx")))).read("xl/worksheets/sheet1.xml")
    assert b'ySplit="5"' in sheet  # 3 heading rows, the blank row and the labels
    assert b'state="frozen"' in sheet
    # Text 24 wide, money 16 (XlsxWriter adds its padding); a long heading widens its column.
    assert b'<col min="1" max="1" width="24.7109375" customWidth="1"/>' in sheet
    assert b'<col min="2" max="2" width="16.7109375" customWidth="1"/>' in sheet


def test_an_empty_table_still_has_its_heading_and_labels():
    heading, labels, rows = table_part(read_xlsx(body_of(download("xlsx", rows=[], totals=None))))
    assert len(heading) == 3
    assert labels[0] == "Name"
    assert rows == []


def test_rows_are_read_one_at_a_time_while_the_csv_streams():
    taken = []

    def rows():
        for row in ROWS:
            taken.append(row["name"])
            yield row

    table = Table(COLUMNS, rows())
    response = table_download(table, name="x", fmt="csv", heading=HEADING, slug="s")
    assert taken == []  # nothing read before the body is
    body = iter(response.streaming_content)
    for _ in range(6):  # heading (3), blank, labels, first row
        next(body)
    assert taken == [ROWS[0]["name"]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_memory_stays_flat_when_the_rows_grow_tenfold(fmt):
    import tracemalloc

    def peak(n):
        rows = ({**ROWS[0], "count": i} for i in range(n))
        tracemalloc.start()
        try:
            response = table_download(
                Table(COLUMNS, rows), name="x", fmt=fmt, heading=HEADING, slug="s"
            )
            size = sum(len(chunk) for chunk in response.streaming_content)
            return size, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small_size, small_peak = peak(400)
    large_size, large_peak = peak(4000)
    assert large_size > 5 * small_size  # ten times the rows were written (zipped, for XLSX)...
    assert large_peak < small_peak + 100_000  # ...in about the same memory

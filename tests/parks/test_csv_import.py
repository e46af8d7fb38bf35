"""Bulk import of units from CSV (issue 3): the pure parser, the service, and the page."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from parks.models import Unit
from parks.services import units_import_csv
from parks.unit_import import (
    CSV_COLUMNS,
    MAX_IMPORT_BYTES,
    RowError,
    parse_units_csv,
    units_csv_template,
)
from tests.factories import UnitFactory

HEADER = ",".join(CSV_COLUMNS)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


def errors_of(data: bytes, **kwargs) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in parse_units_csv(data, **kwargs).errors}


# --- the pure parser: no database ------------------------------------------------------------
def test_a_valid_file_gives_one_row_per_unit_with_decimals_and_flags():
    parsed = parse_units_csv(
        csv_bytes(
            "A-101,1,office,1200,15,,5000,no",
            "D-01,Ground,desk,60.5,1,4500.00,1000,yes",
        )
    )

    assert parsed.ok
    first, second = parsed.rows
    assert (first.row, first.code, first.kind) == (2, "A-101", "office")
    assert first.area_sqft == Decimal("1200.00")
    assert first.monthly_rent is None  # blank = the park's default, decided by the service
    assert first.internet_fee == Decimal("5000.00")
    assert first.under_maintenance is False
    assert second.area_sqft == Decimal("60.50")
    assert isinstance(second.monthly_rent, Decimal)
    assert second.under_maintenance is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[("yes", True), ("Y", True), ("TRUE", True), ("1", True)],
        *[("no", False), ("false", False), ("0", False), ("", False)],
    ],
)
def test_the_maintenance_flag_reads_yes_no_true_false_one_zero_or_blank(text, expected):
    parsed = parse_units_csv(csv_bytes(f"A-1,1,office,100,2,,0,{text}"))
    assert parsed.rows[0].under_maintenance is expected


def test_the_maintenance_column_may_be_left_out_and_columns_may_come_in_any_order():
    parsed = parse_units_csv(
        csv_bytes(
            "office,A-1,100,2,1,,0",
            header="kind,code,area_sqft,seats,floor,monthly_rent,internet_fee",
        )
    )
    assert parsed.ok
    assert (parsed.rows[0].code, parsed.rows[0].under_maintenance) == ("A-1", False)


def test_a_byte_order_mark_windows_line_ends_blank_lines_and_spaces_are_tolerated():
    data = "\ufeff" + HEADER + '\r\n\r\n A-1 , 2 , Office ,"1,200.50", 3 , , , \r\n,,,,,,,\r\n'
    parsed = parse_units_csv(data.encode())
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].code == "A-1"
    assert parsed.rows[0].kind == "office"
    assert parsed.rows[0].area_sqft == Decimal("1200.50")
    assert parsed.rows[0].row == 3  # numbered as the spreadsheet shows it


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (",1,office,100,2,,0,no", "code"),
        ("A-123456789012345678901,1,office,100,2,,0,no", "code"),
        ("A-1,1,studio,100,2,,0,no", "kind"),
        ("A-1,1,office,,2,,0,no", "area_sqft"),
        ("A-1,1,office,0,2,,0,no", "area_sqft"),
        ("A-1,1,office,-5,2,,0,no", "area_sqft"),
        ("A-1,1,office,12.345,2,,0,no", "area_sqft"),
        ("A-1,1,office,1e3,2,,0,no", "area_sqft"),
        ("A-1,1,office,NaN,2,,0,no", "area_sqft"),
        ("A-1,1,office,100000000,2,,0,no", "area_sqft"),
        ("A-1,1,office,100,0,,0,no", "seats"),
        ("A-1,1,office,100,2.5,,0,no", "seats"),
        ("A-1,1,office,100,,,0,no", "seats"),
        ("A-1,1,office,100,2,-1,0,no", "monthly_rent"),
        ("A-1,1,office,100,2,lots,0,no", "monthly_rent"),
        ("A-1,1,office,100,2,,free,no", "internet_fee"),
        ("A-1,1,office,100,2,,0,maybe", "under_maintenance"),
        ("A-1,1,office,100,2,,0", ""),  # a value missing: the row as a whole
    ],
)
def test_each_bad_value_is_reported_with_its_row_and_column(row, column):
    parsed = parse_units_csv(csv_bytes("B-1,1,office,100,2,,0,no", row))
    assert not parsed.ok
    assert parsed.rows == ()  # all or nothing: not even the good row is kept
    assert [(e.row, e.column) for e in parsed.errors] == [(3, column)]
    assert parsed.errors[0].message


def test_every_problem_of_every_row_is_reported_not_just_the_first():
    data = csv_bytes("A-1,1,studio,0,2,,0,no", "A-2,1,office,100,2,,0,no", ",1,desk,10,x,,0,no")
    assert errors_of(data) == {(2, "kind"), (2, "area_sqft"), (4, "code"), (4, "seats")}


def test_a_code_repeated_in_the_file_is_an_error_naming_the_first_row_ignoring_case():
    parsed = parse_units_csv(
        csv_bytes("A-1,1,office,100,2,,0,no", "B-1,1,office,100,2,,0,no", "a-1,2,desk,10,1,,0,no")
    )
    assert parsed.errors == (RowError(4, "code", "Code a-1 is already used on row 2."),)


def test_a_code_the_park_already_has_is_an_error_ignoring_case():
    data = csv_bytes("A-1,1,office,100,2,,0,no", "b-7,1,office,100,2,,0,no")
    assert errors_of(data, existing_codes=["B-7", "C-1"]) == {(3, "code")}


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (b",,,\n,,\n", "empty"),
        (HEADER.encode() + b"\n", "no units"),
        (b"code,floor\nA-1,1\n", "header"),
        (
            csv_bytes("A-1,1,office,100,2,,0,no", header=HEADER + ",colour"),
            "does not know: 'colour'",
        ),
        (csv_bytes("A-1,1,office,100,2,,0,no", header=HEADER.replace("seats", "code")), "header"),
        ("code,floor\nA-1,Ümit\n".encode("latin-1"), "not UTF-8"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV"),
    ],
)
def test_a_file_that_cannot_be_read_gets_one_clear_message_and_no_rows(data, fragment):
    parsed = parse_units_csv(data)
    assert parsed.problem is not None
    assert fragment in parsed.problem
    assert parsed.rows == ()
    assert parsed.errors == ()


def test_more_rows_than_the_cap_are_refused_as_a_whole():
    rows = [f"U-{n},1,desk,10,1,,0,no" for n in range(5)]
    assert parse_units_csv(csv_bytes(*rows), max_rows=5).ok
    parsed = parse_units_csv(csv_bytes(*rows, "U-9,1,desk,10,1,,0,no"), max_rows=5)
    assert parsed.problem == "The file has 6 units; import at most 5 at a time."


def test_the_default_cap_is_2000_rows():
    rows = [f"U-{n},1,desk,10,1,,0,no" for n in range(2001)]
    assert "at most 2,000" in parse_units_csv(csv_bytes(*rows)).problem
    assert parse_units_csv(csv_bytes(*rows[:2000])).ok


def test_a_file_larger_than_the_byte_limit_is_refused_before_reading_it():
    parsed = parse_units_csv(b"x" * (MAX_IMPORT_BYTES + 1))
    assert "larger than" in parsed.problem


def test_the_template_file_is_itself_a_valid_import():
    parsed = parse_units_csv(units_csv_template().encode())
    assert parsed.ok
    assert len(parsed.rows) == 2


# --- the service: all or nothing -------------------------------------------------------------
@pytest.mark.django_db
def test_import_creates_every_unit_and_fills_a_blank_rent_with_area_times_park_rate(
    park, park_manager
):
    data = csv_bytes("A-101,1,office,1200,15,,5000,no", "D-01,G,desk,60,1,4500,1000,yes")

    report = units_import_csv(user=park_manager, park=park, file=io.BytesIO(data))

    assert report.ok
    assert report.created == ("A-101", "D-01")
    a101 = Unit.objects.get(park=park, code="A-101")
    assert a101.monthly_rent == Decimal("72000.00")  # 1200 sq ft × PKR 60.00
    d01 = Unit.objects.get(park=park, code="D-01")
    assert (d01.monthly_rent, d01.under_maintenance, d01.kind) == (Decimal("4500.00"), True, "desk")


@pytest.mark.django_db
def test_import_with_one_bad_row_imports_nothing_and_reports_the_row(park, park_manager):
    data = csv_bytes(
        "A-101,1,office,1200,15,,5000,no",
        "A-102,1,office,-3,15,,5000,no",
        "A-103,1,office,900,10,,5000,no",
    )

    report = units_import_csv(user=park_manager, park=park, file=io.BytesIO(data))

    assert not report.ok
    assert report.created == ()
    assert [(e.row, e.column) for e in report.errors] == [(3, "area_sqft")]
    assert not Unit.objects.filter(park=park).exists()


@pytest.mark.django_db
def test_import_refuses_codes_the_park_has_but_not_codes_of_another_park(
    park, other_park, park_manager
):
    UnitFactory(park=park, code="A-101")
    UnitFactory(park=other_park, code="B-1")

    report = units_import_csv(
        user=park_manager,
        park=park,
        file=io.BytesIO(csv_bytes("B-1,1,office,100,2,,0,no", "A-101,1,office,100,2,,0,no")),
    )

    assert [(e.row, e.column) for e in report.errors] == [(3, "code")]
    assert "already exists" in report.errors[0].message
    assert Unit.objects.filter(park=park).count() == 1

    report = units_import_csv(
        user=park_manager, park=park, file=io.BytesIO(csv_bytes("B-1,1,office,100,2,,0,no"))
    )
    assert report.ok


@pytest.mark.django_db
def test_only_this_parks_managers_and_pseb_may_import(park, other_park_manager, pseb_staff):
    from django.core.exceptions import PermissionDenied

    data = csv_bytes("A-1,1,office,100,2,,0,no")
    with pytest.raises(PermissionDenied):
        units_import_csv(user=other_park_manager, park=park, file=io.BytesIO(data))
    assert not Unit.objects.exists()
    assert units_import_csv(user=pseb_staff, park=park, file=io.BytesIO(data)).ok


# --- the pages -------------------------------------------------------------------------------
def upload(data: bytes, name: str = "units.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.mark.django_db
def test_import_page_imports_a_good_file_and_says_how_many(client, park, park_manager):
    client.force_login(park_manager)
    data = csv_bytes("A-1,1,office,100,2,,0,no", "A-2,1,office,100,2,,0,no")

    response = client.post(
        reverse("parks:unit_import", args=[park.code]), {"file": upload(data)}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("parks:units", args=[park.code])
    assert "Imported 2 units." in response.content.decode()
    assert park.units.count() == 2


@pytest.mark.django_db
def test_import_page_shows_a_row_by_row_report_and_imports_nothing(client, park, park_manager):
    client.force_login(park_manager)
    data = csv_bytes("A-1,1,office,100,2,,0,no", "A-1,1,cave,100,2,,0,no")

    response = client.post(reverse("parks:unit_import", args=[park.code]), {"file": upload(data)})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "Code A-1 is already used on row 2." in html
    assert "Must be one of: office, desk." in html
    assert [(e.row, e.column) for e in response.context["report"].errors] == [
        (3, "kind"),
        (3, "code"),
    ]
    assert not park.units.exists()


@pytest.mark.django_db
def test_import_page_explains_a_file_that_is_not_utf8_instead_of_failing(
    client, park, park_manager
):
    client.force_login(park_manager)
    data = "code,floor\nA-1,Ümit\n".encode("cp1252")

    response = client.post(reverse("parks:unit_import", args=[park.code]), {"file": upload(data)})

    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()


@pytest.mark.django_db
def test_import_page_refuses_an_empty_upload_with_a_message(client, park, park_manager):
    client.force_login(park_manager)
    response = client.post(reverse("parks:unit_import", args=[park.code]), {"file": upload(b"")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


@pytest.mark.django_db
def test_the_template_csv_downloads_with_the_import_header(client, park, park_manager):
    client.force_login(park_manager)
    response = client.get(reverse("parks:unit_import_template", args=[park.code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().splitlines()[0] == HEADER


@pytest.mark.django_db
def test_a_row_is_refused_for_the_same_reasons_and_words_as_a_unit_added_on_the_page(
    client, park, park_manager
):
    # given: the same bad area and seats, typed on the page and in a file
    client.force_login(park_manager)
    fields = {"code": "A-1", "kind": "office", "area_sqft": "0", "seats": "0", "internet_fee": "0"}
    # when
    page = client.post(reverse("parks:unit_create", args=[park.code]), fields)
    parsed = parse_units_csv(csv_bytes("A-1,1,office,0,0,,0,no"))
    # then
    on_page = page.context["form"].errors
    in_file = {e.column: [e.message] for e in parsed.errors}
    assert in_file == {"area_sqft": on_page["area_sqft"], "seats": on_page["seats"]}
    assert in_file["area_sqft"] == ["Must be more than zero."]

"""The pure rules of the park pages (issue 12 §5): status words, coordinates, amenities,
phone numbers, the estimator's quote and its stages. No database."""

from datetime import date
from decimal import Decimal

import pytest

from core.calendar import Period
from core.vocabulary import Amenity, UnitKind
from parks.domain import (
    ListedUnit,
    QuoteError,
    amenities_in_order,
    amenities_problem,
    coordinates_problem,
    park_status_word,
    phone_problem,
    unit_quote,
)
from parks.pricing import MonthCost, estimate_start, stages

TODAY = date(2026, 5, 10)


@pytest.mark.parametrize(
    ("status", "opening", "word"),
    [
        ("existing", date(2023, 1, 1), "Open"),
        ("upcoming", date(2027, 3, 1), "Opening 2027"),
        ("upcoming", None, "Opening soon"),
        ("upcoming", date(2026, 5, 1), "Opening soon"),  # the date passed, still not open
        ("planned", None, "Planned"),
        ("planned", date(2028, 1, 1), "Planned"),
    ],
)
def test_a_park_status_in_a_visitors_words(status, opening, word):
    assert park_status_word(status, opening, TODAY) == word


def test_coordinates_are_both_or_neither_and_inside_pakistan():
    assert coordinates_problem(None, None) is None
    assert coordinates_problem(Decimal("35.9208"), Decimal("74.3089")) is None  # Gilgit
    assert set(coordinates_problem(Decimal("35.9"), None)) == {"longitude"}
    assert set(coordinates_problem(None, Decimal("74.3"))) == {"latitude"}
    assert set(coordinates_problem(Decimal("51.5"), Decimal("-0.12"))) == {"latitude", "longitude"}
    # Lat and lon swapped, the commonest slip: Gilgit read as (74.3, 35.9).
    assert set(coordinates_problem(Decimal("74.3089"), Decimal("35.9208"))) == {
        "latitude",
        "longitude",
    }


def test_amenities_are_known_codes_each_once_kept_in_the_vocabularys_order():
    assert amenities_problem(["parking", "fibre"]) is None
    assert "Unknown amenities: jacuzzi" in amenities_problem(["fibre", "jacuzzi"])
    assert amenities_problem(["fibre", "fibre"]) == "Each amenity is listed once."
    assert amenities_problem("fibre") == "Amenities are a list of amenity codes."
    assert amenities_in_order(["parking", "fibre"]) == [Amenity.FIBRE, Amenity.PARKING]


@pytest.mark.parametrize("phone", ["+92 51 9204567", "051-9204567", "(058) 1234567", "1234567"])
def test_phone_numbers_as_pakistanis_write_them(phone):
    assert phone_problem(phone) is None


@pytest.mark.parametrize("phone", ["call us", "12345", "+92 51 920 4567 890 123 45", "051--", "+"])
def test_a_phone_number_that_is_not_one_says_how_to_write_it(phone):
    assert "Enter a phone number" in phone_problem(phone)


LISTED = [
    ListedUnit(UnitKind.OFFICE, Decimal(600), 7, Decimal(39000), Decimal(5000)),
    ListedUnit(UnitKind.OFFICE, Decimal(1300), 16, Decimal(84500), Decimal(7500)),
    ListedUnit(UnitKind.DESK, Decimal(45), 1, Decimal(8000), Decimal(1500)),
    ListedUnit(UnitKind.DESK, Decimal(45), 1, Decimal(7500), Decimal(1500)),
]


def test_an_office_is_priced_at_the_parks_rate_with_the_nearest_offices_internet():
    quote = unit_quote(UnitKind.OFFICE, 1000, rent_per_sqft=Decimal("65.00"), listed=LISTED)
    assert quote.lets == ((Decimal("65000.00"), Decimal(7500)),)  # 1,300 sq ft is nearer
    assert "1,000 sq ft × PKR 65.00" in quote.basis


def test_an_office_in_a_park_without_offices_has_no_internet_package_yet():
    quote = unit_quote(UnitKind.OFFICE, 800, rent_per_sqft=Decimal("50"), listed=[])
    assert quote.lets == ((Decimal("40000.00"), Decimal("0.00")),)
    assert "not included" in quote.basis


def test_desks_are_each_a_let_at_the_cheapest_listed_desk():
    quote = unit_quote(UnitKind.DESK, 3, rent_per_sqft=Decimal("65"), listed=LISTED)
    assert quote.lets == ((Decimal(7500), Decimal(1500)),) * 3
    assert quote.monthly_rent == Decimal(22500)
    assert quote.internet_fee == Decimal(4500)


@pytest.mark.parametrize(
    ("kind", "size", "field", "message"),
    [
        (UnitKind.OFFICE, 10, "size", "from 100 to 50,000 sq ft"),
        (UnitKind.OFFICE, 60_000, "size", "from 100 to 50,000 sq ft"),
        (UnitKind.DESK, 0, "size", "from 1 to 100 desks"),
        ("hall", 10, "kind", "Choose one of"),
    ],
)
def test_a_size_or_kind_that_cannot_be_priced_says_why(kind, size, field, message):
    with pytest.raises(QuoteError, match=message) as caught:
        unit_quote(kind, size, rent_per_sqft=Decimal("65"), listed=LISTED)
    assert caught.value.field == field


def test_desks_in_a_park_that_lists_none_cannot_be_priced():
    offices = [u for u in LISTED if u.kind == UnitKind.OFFICE]
    with pytest.raises(QuoteError, match="lists no coworking desks"):
        unit_quote(UnitKind.DESK, 1, rent_per_sqft=Decimal("65"), listed=offices)


def test_an_estimate_starts_next_month_or_the_month_the_park_opens():
    assert estimate_start(TODAY, date(2023, 1, 1)) == date(2026, 6, 1)
    assert estimate_start(TODAY, None) == date(2026, 6, 1)
    assert estimate_start(TODAY, date(2027, 3, 1)) == date(2027, 3, 1)
    assert estimate_start(TODAY, date(2027, 3, 15)) == date(2027, 4, 1)
    assert estimate_start(date(2026, 12, 31), None) == date(2027, 1, 1)


def _month(period: Period, subsidy: str) -> MonthCost:
    rent, internet = Decimal(1000), Decimal(100)
    return MonthCost(period, rent, internet, Decimal(subsidy), rent + internet + Decimal(subsidy))


def test_months_that_cost_the_same_are_one_stage_and_the_last_is_open_ended():
    months, period = [], Period(2026, 6)
    for _ in range(12):
        months.append(_month(period, "-350"))
        period = period.next()
    months.append(_month(period, "0"))
    found = stages(months)
    assert [(s.first, s.last) for s in found] == [(1, 12), (13, None)]
    assert found[0].start == Period(2026, 6)
    assert found[0].end == Period(2027, 5)
    assert found[0].subsidised
    assert not found[1].subsidised

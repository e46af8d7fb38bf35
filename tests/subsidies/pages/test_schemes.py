"""The subsidy scheme pages (domain.md §5): PSEB staff create and edit, park managers read,
anyone else gets 404; a scheme applied to issued statements keeps its rules.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from subsidies.models import SubsidyScheme
from tests.subsidies.pages.support import messages_of, signed_in, text

pytestmark = pytest.mark.django_db
SCHEME = {
    "name": "Secondary cities 2027",
    "internet_pct": "100",
    "rent_pct": "30",
    "duration_months": "18",
    "valid_from": "2027-01-01",
    "valid_to": "",
    "anchor": "lease_start",
}


@pytest.mark.parametrize(
    ("role", "status"),
    [("company_user", 404), ("park_manager", 200), ("pseb_staff", 200)],
)
def test_the_scheme_list_is_for_pseb_staff_and_park_managers(client, request, scheme, role, status):
    response = signed_in(client, request.getfixturevalue(role)).get(
        reverse("subsidies:scheme_list")
    )
    assert response.status_code == status
    if status == 200:
        body = text(response)
        assert "Default programme" in body
        assert "All parks" in body


def test_park_managers_read_schemes_but_may_not_create_or_edit_them(client, park_manager, scheme):
    signed_in(client, park_manager)
    body = text(client.get(reverse("subsidies:scheme_list")))
    assert reverse("subsidies:scheme_create") not in body
    assert reverse("subsidies:scheme_edit", args=[scheme.pk]) not in body
    assert client.get(reverse("subsidies:scheme_create")).status_code == 403
    assert client.post(reverse("subsidies:scheme_create"), SCHEME).status_code == 403
    edit = reverse("subsidies:scheme_edit", args=[scheme.pk])
    assert client.post(edit, {**SCHEME, "name": "Hijacked"}).status_code == 403
    assert SubsidyScheme.objects.get().name == "Default programme"


def test_a_company_gets_404_on_every_scheme_page(client, company_user, scheme):
    signed_in(client, company_user)
    assert client.get(reverse("subsidies:scheme_create")).status_code == 404
    assert client.get(reverse("subsidies:scheme_edit", args=[scheme.pk])).status_code == 404


def test_pseb_staff_create_a_scheme_for_some_parks(client, pseb_staff, park, other_park):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:scheme_create"), {**SCHEME, "parks": [park.pk]}, follow=True
    )
    scheme = SubsidyScheme.objects.get()
    assert (scheme.name, scheme.rent_pct, scheme.duration_months) == (
        "Secondary cities 2027",
        Decimal("30.00"),
        18,
    )
    assert list(scheme.parks.all()) == [park]
    assert "Subsidy scheme “Secondary cities 2027” created." in messages_of(response)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"rent_pct": "150"}, "rent_pct", "less than or equal to 100"),
        ({"internet_pct": "-1"}, "internet_pct", "greater than or equal to 0"),
        ({"duration_months": "0"}, "duration_months", "greater than or equal to 1"),
        ({"valid_to": "2026-12-31"}, "valid_to", "cannot end before it starts"),
        ({"name": "Default programme"}, "name", "already exists"),
        ({"name": ""}, "name", "This field is required"),
        ({"anchor": "moon_phase"}, "anchor", "Select a valid choice"),
        ({"parks": ["99999999999999999999999"]}, "parks", "Select a valid choice"),
        ({"parks": ["abc"]}, "parks", "is not a valid value"),
        ({"valid_from": "9999-12-31"}, "valid_from", "between 1990-01-01 and 2999-12-31"),
    ],
)
def test_a_bad_scheme_shows_the_field_error_and_creates_nothing(
    client, pseb_staff, scheme, data, field, message
):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:scheme_create"), {**SCHEME, **data}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert SubsidyScheme.objects.count() == 1


def scheme_data(scheme, **changes) -> dict:
    return {
        "name": scheme.name,
        "internet_pct": str(scheme.internet_pct),
        "rent_pct": str(scheme.rent_pct),
        "duration_months": str(scheme.duration_months),
        "valid_from": scheme.valid_from.isoformat(),
        "valid_to": scheme.valid_to.isoformat() if scheme.valid_to else "",
        "anchor": scheme.anchor,
        "parks": [p.pk for p in scheme.parks.all()],
        **changes,
    }


def test_pseb_staff_edit_a_scheme_no_statement_uses(client, pseb_staff, scheme, park):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:scheme_edit", args=[scheme.pk]),
        scheme_data(scheme, rent_pct="30", parks=[park.pk]),
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.rent_pct == Decimal("30.00")
    assert list(scheme.parks.all()) == [park]


LOCKED = ("internet_pct", "rent_pct", "duration_months", "valid_from", "anchor", "parks")


def as_a_browser_posts(data: dict) -> dict:
    """A browser sends nothing for a disabled field."""
    return {k: v for k, v in data.items() if k not in LOCKED}


def test_a_scheme_not_applied_yet_can_change_every_field(client, pseb_staff, scheme):
    form = (
        signed_in(client, pseb_staff)
        .get(reverse("subsidies:scheme_edit", args=[scheme.pk]))
        .context["form"]
    )
    assert not any(field.disabled for field in form.fields.values())


def test_a_scheme_applied_to_statements_shows_its_rules_disabled_and_says_why_once(
    client, pseb_staff, scheme, statement
):
    response = signed_in(client, pseb_staff).get(reverse("subsidies:scheme_edit", args=[scheme.pk]))
    form = response.context["form"]
    assert {name for name, field in form.fields.items() if field.disabled} == set(LOCKED)
    page = text(response)
    assert page.count("only its name and the end of its validity can change") == 1
    assert "applied to 2 issued statements" in page
    assert re.search(r'<input[^>]*name="rent_pct"[^>]*disabled', page)
    assert not re.search(r'<input[^>]*name="name"[^>]*disabled', page)
    assert not re.search(r'<input[^>]*name="valid_to"[^>]*disabled', page)
    # and the end of validity says how early it may be: the latest window opened 15 March 2026
    assert "Not before 15 March 2026" in page


def test_a_scheme_applied_to_statements_is_renamed_and_its_end_set_from_its_page(
    client, pseb_staff, scheme, statement
):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:scheme_edit", args=[scheme.pk]),
        as_a_browser_posts(scheme_data(scheme, name="Programme 2022", valid_to="2027-06-30")),
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert (scheme.name, scheme.valid_to) == ("Programme 2022", date(2027, 6, 30))
    assert (scheme.rent_pct, scheme.internet_pct) == (Decimal("25.00"), Decimal("100.00"))


def test_a_rule_change_posted_for_an_applied_scheme_saves_nothing_and_says_so_once(
    client, pseb_staff, scheme, statement
):
    """A page opened before the scheme was applied still offers the rules: the change is
    refused out loud rather than dropped silently, and the name change waits too."""
    signed_in(client, pseb_staff)
    url = reverse("subsidies:scheme_edit", args=[scheme.pk])

    response = client.post(url, scheme_data(scheme, name="Renamed", rent_pct="30"))

    assert response.status_code == 200
    assert messages_of(response) == []
    (error,) = response.context["form"].non_field_errors()
    assert "Nothing was saved" in error
    assert "rent subsidy (%)" in error
    page = text(response)
    assert page.count("Nothing was saved") == 1  # the form's error, not also a message
    assert page.count("only its name and the end of its validity can change") == 1
    scheme.refresh_from_db()
    assert (scheme.name, scheme.rent_pct) == ("Default programme", Decimal("25.00"))


def test_an_applied_scheme_may_not_end_before_its_latest_window_said_on_the_field_only(
    client, pseb_staff, scheme, statement
):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:scheme_edit", args=[scheme.pk]),
        as_a_browser_posts(scheme_data(scheme, valid_to="2026-01-31")),
    )
    assert response.status_code == 200
    assert messages_of(response) == []
    (error,) = response.context["form"].errors["valid_to"]
    assert "it must stay valid until then" in error
    # at the field, and in the error summary as a link to it (not as a form-wide error)
    page = text(response)
    assert page.count("it must stay valid until then") == 2
    assert re.search(r'<li><a href="#id_valid_to">[^<]*it must stay valid until then', page)
    scheme.refresh_from_db()
    assert scheme.valid_to is None


def test_a_scheme_applied_to_statements_may_still_be_renamed(client, pseb_staff, scheme, statement):
    # the rules posted unchanged (an old page, or an API-like client) are no change at all
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:scheme_edit", args=[scheme.pk]),
        scheme_data(scheme, name="Programme 2022"),
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.name == "Programme 2022"

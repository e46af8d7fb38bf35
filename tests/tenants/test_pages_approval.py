"""Approval with units, and roles that see but may not act (403):
the tenant pages end to end, with the Django test client (issue 3).

Every bad input answers the page again with a message and changes nothing; objects outside
a user's scope answer 404 (domain.md §1); a role that may see but not act gets 403.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.vocabulary import ApplicationStatus
from stp_portal.errors import UnitAlreadyLeased
from tenants import services
from tenants.models import (
    Lease,
)
from tenants.selectors import company_of
from tests.factories import (
    ApplicationFactory,
    ParkFactory,
    UnitFactory,
)
from tests.tenants.pages import REASON, later, text

pytestmark = pytest.mark.django_db


# --- Approval ----------------------------------------------------------------------------------
def approve_url(application):
    return reverse("tenants:application_approve", args=[application.pk])


def offered(response) -> list[str]:
    return [u.code for u in response.context["units"]]


def test_the_approval_page_opens_with_the_free_units_best_fits_first(
    client, pseb_staff, under_review, park, django_assert_max_num_queries
):
    # given free units of several sizes for a request of 10 seats (an office)
    for code, seats in (("BIG", 40), ("NEAR", 12), ("EXACT", 10), ("SMALL", 4)):
        UnitFactory(park=park, code=code, seats=seats)
    UnitFactory(park=park, code="DESK", kind="desk", seats=1)
    client.force_login(pseb_staff)
    # when the page opens, without choosing dates first
    with django_assert_max_num_queries(20):
        response = client.get(approve_url(under_review))
    # then the units free for the requested dates are listed, best fits first
    assert response.status_code == 200
    assert response.context["form"] is not None
    assert offered(response) == ["EXACT", "NEAR", "BIG", "SMALL", "DESK"]
    page = text(response)
    assert later().isoformat() in page  # the desired start is the default
    assert "Exact fit" in page
    assert "Too small alone" in page


def test_the_approval_page_lists_as_many_queries_for_30_units_as_for_3(
    client, pseb_staff, under_review, park, django_assert_num_queries
):
    UnitFactory.create_batch(3, park=park)
    client.force_login(pseb_staff)
    with CaptureQueriesContext(connection) as few:
        client.get(approve_url(under_review))
    UnitFactory.create_batch(27, park=park)
    with django_assert_num_queries(len(few)):
        assert len(offered(client.get(approve_url(under_review)))) == 30


def test_each_unit_carries_its_figures_for_the_running_totals(
    client, pseb_staff, under_review, units
):
    client.force_login(pseb_staff)
    page = text(client.get(approve_url(under_review)))
    free = units["free"]
    assert (
        f'data-seats="{free.seats}" data-area="1000.00" data-rent="60000.00" '
        'data-internet="5000.00"' in page
    )
    assert 'aria-live="polite"' in page
    assert "js/approval.js" in page
    assert "<script>" not in page  # CSP: no inline script


def test_a_refused_approval_shows_the_totals_of_the_units_ticked(
    client, pseb_staff, under_review, units
):
    client.force_login(pseb_staff)
    ticked = [str(units["free"].pk), str(units["desk"].pk)]
    response = client.post(
        approve_url(under_review),
        {"start_date": later(30).isoformat(), "units": ticked, "comment": "x" * 2001},
    )
    totals = response.context["totals"]
    assert (totals.units, totals.seats) == (2, units["free"].seats + 1)
    assert totals.monthly_rent == units["free"].monthly_rent + units["desk"].monthly_rent
    _assert_not_approved(under_review)


def test_a_submitted_application_is_approved_in_one_step_from_its_page(
    client, pseb_staff, submitted, units
):
    client.force_login(pseb_staff)
    detail = text(client.get(reverse("tenants:application_detail", args=[submitted.pk])))
    assert approve_url(submitted) in detail
    response = client.post(
        approve_url(submitted),
        {"start_date": later(30).isoformat(), "units": [str(units["free"].pk)]},
        follow=True,
    )
    assert "Approved: lease" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.APPROVED
    assert [t.action for t in submitted.transitions.all()][-2:] == ["review", "approve"]


def test_the_approval_page_lists_only_units_free_for_the_chosen_dates(
    client, pseb_staff, under_review, units, let_until, other_park
):
    UnitFactory(park=other_park, code="G-1")
    client.force_login(pseb_staff)
    during = client.get(approve_url(under_review), {"start_date": later(30).isoformat()})
    assert offered(during) == ["A-101", "D-01"]  # the office asked for first
    assert "M-01" not in text(during)
    assert "G-1" not in text(during)
    on_last_day = client.get(
        approve_url(under_review),
        {"start_date": later(10).isoformat(), "end_date": let_until.isoformat()},
    )
    assert "L-01" not in offered(on_last_day)
    after = client.get(
        approve_url(under_review), {"start_date": (let_until + timedelta(days=1)).isoformat()}
    )
    assert offered(after) == ["A-101", "L-01", "D-01"]
    before = client.get(
        approve_url(under_review),
        {"start_date": "2024-06-01", "end_date": "2024-12-31"},
    )
    assert offered(before) == ["A-101", "L-01", "D-01"]


def test_approving_with_a_free_unit_creates_the_lease(
    client, pseb_staff, under_review, units, company
):
    client.force_login(pseb_staff)
    start, end = later(30), later(394)
    response = client.post(
        approve_url(under_review),
        {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "units": [str(units["free"].pk)],
            "comment": "Welcome.",
        },
        follow=True,
    )
    lease = Lease.objects.get(company=company)
    assert response.redirect_chain[-1][0] == reverse("tenants:lease_detail", args=[lease.pk])
    assert f"Approved: lease #{lease.pk} created." in text(response)
    assert "A-101" in text(response)
    assert "PKR 60,000.00" in text(response)
    assert (lease.start_date, lease.end_date, lease.park) == (start, end, under_review.park)
    under_review.refresh_from_db()
    assert (under_review.status, under_review.lease) == (ApplicationStatus.APPROVED, lease)


def test_an_approval_may_start_in_the_past_to_onboard_a_tenant(
    client, pseb_staff, under_review, units
):
    client.force_login(pseb_staff)
    client.post(
        approve_url(under_review),
        {"start_date": "2024-07-01", "units": [str(units["free"].pk)]},
    )
    under_review.refresh_from_db()
    assert under_review.lease.start_date == date(2024, 7, 1)


def _assert_not_approved(application):
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.lease is None
    assert not Lease.objects.filter(company=application.company).exists()


@pytest.mark.parametrize("unit", ["let", "broken"])
def test_approving_with_a_unit_not_free_shows_a_message_and_creates_nothing(
    client, pseb_staff, under_review, units, let_until, unit
):
    client.force_login(pseb_staff)
    response = client.post(
        approve_url(under_review),
        {"start_date": later(30).isoformat(), "units": [str(units[unit].pk)]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    _assert_not_approved(under_review)


def test_approving_with_a_unit_of_another_park_creates_nothing(
    client, pseb_staff, under_review, units, other_park
):
    foreign = UnitFactory(park=other_park, code="G-1")
    client.force_login(pseb_staff)
    response = client.post(
        approve_url(under_review), {"start_date": later(30).isoformat(), "units": [str(foreign.pk)]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["units"]
    _assert_not_approved(under_review)


def test_approving_without_a_unit_asks_for_one(client, pseb_staff, under_review, units):
    client.force_login(pseb_staff)
    response = client.post(approve_url(under_review), {"start_date": later(30).isoformat()})
    assert "Choose at least one unit." in text(response)
    _assert_not_approved(under_review)


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"start_date": "2027-02-01", "end_date": "2027-01-31"}, "cannot be before the start"),
        ({"start_date": "soon"}, "Enter a valid date"),
        ({"start_date": ""}, "This field is required"),
    ],
)
def test_bad_approval_dates_show_a_message_and_create_nothing(
    client, pseb_staff, under_review, units, dates, message
):
    client.force_login(pseb_staff)
    response = client.post(approve_url(under_review), {**dates, "units": [str(units["free"].pk)]})
    assert response.status_code == 200
    assert message in text(response)
    _assert_not_approved(under_review)


def test_approving_from_before_the_park_opens_shows_why_and_creates_nothing(
    client, pseb_staff, company_user
):
    opening = later(200)
    upcoming = ParkFactory(code="UPC", name="Upcoming STP", status="upcoming", opening_date=opening)
    unit = UnitFactory(park=upcoming, code="U-1")
    application = ApplicationFactory(
        company=company_of(company_user), park=upcoming, status="under_review"
    )
    client.force_login(pseb_staff)
    response = client.post(
        approve_url(application),
        {"start_date": (opening - timedelta(days=1)).isoformat(), "units": [str(unit.pk)]},
    )
    assert response.status_code == 200
    assert f"opens on {opening.isoformat()}" in text(response)
    _assert_not_approved(application)


def test_the_approval_page_starts_no_earlier_than_the_park_opens(client, pseb_staff, company_user):
    opening = later(200)
    upcoming = ParkFactory(code="UPC", status="upcoming", opening_date=opening)
    application = ApplicationFactory(
        company=company_of(company_user), park=upcoming, status="under_review"
    )
    client.force_login(pseb_staff)
    response = client.get(approve_url(application))
    assert response.context["dates"].initial["start_date"] == opening


def test_a_unit_taken_between_page_and_approval_shows_a_message_and_creates_nothing(
    client, pseb_staff, under_review, units, monkeypatch
):
    def taken(**kwargs):
        raise UnitAlreadyLeased({"units": "A unit was leased for these dates by someone else."})

    monkeypatch.setattr(services, "application_approve", taken)
    client.force_login(pseb_staff)
    response = client.post(
        approve_url(under_review),
        {"start_date": later(30).isoformat(), "units": [str(units["free"].pk)]},
    )
    assert response.status_code == 200
    assert "by someone else" in text(response)
    _assert_not_approved(under_review)


@pytest.mark.parametrize("method", ["get", "post"])
def test_approving_an_application_not_submitted_shows_a_message_and_changes_nothing(
    client, pseb_staff, draft, units, method
):
    client.force_login(pseb_staff)
    response = getattr(client, method)(
        approve_url(draft),
        {"start_date": later(30).isoformat(), "units": [str(units["free"].pk)]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("tenants:application_detail", args=[draft.pk])
    assert "cannot be approved" in text(response)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert not Lease.objects.exists()


# --- Roles that see but may not act: 403 ------------------------------------------------------
def test_a_company_user_cannot_approve_their_own_application(
    client, company_user, under_review, units
):
    client.force_login(company_user)
    url = approve_url(under_review)
    assert client.get(url).status_code == 403
    response = client.post(
        url, {"start_date": later(30).isoformat(), "units": [str(units["free"].pk)]}
    )
    assert response.status_code == 403
    _assert_not_approved(under_review)


@pytest.mark.parametrize("action", ["review", "reject", "return"])
def test_a_company_user_cannot_review_their_own_application(client, request, company_user, action):
    application = request.getfixturevalue("submitted" if action == "review" else "under_review")
    status = application.status
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_transition", args=[application.pk, action]),
        {"reason": REASON},
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == status


def test_pseb_cannot_submit_or_withdraw_for_the_company(client, pseb_staff, draft):
    client.force_login(pseb_staff)
    for action in ("submit", "withdraw"):
        url = reverse("tenants:application_transition", args=[draft.pk, action])
        assert client.post(url).status_code == 403
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_the_parks_manager_sees_but_does_not_decide(client, park_manager, under_review, units):
    client.force_login(park_manager)
    assert (
        client.get(reverse("tenants:application_detail", args=[under_review.pk])).status_code == 200
    )
    assert client.get(approve_url(under_review)).status_code == 403
    url = reverse("tenants:application_transition", args=[under_review.pk, "reject"])
    assert client.post(url, {"reason": REASON}).status_code == 403
    _assert_not_approved(under_review)

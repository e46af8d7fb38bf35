"""What the company and PSEB pages say and offer, after the UX review: the application form
(blank seats and area, every problem at once, nothing lost on the edit page), the approval
page's defaults, the history in words, lease and termination pages, the company profile."""

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.vocabulary import ApplicationStatus, CompanyKind
from stp_portal.errors import Conflict
from subsidies import services as billing
from tenants import services
from tenants.models import Application, ApplicationDocument, Lease
from tenants.services import applications as application_services
from tests.factories import (
    ApplicationFactory,
    LeaseFactory,
    MembershipFactory,
    ParkFactory,
    SubsidySchemeFactory,
    UnitFactory,
)
from tests.pdfs import PDF

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def words(response) -> str:
    """The page's text without tags, spaces collapsed: what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


def later(days: int = 30) -> date:
    return timezone.localdate() + timedelta(days=days)


def application_data(park, **overrides):
    return {
        "park": park.code,
        "unit_kind": "office",
        "seats": "8",
        "area_sqft": "",
        "desired_start": later().isoformat(),
        "duration_months": "12",
        "business_plan": "A team of eight building software for exporters.",
        **overrides,
    }


def field_errors(response) -> dict:
    return response.context["form"].errors


# --- 1. The application form -----------------------------------------------------------------
def test_the_area_may_be_left_blank_and_is_stored_as_no_area_wanted(
    client, company_user, company, park
):
    client.force_login(company_user)
    response = client.post(reverse("tenants:application_create"), application_data(park))
    assert response.status_code == 302, field_errors(response)
    application = Application.objects.get()
    assert (application.seats, application.area_sqft) == (8, Decimal("0.00"))


def test_the_seats_may_be_left_blank_when_an_area_is_asked_for(client, company_user, company, park):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_create"),
        application_data(park, seats="", area_sqft="1500"),
    )
    assert response.status_code == 302, field_errors(response)
    application = Application.objects.get()
    assert (application.seats, application.area_sqft) == (0, Decimal("1500.00"))


def test_neither_seats_nor_area_asks_for_one_of_them(client, company_user, company, park):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_create"), application_data(park, seats="", area_sqft="")
    )
    assert response.status_code == 200
    assert field_errors(response)["seats"] == ["Ask for seats, an area, or both."]
    assert not Application.objects.exists()


def test_a_new_application_starts_with_blank_seats_and_area_not_zero(client, company_user, company):
    client.force_login(company_user)
    response = client.get(reverse("tenants:application_create"))
    form = response.context["form"]
    assert form["seats"].value() is None
    assert form["area_sqft"].value() is None
    page = text(response)
    assert re.search(r'<input[^>]*name="seats"[^>]*value=', page) is None
    assert re.search(r'<input[^>]*name="area_sqft"[^>]*value=', page) is None


def test_editing_a_draft_shows_an_area_of_none_as_blank(client, company_user, draft):
    client.force_login(company_user)
    form = client.get(reverse("tenants:application_edit", args=[draft.pk])).context["form"]
    assert form["seats"].value() == 10
    assert form["area_sqft"].value() is None


def test_every_field_problem_of_the_application_shows_at_once(client, company_user, company, park):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_create"),
        application_data(park, seats="-3", area_sqft="-5", duration_months="0"),
    )
    assert response.status_code == 200
    errors = field_errors(response)
    assert errors["seats"] == ["Seats cannot be negative; leave it blank for none."]
    assert errors["area_sqft"] == ["The area cannot be negative; leave it blank if unsure."]
    assert errors["duration_months"] == ["Ask for 1 to 120 months."]
    assert not Application.objects.exists()


def test_a_start_in_the_past_shows_together_with_a_missing_business_plan(
    client, company_user, company, park
):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_create"),
        application_data(park, desired_start="2020-01-01", business_plan=""),
    )
    errors = field_errors(response)
    assert "cannot be in the past" in " ".join(errors["desired_start"])
    assert errors["business_plan"]


def test_the_duration_is_labelled_in_months(client, company_user, company):
    client.force_login(company_user)
    page = text(client.get(reverse("tenants:application_create")))
    assert re.search(r'<label [^>]*for="id_duration_months"[^>]*>Duration \(months\)</label>', page)


# --- 1. The edit page loses nothing ------------------------------------------------------------
def edit_url(application) -> str:
    return reverse("tenants:application_edit", args=[application.pk])


def test_every_button_of_the_edit_page_posts_the_edit_form(client, company_user, draft):
    services.document_add(
        user=company_user,
        application=draft,
        upload=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
    )
    client.force_login(company_user)
    page = text(client.get(edit_url(draft)))
    content = page[page.index('<section class="narrow-wide">') :]
    # One form in the page's content; the other buttons and the file input belong to it.
    assert content.count("<form") == 1
    assert re.search(r'<form method="post" novalidate id="application-form"', page)
    for value in ("upload", "submit"):
        assert re.search(rf'<button[^>]*form="application-form"[^>]*value="{value}"', page)
    assert re.search(r'<button[^>]*form="application-form"[^>]*name="remove_document"', page)
    assert re.search(r'<input[^>]*type="file"[^>]*form="application-form"', page) or re.search(
        r'<input[^>]*form="application-form"[^>]*type="file"', page
    )
    transition = reverse("tenants:application_transition", args=[draft.pk, "submit"])
    assert transition not in page


def test_submitting_from_the_edit_page_saves_the_edits_first(client, company_user, draft, park):
    client.force_login(company_user)
    response = client.post(
        edit_url(draft),
        application_data(park, seats="14", area_sqft="2500", then="submit"),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("tenants:application_detail", args=[draft.pk])
    assert "Draft saved and the application submitted." in text(response)
    draft.refresh_from_db()
    assert (draft.status, draft.seats, draft.area_sqft) == (
        ApplicationStatus.SUBMITTED,
        14,
        Decimal("2500.00"),
    )


def test_submitting_a_bad_edit_neither_saves_nor_submits(client, company_user, draft, park):
    client.force_login(company_user)
    response = client.post(
        edit_url(draft), application_data(park, seats="-1", then="submit"), follow=True
    )
    assert response.status_code == 200
    assert "Nothing was saved: the draft is unchanged and the application was not submitted." in (
        text(response)
    )
    draft.refresh_from_db()
    assert (draft.status, draft.seats) == (ApplicationStatus.DRAFT, 10)


def test_a_refused_submission_from_the_edit_page_saves_nothing_and_says_so(
    client, company_user, draft, park, monkeypatch
):
    def refuse(**kwargs):
        raise Conflict("The park stopped taking applications a moment ago.")

    monkeypatch.setattr(application_services, "application_transition", refuse)
    client.force_login(company_user)
    response = client.post(edit_url(draft), application_data(park, seats="14", then="submit"))
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was saved: the draft is unchanged and the application was not submitted." in (
        page
    )
    assert "The park stopped taking applications a moment ago." in page
    draft.refresh_from_db()
    assert (draft.status, draft.seats) == (ApplicationStatus.DRAFT, 10)


def test_uploading_from_the_edit_page_saves_the_edits_too(client, company_user, draft, park):
    client.force_login(company_user)
    response = client.post(
        edit_url(draft),
        {
            **application_data(park, seats="6", then="upload"),
            "file": SimpleUploadedFile("Plan.pdf", PDF, content_type="application/pdf"),
        },
        follow=True,
    )
    assert "Draft saved and Plan.pdf uploaded." in text(response)
    draft.refresh_from_db()
    assert draft.seats == 6
    assert [d.original_name for d in draft.documents.all()] == ["Plan.pdf"]


def test_a_file_chosen_with_a_bad_edit_is_not_uploaded_and_says_so(
    client, company_user, draft, park
):
    client.force_login(company_user)
    response = client.post(
        edit_url(draft),
        {
            **application_data(park, duration_months="0", then="upload"),
            "file": SimpleUploadedFile("Plan.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "Nothing was saved: the draft is unchanged and Plan.pdf was not uploaded." in text(
        response
    )
    assert "Choose Plan.pdf again" in text(response)
    assert not ApplicationDocument.objects.exists()


def test_removing_a_document_from_the_edit_page_saves_the_edits_too(
    client, company_user, draft, park, django_capture_on_commit_callbacks
):
    document = services.document_add(
        user=company_user,
        application=draft,
        upload=SimpleUploadedFile("Old.pdf", PDF, content_type="application/pdf"),
    )
    client.force_login(company_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url(draft),
            application_data(park, seats="7", remove_document=str(document.pk)),
            follow=True,
        )
    assert "Draft saved and Old.pdf removed." in text(response)
    draft.refresh_from_db()
    assert draft.seats == 7
    assert not draft.documents.exists()


def test_a_document_of_another_application_is_not_removed_through_this_one(
    client, company_user, company, draft, park
):
    other = ApplicationFactory(company=company, park=park)
    stranger = services.document_add(
        user=company_user,
        application=other,
        upload=SimpleUploadedFile("Other.pdf", PDF, content_type="application/pdf"),
    )
    client.force_login(company_user)
    client.post(edit_url(draft), application_data(park, remove_document=str(stranger.pk)))
    assert ApplicationDocument.objects.filter(pk=stranger.pk).exists()


# --- 2. The approval page ----------------------------------------------------------------------
def approve_url(application) -> str:
    return reverse("tenants:application_approve", args=[application.pk])


@pytest.mark.parametrize(
    ("desired_start", "months", "end"),
    [
        (date(2031, 3, 15), 12, date(2032, 3, 14)),
        (date(2031, 1, 31), 1, date(2031, 2, 27)),  # 28 Feb is the clipped month's end
        (date(2031, 7, 1), 6, date(2031, 12, 31)),
    ],
)
def test_the_approval_page_prefills_start_and_end_from_the_application(
    client, pseb_staff, company, park, desired_start, months, end
):
    application = ApplicationFactory(
        company=company,
        park=park,
        status=ApplicationStatus.UNDER_REVIEW,
        desired_start=desired_start,
        duration_months=months,
    )
    client.force_login(pseb_staff)
    response = client.get(approve_url(application))
    initial = response.context["dates"].initial
    assert (initial["start_date"], initial["end_date"]) == (desired_start, end)
    assert f'value="{end.isoformat()}"' in text(response)


def test_a_cleared_end_date_offers_units_for_an_open_lease(client, pseb_staff, company, park):
    application = ApplicationFactory(company=company, park=park, status="under_review")
    UnitFactory(park=park, code="A-1")
    client.force_login(pseb_staff)
    response = client.get(
        approve_url(application), {"start_date": later().isoformat(), "end_date": ""}
    )
    assert response.context["dates"].cleaned_data["end_date"] is None
    assert [u.code for u in response.context["units"]] == ["A-1"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("office", ["A-1", "B-1", "D-1", "D-2"]), ("desk", ["D-1", "D-2", "A-1", "B-1"])],
)
def test_free_units_of_the_requested_kind_are_listed_first(
    client, pseb_staff, company, park, kind, expected
):
    application = ApplicationFactory(
        company=company, park=park, status="under_review", unit_kind=kind, seats=2
    )
    for code, unit_kind in [("A-1", "office"), ("D-2", "desk"), ("B-1", "office"), ("D-1", "desk")]:
        UnitFactory(park=park, code=code, kind=unit_kind, seats=1 if unit_kind == "desk" else 10)
    client.force_login(pseb_staff)
    response = client.get(approve_url(application), {"start_date": later().isoformat()})
    assert [u.code for u in response.context["units"]] == expected


def test_the_approval_page_writes_areas_with_thousands_separators(
    client, pseb_staff, company, park
):
    application = ApplicationFactory(
        company=company, park=park, status="under_review", area_sqft=Decimal("15000.00")
    )
    UnitFactory(park=park, code="A-1", area_sqft=Decimal("12500.00"))
    client.force_login(pseb_staff)
    page = text(client.get(approve_url(application), {"start_date": later().isoformat()}))
    assert "12,500 sq ft" in page
    assert "15,000 sq ft" in page
    assert "12500 sq ft" not in page


def test_choose_a_unit_is_said_above_the_unit_list_too(client, pseb_staff, company, park):
    application = ApplicationFactory(company=company, park=park, status="under_review")
    UnitFactory(park=park, code="A-1")
    client.force_login(pseb_staff)
    page = text(client.post(approve_url(application), {"start_date": later().isoformat()}))
    table = page.index('<table class="table table-vcenter card-table responsive-table">')
    first = page.index("Choose at least one unit.")
    assert first < table
    assert not Lease.objects.exists()


# --- 6. The history in words ------------------------------------------------------------------
def test_the_history_reads_who_did_what_when_and_why(client, company_user, draft, pseb_staff):
    pseb_staff.first_name, pseb_staff.last_name = "Amina", "Qureshi"
    pseb_staff.save()
    services.application_transition(user=company_user, application=draft, action="submit")
    services.application_transition(user=pseb_staff, application=draft, action="review")
    services.application_transition(
        user=pseb_staff, application=draft, action="return", reason="Add the hiring plan."
    )
    client.force_login(company_user)
    page = words(client.get(reverse("tenants:application_detail", args=[draft.pk])))
    when = r"on \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}"
    assert re.search(rf"Draft created by {company_user.username} {when}", page)
    assert re.search(rf"Submitted by {company_user.username} {when}", page)
    assert re.search(rf"Review started by pseb.staff \(Amina Qureshi\) {when}", page)
    assert re.search(
        rf"Returned to the company for changes by pseb.staff \(Amina Qureshi\) {when} "
        r"Reason: Add the hiring plan\.",
        page,
    )
    assert "→" not in page.split("History", 1)[1]
    assert "(return)" not in page


# --- 8. Lease and termination pages -----------------------------------------------------------
def test_the_lease_page_links_its_application_and_its_statements(client, pseb_staff, company, park):
    lease = LeaseFactory(company=company, park=park)
    application = ApplicationFactory(
        company=company, park=park, status=ApplicationStatus.APPROVED, lease=lease
    )
    client.force_login(pseb_staff)
    page = text(client.get(reverse("tenants:lease_detail", args=[lease.pk])))
    assert reverse("tenants:application_detail", args=[application.pk]) in page
    statements = reverse("subsidies:statement_list")
    assert f'href="{statements}?park=GUJ&company_id={company.pk}"' in page


def test_the_lease_pages_statements_link_lists_that_company_only(client, pseb_staff, company, park):
    # given a company whose name contains this one's, both billed at the park
    SubsidySchemeFactory()
    lease = LeaseFactory(company=company, park=park, start_date=date(2026, 3, 1))
    namesake = LeaseFactory(park=park, start_date=date(2026, 3, 1))
    namesake.company.name = f"{company.name} Labs"
    namesake.company.save()
    run = billing.billing_run_start(
        user=None, period="2026-03", park=None, today=date(2026, 4, 1), queue=False
    )
    for chunk_id in billing.billing_run_plan(run.pk):
        billing.billing_chunk_bill(chunk_id, today=date(2026, 4, 1))
    # when staff follow the lease page's link
    client.force_login(pseb_staff)
    page = client.get(reverse("tenants:lease_detail", args=[lease.pk])).content.decode()
    link = html.unescape(re.search(r'href="([^"]*company_id=[^"]*)"', page)[1])
    listed = client.get(link).context["page"].object_list
    # then only this company's statement is listed
    assert [s.company_id for s in listed] == [company.pk]


def test_a_company_user_gets_its_statements_at_the_park_without_a_company_filter(
    client, company_user, company, park
):
    lease = LeaseFactory(company=company, park=park)
    client.force_login(company_user)
    page = text(client.get(reverse("tenants:lease_detail", args=[lease.pk])))
    assert f'href="{reverse("subsidies:statement_list")}?park=GUJ"' in page


def test_the_lease_page_links_no_application_the_user_may_not_see(
    client, park_manager, company, park, other_park
):
    # Inconsistent on purpose: the application is of a park this manager does not run.
    lease = LeaseFactory(company=company, park=park)
    hidden = ApplicationFactory(
        company=company, park=other_park, status=ApplicationStatus.APPROVED, lease=lease
    )
    client.force_login(park_manager)
    page = text(client.get(reverse("tenants:lease_detail", args=[lease.pk])))
    assert reverse("tenants:application_detail", args=[hidden.pk]) not in page


def test_the_terminate_page_warns_when_months_are_already_billed(client, pseb_staff, company, park):
    SubsidySchemeFactory()
    lease = LeaseFactory(company=company, park=park, start_date=date(2026, 3, 15))
    client.force_login(pseb_staff)
    url = reverse("tenants:lease_terminate", args=[lease.pk])
    assert "No statement has billed this lease yet" in words(client.get(url))

    run = billing.billing_run_start(
        user=None, period="2026-03", park=None, today=date(2026, 4, 1), queue=False
    )
    for chunk_id in billing.billing_run_plan(run.pk):
        billing.billing_chunk_bill(chunk_id, today=date(2026, 4, 1))
    page = words(client.get(url))
    assert "This lease is billed up to 31 March 2026." in page
    assert "credit notes are issued at once" in page


# --- 9. The company profile --------------------------------------------------------------------
def test_a_freelancers_profile_offers_no_invitation_and_counts_one_person(client):
    user = MembershipFactory(
        user__username="freelancer.ayesha",
        company__name="Ayesha Malik",
        company__kind=CompanyKind.FREELANCER,
        company__headcount=1,
        company__women_headcount=1,
    ).user
    client.force_login(user)
    response = client.get(reverse("tenants:company"))
    page = words(response)
    assert "Headcount 1 person (1 woman)" in page
    assert "1 women" not in page
    assert response.context["invite_form"] is None
    assert "Invite member" not in page
    assert "Members" not in page
    assert "Owner" not in page  # one person's profile has no roles to tell apart
    assert reverse("tenants:company_invite") not in text(response)


@pytest.mark.parametrize(
    ("headcount", "women", "says"),
    [(20, 6, "20 people (6 women)"), (12, 1, "12 people (1 woman)"), (3, 0, "3 people (0 women)")],
)
def test_a_companys_headcount_is_written_in_words(client, headcount, women, says):
    user = MembershipFactory(company__headcount=headcount, company__women_headcount=women).user
    client.force_login(user)
    response = client.get(reverse("tenants:company"))
    assert f"Headcount {says}" in words(response)
    assert response.context["invite_form"] is not None  # the owner of a company invites


def test_an_upcoming_park_application_can_be_prefilled_from_the_park(client, company_user, company):
    upcoming = ParkFactory(code="SKR", status="upcoming", opening_date=date(2027, 1, 15))
    client.force_login(company_user)
    response = client.get(reverse("tenants:application_create"), {"park": "skr"})
    assert response.context["form"]["park"].value() == upcoming.code
